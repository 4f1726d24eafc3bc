/**
 * Sealed-bid secrets (price, picks, salt, document hash) kept in localStorage, encrypted with
 * AES-GCM under a key derived from the wallet's signature of a fixed message (deterministic:
 * the same wallet always gets the same key), exportable as a backup file.
 *
 * The store is append-only: a secret is never replaced or removed, because the one that opens the
 * bid on chain is worth the bond. A new secret is refused while the chain holds a bid of the
 * tender's current version (a second commit would revert anyway), and the reveal picks the secret
 * whose commitment the chain holds.
 */
import type { Hex } from "viem";
import { BidStatus } from "../../../sdk/generated/enums.ts";
import { openBox, sealBox } from "./device-box.ts";
import type { Session } from "./session.ts";

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

export async function loadSecrets(s: Session): Promise<BidSecret[]> {
  return (await openBox<BidSecret[]>(s, MESSAGE, keyName(s.address))) ?? [];
}

/** A bidder's bid as `TenderBoard.getBid` returns it (status: sdk BidStatus; commitment: bytes28). */
export interface ChainBid {
  commitment: Hex;
  version: number;
  status: number;
}

/** Thrown when the chain already holds a bid of the tender's current version by this bidder. */
export class BidAlreadyCommittedError extends Error {
  constructor(readonly tenderId: string) {
    super(`a bid on tender ${tenderId} is already committed`);
    this.name = "BidAlreadyCommittedError";
  }
}

/** The chain keeps the commitment's first 28 bytes (`bytes28`): compare on those. */
export const commitmentKey = (c: string) => c.toLowerCase().slice(0, 58);

/** True when `bid` is a bid of `tenderVersion` (whatever its status: it holds the slot). */
export const holdsBid = (bid: ChainBid | null, tenderVersion: number) =>
  bid !== null && bid.status !== BidStatus.None && bid.version === tenderVersion;

/**
 * The list with `secret` added: appended, never replacing an earlier secret of the same tender
 * (that one may be the one the chain holds). Refused when the chain already holds a bid of the
 * current version.
 */
export function withSecret(
  list: readonly BidSecret[],
  secret: BidSecret,
  chainBid: ChainBid | null,
  tenderVersion: number,
): BidSecret[] {
  if (holdsBid(chainBid, tenderVersion)) throw new BidAlreadyCommittedError(secret.tenderId);
  const key = commitmentKey(secret.commitment);
  if (list.some((s) => commitmentKey(s.commitment) === key)) return [...list];
  return [...list, secret];
}

/** The secret that opens the bid the chain holds (undefined: none of ours does). */
export function secretForBid(
  list: readonly BidSecret[],
  tenderId: string,
  chainBid: ChainBid | null,
): BidSecret | undefined {
  if (chainBid === null || chainBid.status === BidStatus.None) return undefined;
  const key = commitmentKey(chainBid.commitment);
  return list.find((s) => s.tenderId === tenderId && commitmentKey(s.commitment) === key);
}

/**
 * Keeps a new secret before its commit is sent: reads the stored list afresh (never a stale copy
 * held by a page) and the chain's bid, then appends. Returns the stored list.
 */
export async function keepNewSecret(
  s: Session,
  secret: BidSecret,
  readChain: () => Promise<{ bid: ChainBid | null; tenderVersion: number }>,
): Promise<BidSecret[]> {
  const [stored, chain] = await Promise.all([loadSecrets(s), readChain()]);
  const next = withSecret(stored, secret, chain.bid, chain.tenderVersion);
  await saveSecrets(s, next, false);
  return next;
}

/** Adds the secrets of a backup file to the stored ones (append-only, as everywhere). */
export async function importSecrets(
  s: Session,
  incoming: readonly BidSecret[],
): Promise<BidSecret[]> {
  const merged = await loadSecrets(s);
  const keys = new Set(merged.map((m) => commitmentKey(m.commitment)));
  for (const x of incoming) {
    if (typeof x?.commitment !== "string" || keys.has(commitmentKey(x.commitment))) continue;
    keys.add(commitmentKey(x.commitment));
    merged.push(x);
  }
  await saveSecrets(s, merged, true);
  return merged;
}

export async function saveSecrets(s: Session, list: BidSecret[], backedUp = false): Promise<void> {
  await sealBox(s, MESSAGE, keyName(s.address), list);
  localStorage.setItem(backedName(s.address), backedUp ? "1" : "0");
}

export const isBackedUp = (s: Session) => localStorage.getItem(backedName(s.address)) !== "0";
export const markBackedUp = (s: Session) => localStorage.setItem(backedName(s.address), "1");
