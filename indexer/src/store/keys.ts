/**
 * History keys in the event log. Every event has text keys (`sales:…`, `acct:0x…`: see
 * `eventKeys`), but the log stores and indexes 53-bit hashes of them (`events.keys int8[]`, GIN).
 * Measured on 100,000 events into PGlite: a `text[]` column of ~140 characters per row and its GIN
 * index cost about a third of writing the log; `int8[]` takes far less to parse and index.
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

/** The `int8[]` literal of an event's key hashes, for COPY. */
export const keyHashLiteral = (keys: readonly string[]) => `{${keys.map(keyHash).join(",")}}`;

/**
 * Whether the event really has one of `keys` (a hash match may be a collision). Built once per
 * key set: call the result for each row.
 */
export function hasAnyKey(keys: Iterable<string>): (event: KeyedEvent) => boolean {
  const wanted = new Set(keys);
  return (event) => eventKeys(event).some((k) => wanted.has(k));
}
