/**
 * Turns raw logs of the jangbu contracts into {@link EventRecord}s using the ABIs from `sdk/`
 * (never re-declared here). A log from a jangbu address that matches no event of its contract's
 * ABI is a {@link NonRetryableError}: the deployment and the SDK disagree, and guessing would
 * write wrong records.
 */
import {
  type Abi,
  type AbiEvent,
  type Address,
  decodeEventLog,
  getAddress,
  type Hex,
  toEventSelector,
} from "viem";
import * as sdkAbis from "../../../sdk/generated/abis.ts";
import type { IndexedContractName } from "../../../sdk/index.ts";
import { NonRetryableError } from "../internal/errors.ts";
import type { RawLog } from "../rpc/actions.ts";

/** JSON-safe event arguments: integers that may exceed 2^53 as decimal strings, addresses checksummed. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
export type EventArgs = Readonly<Record<string, JsonValue>>;

export type EventRecord = {
  /** Global order: `blockNumber * 2^20 + logIndex`; also the SSE event id. */
  readonly pos: number;
  readonly chainId: number;
  readonly blockNumber: number;
  readonly blockHash: Hex;
  /** Block timestamp, unix seconds. */
  readonly blockTime: number;
  readonly txHash: Hex;
  readonly txIndex: number;
  readonly logIndex: number;
  readonly address: Address;
  readonly contract: IndexedContractName;
  readonly event: string;
  readonly args: EventArgs;
  /** The ERC-2771 actor: the event's actor field, else the transaction's (forwarded) sender. */
  signer: Address | null;
};

export const LOG_INDEX_BITS = 2 ** 20;
export const positionOf = (blockNumber: number, logIndex: number) =>
  blockNumber * LOG_INDEX_BITS + logIndex;
export const blockOfPosition = (pos: number) => Math.floor(pos / LOG_INDEX_BITS);

/** Argument names that carry the acting account, most specific first. */
const ACTOR_FIELDS = [
  "official",
  "inspector",
  "farmer",
  "bidder",
  "supplier",
  "winner",
  "acceptor",
  // IssuerSet names the issuer it changes and the admin who acts: the admin is the actor.
  "admin",
  "issuer",
  "revoker",
  "signer",
  "sender",
] as const;

/**
 * Events whose address arguments name whom the act concerns, not who acted. A sale's cancel and
 * dispute name the farm the sale belongs to (`farmer`, the old address for an old sale), but the
 * successor the registry named after a lost key may be the one acting (RicePurchase
 * `_requireFarmActor`). Their actor is found like that of an event without an actor argument: the
 * forwarded request's signer, else the transaction's sender.
 */
const ACTOR_NOT_IN_ARGS: ReadonlySet<string> = new Set([
  "RicePurchase.SaleCancelled",
  "RicePurchase.SaleDisputed",
  // Names the excluded farm; the inspector who recorded the result acted.
  "VarietyTesting.FarmExclusionRecorded",
]);

/** The ABI of each contract the indexer reads, from `sdk/generated/abis.ts`. */
export function contractAbis(): Partial<Record<IndexedContractName, Abi>> {
  const all = sdkAbis as unknown as Record<string, Abi | undefined>;
  const out: Partial<Record<IndexedContractName, Abi>> = {};
  for (const name of [
    "CredentialRegistry",
    "RicePurchase",
    "TenderBoard",
    "FarmGatePrices",
    "VarietyTesting",
    "JangbuForwarder",
    "PasskeyAccountFactory",
  ] as const) {
    const abi = all[`${name}Abi`];
    if (abi !== undefined) out[name] = abi;
  }
  return out;
}

export function toJson(value: unknown): JsonValue {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (typeof value === "string")
    return /^0x[0-9a-fA-F]{40}$/.test(value) ? getAddress(value) : value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object" && value !== undefined) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return null;
}

/**
 * Checksummed addresses by lower-case hex. viem's getAddress keeps its own LRU cache, but that
 * cache's `get` moves the entry on every hit (a Map delete and set): measured at 0.5 s of CPU in a
 * 100,000-event backfill, more than the decoding itself. A plain Map, emptied when large, costs a
 * lookup. Only for lower-case input or output of a decoder (no checksum to verify).
 */
