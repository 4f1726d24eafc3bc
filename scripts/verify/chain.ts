/**
 * Rebuilds every jangbu record from the chain alone: `eth_getLogs` over the three contracts from
 * the deployment block (ranges halved when the node refuses one), each log decoded with the SDK
 * ABIs, block times read in batches, and the events folded by the SDK reducers in chain order.
 */
import {
  type Abi,
  type AbiEvent,
  type Address,
  decodeEventLog,
  type Hex,
  toEventSelector,
} from "viem";
import type { Deployment } from "../../sdk/deployments.ts";
import {
  CredentialRegistryAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  VarietyTestingAbi,
} from "../../sdk/generated/abis.ts";
import type { JsonRpcLog } from "../../sdk/reducers/event.ts";
import {
  applyCredentialEvent,
  applyProgrammeEventOwned,
  applySaleEvent,
  applyTenderEvent,
  type CredentialEvent,
  type CredentialRecord,
  credentialIdOf,
  isProgrammeEvent,
  isSaleEvent,
  type ProgrammeRecord,
  type RiceEvent,
  type SaleRecord,
  type TenderEvent,
  type TenderRecord,
} from "../../sdk/reducers/index.ts";
import { countyKeyOf, type VarietyPair } from "../../sdk/variety.ts";
import { type Rpc, RpcAnswerError } from "./rpc.ts";

export interface ChainRecords {
  readonly programmes: Map<number, ProgrammeRecord>;
  readonly sales: Map<bigint, SaleRecord>;
  readonly tenders: Map<bigint, TenderRecord>;
  readonly credentials: Map<bigint, CredentialRecord>;
  /**
   * Varieties each county designated, by {@link countyKeyOf}: a sale's designated variety is
   * judged by them when its county named any.
   */
  readonly counties: Map<string, VarietyPair>;
  /** jangbu events read (the four contracts). */
  readonly events: number;
  /** Events the reducers refused (out of order, unknown record): each one a finding. */
  readonly foldErrors: { record: string; message: string }[];
}

export type Progress = (phase: string, done: number, total: number) => void;

/** Blocks per eth_getLogs request: one request over a 100,000-event chain outlasts the timeout. */
const LOG_CHUNK_BLOCKS = 100;
/** eth_getLogs requests in flight at once. */
const LOG_CONCURRENCY = 4;

/**
 * Reads the logs of `addresses` in [from, to]: chunks of {@link LOG_CHUNK_BLOCKS} blocks,
 * {@link LOG_CONCURRENCY} at a time, each chunk halved while the node refuses it; returned in
 * block order.
 */
async function getLogs(
  rpc: Rpc,
  addresses: readonly Address[],
  from: number,
  to: number,
  progress: Progress,
): Promise<JsonRpcLog[]> {
  const chunks: [number, number][] = [];
  for (let start = from; start <= to; start += LOG_CHUNK_BLOCKS)
    chunks.push([start, Math.min(to, start + LOG_CHUNK_BLOCKS - 1)]);
  const results: JsonRpcLog[][] = new Array(chunks.length);
  let blocksDone = 0;
  const readChunk = async (chunkFrom: number, chunkTo: number): Promise<JsonRpcLog[]> => {
    const out: JsonRpcLog[] = [];
    let span = chunkTo - chunkFrom + 1;
    let start = chunkFrom;
    while (start <= chunkTo) {
      const end = Math.min(chunkTo, start + span - 1);
      try {
        const logs = await rpc.call<JsonRpcLog[]>("eth_getLogs", [
          {
            address: addresses,
            fromBlock: `0x${start.toString(16)}`,
            toBlock: `0x${end.toString(16)}`,
          },
        ]);
        for (const log of logs) out.push(log);
        blocksDone += end - start + 1;
        start = end + 1;
        progress("reading logs", blocksDone, to - from + 1);
      } catch (error) {
        // A node that limits ranges or results answers with an error: ask for less.
        if (!(error instanceof RpcAnswerError) || span === 1) throw error;
        span = Math.max(1, Math.floor(span / 2));
      }
    }
    return out;
  };
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const i = next++;
      const [chunkFrom, chunkTo] = chunks[i] as [number, number];
      results[i] = await readChunk(chunkFrom, chunkTo);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOG_CONCURRENCY, chunks.length) }, worker));
  return results.flat();
}

/** Block timestamps of `blocks`, 100 per batched request. */
async function blockTimes(rpc: Rpc, blocks: readonly bigint[], progress: Progress) {
  const times = new Map<bigint, number>();
  for (let i = 0; i < blocks.length; i += 100) {
    const slice = blocks.slice(i, i + 100);
    const headers = await rpc.batch<{ timestamp: string } | null>(
      slice.map((b) => ({
        method: "eth_getBlockByNumber",
        params: [`0x${b.toString(16)}`, false],
      })),
    );
    slice.forEach((b, j) => {
      const h = headers[j];
      if (h !== null && h !== undefined) times.set(b, Number(h.timestamp));
    });
    progress("reading block times", Math.min(blocks.length, i + 100), blocks.length);
  }
  return times;
}

type Decoded = {
  contract: "rice" | "tender" | "registry" | "variety";
  event: RiceEvent | TenderEvent | CredentialEvent;
};

