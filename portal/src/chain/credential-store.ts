/**
 * The holder's credential files (docs/credential-claims.md), kept in localStorage encrypted with
 * AES-GCM under a key derived from her wallet's signature of a fixed message: the primitive the
 * sealed-bid secrets use (chain/secrets.ts), so only her key opens them and she needs no second
 * password. A file is checked (its fields make its root; it is hers) before it is kept.
 */
import { type Hex, hexToBytes, keccak256 } from "viem";
import { type CredentialFile, parseCredentialFile } from "../../../sdk/presentation.ts";
import type { Session } from "./session.ts";
import { signMessage } from "./sign.ts";

const MESSAGE = "jangbu: encrypt my credential files (v1)";
const keyName = (addr: string) => `jangbu.credentials.${addr.toLowerCase()}`;

/** Thrown when a file names another holder than the signed-in one. */
export class NotMyCredentialError extends Error {
  constructor(readonly subject: string) {
    super(`credential of ${subject}`);
    this.name = "NotMyCredentialError";
  }
}

async function aesKey(s: Session): Promise<CryptoKey> {
  const sig: Hex = await signMessage(s, MESSAGE);
  const raw = new Uint8Array(hexToBytes(keccak256(sig)));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export async function loadCredentials(s: Session): Promise<CredentialFile[]> {
  const stored = localStorage.getItem(keyName(s.address));
  if (!stored) return [];
  const { iv, data } = JSON.parse(stored) as { iv: string; data: string };
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unb64(iv) },
    await aesKey(s),
    unb64(data),
  );
  return (JSON.parse(new TextDecoder().decode(plain)) as unknown[]).map(parseCredentialFile);
}

async function saveCredentials(s: Session, files: readonly CredentialFile[]): Promise<void> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv },
      await aesKey(s),
      new TextEncoder().encode(JSON.stringify(files)),
    ),
  );
  localStorage.setItem(keyName(s.address), JSON.stringify({ iv: b64(iv), data: b64(data) }));
}

/**
 * Checks and keeps a file (JSON text or parsed), or every file of a backup (an array); a file of a
 * credential already kept replaces nothing. Nothing is kept unless every file is good and hers.
 * Returns the kept list, newest first.
 */
export async function importCredential(s: Session, input: unknown): Promise<CredentialFile[]> {
  let v = input;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      v = null;
    }
  }
  const files = (Array.isArray(v) ? v : [v]).map(parseCredentialFile);
  for (const file of files)
    if (file.subject.toLowerCase() !== s.address.toLowerCase())
      throw new NotMyCredentialError(file.subject);
  const kept = await loadCredentials(s);
  for (const file of files)
    if (!kept.some((k) => k.credentialId === file.credentialId && k.chainId === file.chainId))
      kept.unshift(file);
  await saveCredentials(s, kept);
  return kept;
}
