/**
 * Sealed-bid secrets (price, picks, salt, document hash) kept in localStorage, encrypted with
 * AES-GCM under a key derived from the wallet's signature of a fixed message (deterministic:
 * the same wallet always gets the same key), exportable as a backup file.
 */
import { type Hex, hexToBytes, keccak256 } from "viem";
import type { Session } from "./session.ts";
import { signMessage } from "./sign.ts";

export interface BidSecret {
  tenderId: string;
  price: string;
  picks: [number, number]; // 0-based
  salt: Hex;
  docHash: Hex;
  commitment: Hex;
  createdAt: number;
}

const MESSAGE = "jangbu: encrypt my sealed-bid secrets (v1)";
const keyName = (addr: string) => `jangbu.bids.${addr.toLowerCase()}`;
const backedName = (addr: string) => `jangbu.bids.backedUp.${addr.toLowerCase()}`;

async function aesKey(s: Session): Promise<CryptoKey> {
  const sig = await signMessage(s, MESSAGE);
  const raw = new Uint8Array(hexToBytes(keccak256(sig)));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function loadSecrets(s: Session): Promise<BidSecret[]> {
  const stored = localStorage.getItem(keyName(s.address));
  if (!stored) return [];
  const { iv, data } = JSON.parse(stored) as { iv: string; data: string };
  const key = await aesKey(s);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: Uint8Array.from(atob(iv), (c) => c.charCodeAt(0)) },
    key,
    Uint8Array.from(atob(data), (c) => c.charCodeAt(0)),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as BidSecret[];
}

export async function saveSecrets(s: Session, list: BidSecret[], backedUp = false): Promise<void> {
  const key = await aesKey(s);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv },
      key,
      new TextEncoder().encode(JSON.stringify(list)),
    ),
  );
  const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
  localStorage.setItem(keyName(s.address), JSON.stringify({ iv: b64(iv), data: b64(data) }));
  localStorage.setItem(backedName(s.address), backedUp ? "1" : "0");
}

export const isBackedUp = (s: Session) => localStorage.getItem(backedName(s.address)) !== "0";
export const markBackedUp = (s: Session) => localStorage.setItem(backedName(s.address), "1");