const checksums = new Map<string, Address>();
function checksummed(lowerHex: string): Address {
  let address = checksums.get(lowerHex);
  if (address === undefined) {
    if (checksums.size >= 100_000) checksums.clear();
    address = getAddress(lowerHex);
    checksums.set(lowerHex, address);
  }
  return address;
}

/** Reads one argument from the 64-hex-digit words of a log (topics or data) at `at`. */
type ArgReader = { readonly words: number; read(words: readonly string[], at: number): JsonValue };

const ZERO_HIGH = "0".repeat(52);

/**
 * A reader for a static ABI type (uintN, address, bool, bytesN and fixed arrays of them) giving
 * exactly what `toJson(decodeEventLog(...))` gives: uintN up to 48 bits as numbers, wider ones as
 * decimal strings, addresses (and any 20-byte value) checksummed. Undefined for other types
 * (string, bytes, intN, dynamic arrays, tuples): those events go through viem.
 */
function staticReader(type: string): ArgReader | undefined {
  const array = /^(.*)\[(\d+)\]$/.exec(type);
  if (array !== null) {
    const inner = staticReader(array[1] as string);
    const length = Number(array[2]);
    if (inner === undefined || length === 0) return undefined;
    return {
      words: inner.words * length,
      read(words, at) {
        const out: JsonValue[] = [];
        for (let i = 0; i < length; i++) out.push(inner.read(words, at + i * inner.words));
        return out;
      },
    };
  }
  const uint = /^uint(\d*)$/.exec(type);
  if (uint !== null) {
    const bits = Number(uint[1] || 256);
    return {
      words: 1,
      read: (words, at) => {
        const word = words[at] as string;
        if (bits > 48) return BigInt(`0x${word}`).toString();
        // viem reads the whole word: a value with high bits set is not this fast path's to judge.
        if (!word.startsWith(ZERO_HIGH)) throw new RangeError("uint out of range");
        return Number.parseInt(word.slice(52), 16);
      },
    };
  }
  if (type === "address")
    return { words: 1, read: (words, at) => checksummed(`0x${(words[at] as string).slice(24)}`) };
  if (type === "bool") {
    return {
      words: 1,
      read: (words, at) => {
        const word = words[at] as string;
        if (word === "0".repeat(64)) return false;
        if (word === `${"0".repeat(63)}1`) return true;
        throw new RangeError("bool out of range");
      },
    };
  }
  const bytes = /^bytes(\d+)$/.exec(type);
  if (bytes !== null) {
    const size = Number(bytes[1]);
    return {
      words: 1,
      read: (words, at) => toJson(`0x${(words[at] as string).slice(0, size * 2)}`),
    };
  }
  return undefined;
}

/** Splits `0x…` into 64-digit lower-case words (undefined when not whole words). */
function wordsOf(hex: string): string[] | undefined {
  const body = hex.slice(2).toLowerCase();
  if (body.length % 64 !== 0) return undefined;
  const words: string[] = [];
  for (let i = 0; i < body.length; i += 64) words.push(body.slice(i, i + 64));
  return words;
}

/**
 * A fast decoder for an event whose arguments are all static and named, giving the same object
 * (same keys, same order: indexed arguments first, as viem builds it) as
 * `toJson(decodeEventLog({ abi: [item], strict: true, ... }).args)`. Undefined when the event has
 * another shape, or returns undefined for a log it cannot read (viem then decides, and throws).
 */
export function compileStaticEvent(
  item: AbiEvent,
): ((topics: readonly Hex[], data: Hex) => Record<string, JsonValue> | undefined) | undefined {
  if (item.anonymous === true) return undefined;
  const indexed: { name: string; reader: ArgReader }[] = [];
  const plain: { name: string; reader: ArgReader }[] = [];
  for (const input of item.inputs) {
    const reader = staticReader(input.type);
    if (reader === undefined || input.name === undefined || input.name === "") return undefined;
    if (input.indexed === true && reader.words !== 1) return undefined;
    (input.indexed === true ? indexed : plain).push({ name: input.name, reader });
  }
  const dataWords = plain.reduce((n, p) => n + p.reader.words, 0);
  return (topics, data) => {
    if (topics.length !== indexed.length + 1) return undefined;
    const words = wordsOf(data);
    if (words === undefined || words.length < dataWords) return undefined;
    const args: Record<string, JsonValue> = {};
    try {
      for (let i = 0; i < indexed.length; i++) {
        const topic = wordsOf(topics[i + 1] as Hex);
        if (topic === undefined || topic.length !== 1) return undefined;
        const { name, reader } = indexed[i] as { name: string; reader: ArgReader };
        args[name] = reader.read(topic, 0);
      }
      let at = 0;
      for (const { name, reader } of plain) {
        args[name] = reader.read(words, at);
        at += reader.words;
      }
    } catch {
      return undefined;
    }
    return args;
  };
}

