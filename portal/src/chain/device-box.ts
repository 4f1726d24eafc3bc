/**
 * A value kept in this browser's localStorage, encrypted with AES-GCM under a key derived from the
 * wallet's signature of a fixed message. The signature is deterministic, so the same wallet always
 * gets the same key and needs no second password; another wallet cannot open the box. Used for the
 * sealed-bid secrets (secrets.ts) and the holder's credential files (credential-store.ts), each with
 * its own message so one key never opens the other's box.
 */
import { type Hex, hexToBytes, keccak256 } from "viem";
import type { Session } from "./session.ts";
import { signMessage } from "./sign.ts";

async function aesKey(s: Session, message: string): Promise<CryptoKey> {
  const sig: Hex = await signMessage(s, message);
  const raw = new Uint8Array(hexToBytes(keccak256(sig)));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** The JSON value stored under `storageKey`, or undefined when there is none. */
export async function openBox<T>(
  s: Session,
  message: string,
  storageKey: string,
): Promise<T | undefined> {
  const stored = localStorage.getItem(storageKey);
  if (!stored) return undefined;
  const { iv, data } = JSON.parse(stored) as { iv: string; data: string };
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unb64(iv) },
    await aesKey(s, message),
    unb64(data),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

/** Stores `value` (as JSON) under `storageKey`, encrypted with a fresh IV. */
export async function sealBox(
  s: Session,
  message: string,
  storageKey: string,
  value: unknown,
): Promise<void> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv },
      await aesKey(s, message),
      new TextEncoder().encode(JSON.stringify(value)),
    ),
  );
  localStorage.setItem(storageKey, JSON.stringify({ iv: b64(iv), data: b64(data) }));
}
