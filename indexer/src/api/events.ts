/** Raw event rows to API records, and the history queries every detail route uses. */
import type { Sql } from "../store/db.ts";
import { accountKey } from "../store/handlers.ts";
import { hasAnyKey, keyHash } from "../store/keys.ts";
import type { EventArgs } from "../sync/decode.ts";
import { type EventJson, isoRequired } from "./common.ts";

export type EventRow = {
  pos: number;
  block_number: number;
  block_hash: string;
  block_time: number;
  tx_hash: string;
  tx_index: number;
  log_index: number;
  address: string;
  contract: string;
  event: string;
  args: EventArgs;
  signer: string | null;
};

export const EVENT_COLUMNS =
  "pos, block_number, block_hash, block_time, tx_hash, tx_index, log_index, address, contract, event, args, signer";

export const eventJson = (r: EventRow): EventJson => ({
  id: String(r.pos),
  contract: r.contract,
  address: r.address,
  event: r.event,
  args: r.args,
  txHash: r.tx_hash,
  txIndex: r.tx_index,
  blockNumber: r.block_number,
  blockHash: r.block_hash,
  blockTime: isoRequired(r.block_time),
  logIndex: r.log_index,
  signer: r.signer,
});

/** Every event with one of the history keys `keys` (e.g. `sales:123`), oldest first. */
export async function historyOf(db: Sql, keys: readonly string[]): Promise<EventJson[]> {
  const rows = await db.query<EventRow>(
    `select ${EVENT_COLUMNS} from events where keys && $1::int8[] order by pos`,
    [keys.map(keyHash)],
  );
  // The index holds key hashes: drop any row that matched by collision only.
  return rows.filter(hasAnyKey(keys)).map(eventJson);
}

/** The `int8[]` parameter for "events naming account `address`" (`keys @> $n::int8[]`). */
export const accountKeyHash = (address: string) => [keyHash(accountKey(address))];
/** Whether an event row really names `address` (its key hash may have matched by collision). */
export const namesAccount = (address: string) => hasAnyKey([accountKey(address)]);