export type Decoder = {
  /** Decodes one log of a watched address; throws NonRetryableError when it cannot. */
  decode(log: RawLog, blockTime: number): EventRecord;
  /** The watched addresses, lower-case. */
  readonly addresses: readonly Address[];
  contractAt(address: Address): IndexedContractName | undefined;
};

export type CreateDecoderParameters = {
  chainId: number;
  /** The deployed address of each contract to index. */
  addresses: Partial<Record<IndexedContractName, Address>>;
};

export const createDecoder = ({ chainId, addresses }: CreateDecoderParameters): Decoder => {
  const abis = contractAbis();
  const byAddress = new Map<
    string,
    {
      name: IndexedContractName;
      events: Map<string, AbiEvent>;
      /** Per event selector, the fast decoder of an all-static event (else undefined). */
      fast: Map<string, ReturnType<typeof compileStaticEvent>>;
    }
  >();
  for (const [name, address] of Object.entries(addresses) as [IndexedContractName, Address][]) {
    const abi = abis[name];
    if (abi === undefined) {
      throw new NonRetryableError(
        `sdk/generated/abis.ts has no ABI for ${name}: run npm run gen:sdk`,
      );
    }
    const events = new Map<string, AbiEvent>();
    const fast = new Map<string, ReturnType<typeof compileStaticEvent>>();
    for (const item of abi) {
      if (item.type !== "event") continue;
      const selector = toEventSelector(item);
      events.set(selector, item);
      fast.set(selector, compileStaticEvent(item));
    }
    byAddress.set(address.toLowerCase(), { name, events, fast });
  }

  return {
    addresses: [...byAddress.keys()] as Address[],
    contractAt: (address) => byAddress.get(address.toLowerCase())?.name,
    decode(log, blockTime) {
      const contract = byAddress.get(log.address.toLowerCase());
      const where = {
        block: log.blockNumber,
        tx: log.transactionHash,
        logIndex: log.logIndex,
        address: log.address,
      };
      if (contract === undefined) {
        throw new NonRetryableError(`log from an address the indexer does not watch`, {
          details: where,
        });
      }
      const topic0 = log.topics[0];
      const item = topic0 === undefined ? undefined : contract.events.get(topic0);
      if (item === undefined) {
        throw new NonRetryableError(
          `undecodable log from ${contract.name}: topic ${topic0 ?? "(none)"} is no event of its ABI (is sdk/generated/abis.ts up to date with the deployment?)`,
          { details: where },
        );
      }
      if (log.logIndex >= LOG_INDEX_BITS) {
        throw new NonRetryableError(`log index ${log.logIndex} too large`, { details: where });
      }
      let args = contract.fast.get(topic0 as string)?.(log.topics, log.data);
      if (args === undefined) {
        let decoded: { args?: unknown };
        try {
          decoded = decodeEventLog({
            abi: [item],
            data: log.data,
            topics: log.topics as [Hex, ...Hex[]],
            strict: true,
          });
        } catch (error) {
          throw new NonRetryableError(`undecodable ${contract.name}.${item.name} log`, {
            details: where,
            cause: error,
          });
        }
        args = (toJson(decoded.args ?? {}) ?? {}) as Record<string, JsonValue>;
      }
      let signer: Address | null = null;
      const actorInArgs = !ACTOR_NOT_IN_ARGS.has(`${contract.name}.${item.name}`);
      for (const field of actorInArgs ? ACTOR_FIELDS : []) {
        const v = args[field];
        if (typeof v === "string" && v.startsWith("0x") && v.length === 42) {
          signer = v as Address;
          break;
        }
      }
      return {
        pos: positionOf(log.blockNumber, log.logIndex),
        chainId,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        blockTime,
        txHash: log.transactionHash,
        txIndex: log.transactionIndex,
        logIndex: log.logIndex,
        address: checksummed(log.address.toLowerCase()),
        contract: contract.name,
        event: item.name,
        args,
        signer,
      };
    },
  };
};
