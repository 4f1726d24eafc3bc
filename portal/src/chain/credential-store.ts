/**
 * The holder's credential files (docs/credential-claims.md), kept in localStorage in a box only
 * her wallet opens (device-box.ts, as the sealed-bid secrets), so she needs no second password.
 * A file is checked (its fields make its root; it is hers) before it is kept.
 */
import { type CredentialFile, parseCredentialFile } from "../../../sdk/presentation.ts";
import { openBox, sealBox } from "./device-box.ts";
import type { Session } from "./session.ts";

const MESSAGE = "jangbu: encrypt my credential files (v1)";
const keyName = (addr: string) => `jangbu.credentials.${addr.toLowerCase()}`;

/** Thrown when a file names another holder than the signed-in one. */
export class NotMyCredentialError extends Error {
  constructor(readonly subject: string) {
    super(`credential of ${subject}`);
    this.name = "NotMyCredentialError";
  }
}

export async function loadCredentials(s: Session): Promise<CredentialFile[]> {
  const files = await openBox<unknown[]>(s, MESSAGE, keyName(s.address));
  return (files ?? []).map(parseCredentialFile);
}

async function saveCredentials(s: Session, files: readonly CredentialFile[]): Promise<void> {
  await sealBox(s, MESSAGE, keyName(s.address), files);
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
