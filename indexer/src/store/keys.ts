/**
 * The event log's indexed keys. Every event has text history keys (`sales:…`, `acct:0x…`: see
 * `eventKeys`) and two lookup keys (`tx:0x…`, `event:Name`), and the log stores and indexes 53-bit
 * hashes of them all in one GIN index (`events.keys int8[]`).
 * Measured on 100,000 events into PGlite: a `text[]` column of ~140 characters per row and its GIN
 * index cost about a third of writing the log; `int8[]` takes far less to parse and index. The
 * lookup keys replace a hash index on `tx_hash` and a b-tree on `(event, pos)`, which cost 0.77 s
 * and 0.53 s per 100,000 events, against 0.15–0.3 s for both as two more GIN keys (migration 5).
 * A lookup by transaction or name compares the column as well, so a collision costs nothing.
 *
 * Hashes can collide, so a reader never trusts a hash match alone: it recomputes the text keys
 * of the rows it gets back (`hasAnyKey`). The hash is part of the stored format: changing it
 * needs a migration that recomputes `events.keys` (as migration 4 does, see migrations.ts).
 */
import { eventKeys, type KeyedEvent } from "./handlers.ts";

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
const mix32 = (h: number) => {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

/**
 * A 53-bit hash of a key (a safe integer, so `int8` round-trips it as a JS number on both
 * engines): two independent FNV-style 32-bit passes over the UTF-16 code units, finalised, 32 +
 * 21 bits.
 */
export function keyHash(key: string): number {
  let lo = 0x811c9dc5;
  let hi = 0x2545f491;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    lo = Math.imul(lo ^ c, 0x01000193);
    hi = Math.imul(hi ^ c, 0x5bd1e995);
  }
  return (mix32(hi ^ key.length) >>> 11) * 2 ** 32 + mix32(lo);
}

/** The `int8[]` literal of key hashes, for COPY (migration 4 rebuilt history keys with it). */
export const keyHashLiteral = (keys: readonly string[]) => `{${keys.map(keyHash).join(",")}}`;

/** The lookup key of the events of transaction `hash` (lower-case 0x-hex, as stored). */
export const txKey = (hash: string) => `tx:${hash}`;
/** The lookup key of the events named `name` (whatever their contract). */
export const eventNameKey = (name: string) => `event:${name}`;

/**
 * The `int8[]` literal of an event's `events.keys`: the hashes of its history keys, then those
 * of its `txKey` and `eventNameKey`. Migration 5 appends the last two to a log written
 * before it, so both give the same array.
 */
export const indexedKeysLiteral = (event: KeyedEvent & { readonly txHash: string }) =>
  keyHashLiteral([...eventKeys(event), txKey(event.txHash), eventNameKey(event.event)]);

/**
 * Whether the event really has one of `keys` (a hash match may be a collision). Built once per
 * key set: call the result for each row.
 */
export function hasAnyKey(keys: Iterable<string>): (event: KeyedEvent) => boolean {
  const wanted = new Set(keys);
  return (event) => eventKeys(event).some((k) => wanted.has(k));
}