/** Every record of the deployment as of block `toBlock`, rebuilt from its logs. */
export async function readChainRecords(
  rpc: Rpc,
  deployment: Deployment,
  toBlock: number,
  progress: Progress = () => {},
): Promise<ChainRecords> {
  const a = deployment.addresses;
  // Each contract's events by topic 0: viem would otherwise hash every event of the ABI per log.
  const byTopic = (abi: Abi) =>
    new Map(
      abi
        .filter((item): item is AbiEvent => item.type === "event")
        .map((item) => [toEventSelector(item), item] as const),
    );
  const abiOf = new Map<string, { events: Map<Hex, AbiEvent>; contract: Decoded["contract"] }>([
    [a.RicePurchase.toLowerCase(), { events: byTopic(RicePurchaseAbi), contract: "rice" }],
    [a.TenderBoard.toLowerCase(), { events: byTopic(TenderBoardAbi), contract: "tender" }],
    [
      a.CredentialRegistry.toLowerCase(),
      { events: byTopic(CredentialRegistryAbi), contract: "registry" },
    ],
    // Only its designations: the other VarietyTesting events fold into no record checked here.
    [
      a.VarietyTesting.toLowerCase(),
      {
        events: new Map(
          [...byTopic(VarietyTestingAbi)].filter(([, e]) => e.name === "VarietiesDesignated"),
        ),
        contract: "variety",
      },
    ],
  ]);
  const logs = await getLogs(
    rpc,
    [a.RicePurchase, a.TenderBoard, a.CredentialRegistry, a.VarietyTesting],
    deployment.startBlock,
    toBlock,
    progress,
  );
  const blocks = [...new Set(logs.map((l) => BigInt(l.blockNumber)))].sort((x, y) =>
    x < y ? -1 : x > y ? 1 : 0,
  );
  const times = await blockTimes(rpc, blocks, progress);
  const decoded: Decoded[] = [];
  const foldErrors: ChainRecords["foldErrors"] = [];
  for (const log of logs) {
    const source = abiOf.get(log.address.toLowerCase());
    if (source === undefined) continue;
    const blockNumber = BigInt(log.blockNumber);
    try {
      const item = source.events.get(log.topics[0] as Hex);
      if (item === undefined) {
        if (source.contract === "variety") continue; // an event of the draw or the tests
        throw new Error("unknown topic");
      }
      const d = decodeEventLog({
        abi: [item],
        data: log.data as Hex,
        topics: log.topics as [Hex, ...Hex[]],
        strict: true,
      });
      const blockTime = times.get(blockNumber);
      decoded.push({
        contract: source.contract,
        event: {
          ...d,
          blockNumber,
          logIndex: Number(log.logIndex),
          transactionHash: log.transactionHash as Hex,
          ...(blockTime === undefined ? {} : { blockTime }),
          // The ABI is picked by address at run time: its static event type is the one we picked.
        } as unknown as Decoded["event"],
      });
    } catch {
      foldErrors.push({
        record: `log ${Number(blockNumber)}/${Number(log.logIndex)}`,
        message: `undecodable log of ${source.contract} (is the SDK's ABI the deployed one?)`,
      });
    }
  }
  // Chain order, whatever order the node answered in.
  decoded.sort((x, y) =>
    x.event.blockNumber === y.event.blockNumber
      ? x.event.logIndex - y.event.logIndex
      : x.event.blockNumber < y.event.blockNumber
        ? -1
        : 1,
  );
  progress("decoding logs", decoded.length, logs.length);
  const records: ChainRecords = {
    programmes: new Map(),
    sales: new Map(),
    tenders: new Map(),
    credentials: new Map(),
    counties: new Map(),
    events: decoded.length,
    foldErrors,
  };
  const fold = <K, R>(map: Map<K, R>, key: K, label: string, apply: (old: R | undefined) => R) => {
    try {
      map.set(key, apply(map.get(key)));
    } catch (error) {
      foldErrors.push({ record: label, message: (error as Error).message });
    }
  };
  for (const { contract, event } of decoded) {
    if (contract === "rice") {
      const e = event as RiceEvent;
      if (isProgrammeEvent(e)) {
        const id = (e.args as { programId: number }).programId;
        // This fold owns its records (only the last state is kept): quotas and allocations are
        // updated in place, not copied per event.
        fold(records.programmes, id, `programme ${id}`, (p) => applyProgrammeEventOwned(p, e));
      } else if (isSaleEvent(e)) {
        const id = (e.args as { saleId: bigint }).saleId;
        fold(records.sales, id, `sale ${id}`, (s) => applySaleEvent(s, e));
      }
    } else if (contract === "variety") {
      const { programId, region, varieties } = (
        event as unknown as { args: { programId: number; region: number; varieties: VarietyPair } }
      ).args;
      records.counties.set(countyKeyOf(programId, region), [varieties[0], varieties[1]]);
    } else if (contract === "tender") {
      const e = event as TenderEvent;
      const id = (e.args as { tenderId: bigint }).tenderId;
      fold(records.tenders, id, `tender ${id}`, (t) => applyTenderEvent(t, e));
    } else {
      const e = event as CredentialEvent;
      const id = credentialIdOf(e);
      if (id !== undefined)
        fold(records.credentials, id, `credential ${id}`, (c) => applyCredentialEvent(c, e));
    }
  }
  progress("folding events", decoded.length, decoded.length);
  return records;
}
