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
import type { ContractName } from "../../../sdk/index.ts";
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
  readonly contract: ContractName;
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
]);

/** The ABI of each contract the indexer reads, from `sdk/generated/abis.ts`. */
export function contractAbis(): Partial<Record<ContractName, Abi>> {
  const all = sdkAbis as unknown as Record<string, Abi | undefined>;
  const out: Partial<Record<ContractName, Abi>> = {};
  for (const name of [
    "CredentialRegistry",
    "RicePurchase",
    "TenderBoard",
    "JangbuForwarder",
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

export type Decoder = {
  /** Decodes one log of a watched address; throws NonRetryableError when it cannot. */
  decode(log: RawLog, blockTime: number): EventRecord;
  /** The watched addresses, lower-case. */
  readonly addresses: readonly Address[];
  contractAt(address: Address): ContractName | undefined;
};

export type CreateDecoderParameters = {
  chainId: number;
  /** The deployed address of each contract to index. */
  addresses: Partial<Record<ContractName, Address>>;
};

export const createDecoder = ({ chainId, addresses }: CreateDecoderParameters): Decoder => {
  const abis = contractAbis();
  const byAddress = new Map<string, { name: ContractName; events: Map<string, AbiEvent> }>();
  for (const [name, address] of Object.entries(addresses) as [ContractName, Address][]) {
    const abi = abis[name];
    if (abi === undefined) {
      throw new NonRetryableError(
        `sdk/generated/abis.ts has no ABI for ${name}: run npm run gen:sdk`,
      );
    }
    const events = new Map<string, AbiEvent>();
    for (const item of abi) {
      if (item.type === "event") events.set(toEventSelector(item), item);
    }
    byAddress.set(address.toLowerCase(), { name, events });
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
      const args = (toJson(decoded.args ?? {}) ?? {}) as Record<string, JsonValue>;
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
        address: getAddress(log.address),
        contract: contract.name,
        event: item.name,
        args,
        signer,
      };
    },
  };
};
