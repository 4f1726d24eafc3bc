/**
 * The browser's own rebuild of a record (loaded only when the auditor asks): every log of the
 * record read from the auditor's node with `eth_getLogs` (its id as topic 1, from the deployment
 * block, ranges halved when the node refuses one), decoded with the SDK ABIs, folded by the SDK
 * reducers (the same rules as `npm run verify` and the indexer), turned into the API's field names
 * by sdk/reducers/view.ts and compared with what the server answered, both ways.
 */
import { type Abi, type AbiEvent, decodeEventLog, type Hex, toEventSelector } from "viem";
import { findDeployment } from "../../../sdk/deployments.ts";
import {
  CredentialRegistryAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  VarietyTestingAbi,
} from "../../../sdk/generated/abis.ts";
import type { JsonRpcLog } from "../../../sdk/reducers/event.ts";
import {
  apiFields,
  type CredentialEvent,
  canonical,
  compareFields,
  credentialFields,
  credentialIdOf,
  credentialLineOf,
  credentialStatus,
  type FieldMismatch,
  type Fields,
  FoldError,
  foldCredential,
  foldProgramme,
  foldSale,
  foldTender,
  isProgrammeEvent,
  isSaleEvent,
  isTenderEvent,
  programmeFields,
  type RiceEvent,
  recomputeDraw,
  saleFields,
  type TenderEvent,
  tenderFields,
} from "../../../sdk/reducers/index.ts";
import { countyKeyOf, type VarietyPair } from "../../../sdk/variety.ts";
import type { Json } from "../api/client.ts";
import { type NodeInfo, NodeProblem, nodeCall, quantity } from "./audit-node.ts";

export type AuditKind = "sale" | "programme" | "tender" | "credential";

/** What the comparison found: how many fields and events, and each difference. */
export interface AuditResult {
  readonly compared: number;
  readonly events: number;
  readonly mismatches: FieldMismatch[];
}

/** The contracts the rebuild reads, and the block their logs start at. */
export interface AuditContracts {
  readonly chainId: number;
  readonly RicePurchase?: string;
  readonly TenderBoard?: string;
  readonly CredentialRegistry?: string;
  /** Where counties designate varieties; without it a sale is judged by its programme's. */
  readonly VarietyTesting?: string;
}

const selectorsOf = (abi: Abi, keep: (name: string) => boolean) =>
  new Map(
    abi
      .filter((i): i is AbiEvent => i.type === "event" && keep(i.name))
      .map((i) => [toEventSelector(i), i] as const),
  );

/**
 * The contracts to read: the SDK's recorded deployment for the chain when there is one (never
 * the server's word), else the addresses the portal's server names.
 */
export function contractsOf(cfg: {
  chainId: number;
  contracts: Record<string, string>;
}): AuditContracts {
  const known = findDeployment(cfg.chainId)?.addresses;
  return { chainId: cfg.chainId, ...cfg.contracts, ...(known ?? {}) };
}

const pad = (v: bigint) => `0x${v.toString(16).padStart(64, "0")}` as Hex;
const padAddress = (a: string) => `0x${a.slice(2).toLowerCase().padStart(64, "0")}` as Hex;
const hexBlock = (n: bigint) => `0x${n.toString(16)}`;

/** The first block to read: the SDK's recorded deployment, else the chain's start. */
export function startBlockOf(chainId: number): bigint {
  return BigInt(findDeployment(chainId)?.startBlock ?? 0);
}

/**
 * `eth_getLogs` over [from, to], halving a range the node refuses (nodes cap ranges and
 * results); every answer checked for shape before it is decoded.
 */
export async function getLogsChunked(
  node: NodeInfo,
  filter: { address: string; topics: (Hex | Hex[] | null)[] },
  from: bigint,
  to: bigint,
): Promise<JsonRpcLog[]> {
  const out: JsonRpcLog[] = [];
  let span = to - from + 1n;
  let start = from;
  while (start <= to) {
    const end = start + span - 1n < to ? start + span - 1n : to;
    let logs: unknown;
    try {
      logs = await nodeCall<unknown>(node.url, "eth_getLogs", [
        { ...filter, fromBlock: hexBlock(start), toBlock: hexBlock(end) },
      ]);
    } catch (error) {
      if (!(error instanceof NodeProblem) || error.kind !== "rpc" || span === 1n) throw error;
      span = span / 2n > 0n ? span / 2n : 1n;
      continue;
    }
    if (!Array.isArray(logs)) throw new NodeProblem("garbage", node.host);
    for (const l of logs as JsonRpcLog[]) {
      if (
        l === null ||
        typeof l !== "object" ||
        !Array.isArray(l.topics) ||
        typeof l.data !== "string" ||
        typeof l.transactionHash !== "string"
      )
        throw new NodeProblem("garbage", node.host);
      out.push(l);
    }
    start = end + 1n;
  }
  return out;
}

/** Decodes logs with the events of `abi` (unknown topics are left out), in chain order. */
function decodeLogs<E>(node: NodeInfo, logs: JsonRpcLog[], events: Map<Hex, AbiEvent>): E[] {
  const out: (E & { blockNumber: bigint; logIndex: number })[] = [];
  for (const log of logs) {
    const item = events.get(log.topics[0] as Hex);
    if (item === undefined) continue;
    let d: ReturnType<typeof decodeEventLog>;
    try {
      d = decodeEventLog({
        abi: [item],
        data: log.data as Hex,
        topics: log.topics as [Hex, ...Hex[]],
        strict: true,
      });
    } catch {
      throw new NodeProblem("garbage", node.host);
    }
    out.push({
      ...d,
      blockNumber: quantity(node.host, log.blockNumber),
      logIndex: Number(quantity(node.host, log.logIndex)),
      transactionHash: log.transactionHash as Hex,
    } as unknown as E & { blockNumber: bigint; logIndex: number });
  }
  return out.sort((a, b) =>
    a.blockNumber === b.blockNumber
      ? a.logIndex - b.logIndex
      : a.blockNumber < b.blockNumber
        ? -1
        : 1,
  );
}

/** Block times of the events' blocks (a record has few), six requests at a time. */
async function withBlockTimes<E extends { blockNumber: bigint }>(
  node: NodeInfo,
  events: E[],
): Promise<E[]> {
  const blocks = [...new Set(events.map((e) => e.blockNumber))];
  const times = new Map<bigint, number>();
  for (let i = 0; i < blocks.length; i += 6) {
    await Promise.all(
      blocks.slice(i, i + 6).map(async (b) => {
        const block = await nodeCall<{ timestamp?: string } | null>(
          node.url,
          "eth_getBlockByNumber",
          [hexBlock(b), false],
        );
        if (block === null) throw new NodeProblem("garbage", node.host);
        times.set(b, Number(quantity(node.host, block.timestamp)));
      }),
    );
  }
  return events.map((e) => ({ ...e, blockTime: times.get(e.blockNumber) }));
}

const RICE_SALE = selectorsOf(RicePurchaseAbi as Abi, (n) => isSaleEvent({ eventName: n }));
const RICE_PROGRAMME = selectorsOf(RicePurchaseAbi as Abi, (n) =>
  isProgrammeEvent({ eventName: n }),
);
const PROGRAMME_OWN = new Set(["ProgramCreated", "FinalPricesProposed", "FinalPricesSet"]);
const TENDER = selectorsOf(TenderBoardAbi as Abi, (n) => isTenderEvent({ eventName: n }));
const CREDENTIAL = selectorsOf(CredentialRegistryAbi as Abi, (n) =>
  ["CredentialIssued", "CredentialRevoked", "SuccessorNamed"].includes(n),
);
const ISSUED = selectorsOf(CredentialRegistryAbi as Abi, (n) => n === "CredentialIssued");

function need(address: string | undefined, name: string): string {
  if (address === undefined || !/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new Error(`${name} 계약의 주소를 알 수 없습니다`);
  return address;
}

async function readRecordEvents<E>(
  node: NodeInfo,
  address: string,
  events: Map<Hex, AbiEvent>,
  topics: (Hex | Hex[] | null)[],
): Promise<E[]> {
  const logs = await getLogsChunked(
    node,
    { address, topics: [[...events.keys()], ...topics] },
    startBlockOf(node.chainId),
    node.head,
  );
  return decodeLogs<E>(node, logs, events);
}

const DESIGNATED = selectorsOf(VarietyTestingAbi as Abi, (n) => n === "VarietiesDesignated");

/** The varieties the sale's county designated for the programme, if it named any. */
async function countyAt(
  node: NodeInfo,
  c: AuditContracts,
  programId: number,
  region: number,
): Promise<VarietyPair | undefined> {
  if (c.VarietyTesting === undefined) return undefined;
  const events = await readRecordEvents<{ args: { varieties: VarietyPair } }>(
    node,
    need(c.VarietyTesting, "VarietyTesting"),
    DESIGNATED,
    [pad(BigInt(programId)), pad(BigInt(region))],
  );
  const last = events.at(-1)?.args.varieties;
  return last === undefined ? undefined : [last[0], last[1]];
}

async function programmeAt(node: NodeInfo, c: AuditContracts, id: number, timed: boolean) {
  const events = await readRecordEvents<RiceEvent>(
    node,
    need(c.RicePurchase, "RicePurchase"),
    RICE_PROGRAMME,
    [pad(BigInt(id))],
  );
  const own = events.filter((e) => (e.args as { programId?: number }).programId === id);
  if (!timed) return { events: own, programme: own.length > 0 ? foldProgramme(own) : undefined };
  // Block times only where the page shows them: the programme's own events.
  const timedOwn = await withBlockTimes(
    node,
    own.filter((e) => PROGRAMME_OWN.has(e.eventName)),
  );
  const merged = own.map(
    (e) => timedOwn.find((t) => t.blockNumber === e.blockNumber && t.logIndex === e.logIndex) ?? e,
  );
  return { events: merged, programme: merged.length > 0 ? foldProgramme(merged) : undefined };
}

/** What the chain says the record's fields are; null when the chain has no such record. */
async function chainFieldsOf(
  node: NodeInfo,
  contracts: AuditContracts,
  kind: AuditKind,
  id: bigint,
): Promise<{ fields: Fields[]; events: number; extra: FieldMismatch[] } | null> {
  const extra: FieldMismatch[] = [];
  try {
    if (kind === "sale") {
      const raw = await readRecordEvents<RiceEvent>(
        node,
        need(contracts.RicePurchase, "RicePurchase"),
        RICE_SALE,
        [pad(id)],
      );
      const own = raw.filter((e) => (e.args as { saleId?: bigint }).saleId === id);
      if (own.length === 0) return null;
      const events = await withBlockTimes(node, own);
      const sale = foldSale(events);
      const { programme } = await programmeAt(node, contracts, sale.programId, false);
      const county = await countyAt(node, contracts, sale.programId, sale.region);
      return { fields: [saleFields(sale, programme, county)], events: events.length, extra };
    }
    if (kind === "programme") {
      const { events, programme } = await programmeAt(node, contracts, Number(id), true);
      if (programme === undefined) return null;
      return { fields: [programmeFields(programme)], events: events.length, extra };
    }
    if (kind === "tender") {
      const board = need(contracts.TenderBoard, "TenderBoard");
      const raw = await readRecordEvents<TenderEvent>(node, board, TENDER, [pad(id)]);
      const own = raw.filter((e) => (e.args as { tenderId?: bigint }).tenderId === id);
      if (own.length === 0) return null;
      const events = await withBlockTimes(node, own);
      const tender = foldTender(events);
      let drawHash: Hex | undefined;
      if (tender.drawn !== null) {
        const block = await nodeCall<{ hash?: string } | null>(node.url, "eth_getBlockByNumber", [
          hexBlock(tender.drawn.drawBlock),
          false,
        ]);
        drawHash = (block?.hash ?? undefined) as Hex | undefined;
        if (drawHash !== undefined && drawHash.toLowerCase() !== tender.drawn.drawBlockHash)
          extra.push({
            field: "ReserveDrawn.drawBlockHash",
            api: tender.drawn.drawBlockHash.toLowerCase(),
            chain: drawHash.toLowerCase(),
          });
      }
      const draw = recomputeDraw(tender, node.chainId, board as Hex, drawHash);
      return { fields: [tenderFields(tender, draw)], events: events.length, extra };
    }
    const registry = need(contracts.CredentialRegistry, "CredentialRegistry");
    const raw = await readRecordEvents<CredentialEvent>(node, registry, CREDENTIAL, [pad(id)]);
    const own = raw.filter((e) => credentialIdOf(e) === id);
    if (own.length === 0) return null;
    const events = await withBlockTimes(node, own);
    const credential = foldCredential(events);
    // Superseded: a later serial of the same line (subject, role, region) issued on chain.
    const line = credentialLineOf(credential);
    const issued = await readRecordEvents<CredentialEvent>(node, registry, ISSUED, [
      null,
      padAddress(credential.subject),
    ]);
    let newest = credential.serial;
    for (const e of issued) {
      if (e.eventName !== "CredentialIssued") continue;
      const other = foldCredential([e]);
      if (credentialLineOf(other) === line && other.serial > newest) newest = other.serial;
    }
    const headBlock = await nodeCall<{ timestamp?: string } | null>(
      node.url,
      "eth_getBlockByNumber",
      [hexBlock(node.head), false],
    );
    const headTime = Number(quantity(node.host, headBlock?.timestamp));
    // The API reads the wall clock, the contract the block time: either status may stand.
    return {
      fields: [
        credentialFields(credential, credentialStatus(credential, newest, headTime)),
        credentialFields(
          credential,
          credentialStatus(credential, newest, Math.floor(Date.now() / 1000)),
        ),
      ],
      events: events.length,
      extra,
    };
  } catch (error) {
    // Events the reducers cannot fold are a finding about the chain data, not a crash.
    if (error instanceof FoldError)
      return { fields: [], events: 0, extra: [{ field: "(events)", api: null, chain: null }] };
    throw error;
  }
}

/**
 * Rebuilds the record `kind`/`id` from `node` and compares it with `record` (the server's
 * answer the page shows), field by field, and its history event by event.
 */
export async function auditRecord(
  node: NodeInfo,
  contracts: AuditContracts,
  kind: AuditKind,
  id: bigint,
  record: Json,
): Promise<AuditResult> {
  const chain = await chainFieldsOf(node, contracts, kind, id);
  if (chain === null)
    return {
      compared: 1,
      events: 0,
      mismatches: [{ field: "(record)", api: "exists", chain: undefined }],
    };
  const shown = apiFields(record);
  let best: FieldMismatch[] | undefined;
  let compared = 0;
  for (const expected of chain.fields) {
    const diffs = compareFields(shown, expected);
    if (best === undefined || diffs.length < best.length) {
      best = diffs;
      compared = expected.size;
    }
  }
  return {
    compared: compared + chain.extra.length,
    events: chain.events,
    mismatches: [...chain.extra, ...(best ?? [])],
  };
}

/** A record id from the page's address or the server's record (decimal or 0x). */
export function idOf(pageId: string): bigint {
  try {
    return BigInt(pageId);
  } catch {
    throw new Error(`기록 번호가 올바르지 않습니다: ${pageId}`);
  }
}

/**
 * The account page: the credentials issued to `address` and the sales it submitted, as the chain
 * has them, against the lists the server showed (ids both ways; each shown record's fields).
 */
export async function auditAccount(
  node: NodeInfo,
  contracts: AuditContracts,
  address: string,
  shown: { credentials: Json[]; sales: Json[]; salesComplete: boolean },
): Promise<AuditResult> {
  const mismatches: FieldMismatch[] = [];
  let compared = 0;
  let events = 0;
  const registry = need(contracts.CredentialRegistry, "CredentialRegistry");
  const subject = padAddress(address);
  // Issued and revoked both carry the subject as topic 2.
  const credEvents = await readRecordEvents<CredentialEvent>(node, registry, CREDENTIAL, [
    null,
    subject,
  ]);
  events += credEvents.length;
  const byCred = new Map<string, CredentialEvent[]>();
  for (const e of credEvents) {
    const credId = credentialIdOf(e);
    if (e.eventName === "SuccessorNamed" || credId === undefined) continue;
    const key = credId.toString();
    byCred.set(key, [...(byCred.get(key) ?? []), e]);
  }
  const chainCreds = new Map(
    [...byCred].flatMap(([k, evs]) => {
      try {
        return [[k, foldCredential(evs)] as const];
      } catch {
        return [];
      }
    }),
  );
  const shownCreds = new Map(shown.credentials.map((c) => [BigInt(String(c.id)).toString(), c]));
  for (const [key, c] of chainCreds) {
    compared++;
    const api = shownCreds.get(key);
    if (api === undefined) {
      mismatches.push({ field: `credentials[${key}]`, api: undefined, chain: "exists" });
      continue;
    }
    const chainF = credentialFields(c, c.revoked ? "revoked" : "valid");
    const apiF = apiFields(api);
    for (const f of ["role", "region", "revoked", "subject", "issuer"]) {
      if (!apiF.has(f)) continue;
      compared++;
      if (apiF.get(f) !== chainF.get(f))
        mismatches.push({
          field: `credentials[${key}].${f}`,
          api: apiF.get(f),
          chain: chainF.get(f),
        });
    }
  }
  for (const key of shownCreds.keys())
    if (!chainCreds.has(key))
      mismatches.push({ field: `credentials[${key}]`, api: "exists", chain: undefined });

  const rice = need(contracts.RicePurchase, "RicePurchase");
  const submitted = selectorsOf(RicePurchaseAbi as Abi, (n) => n === "SaleSubmitted");
  // SaleSubmitted carries the farmer as topic 3.
  const subs = await readRecordEvents<RiceEvent>(node, rice, submitted, [null, null, subject]);
  const ids = subs.map((e) => (e.args as { saleId: bigint }).saleId);
  const saleEvents =
    ids.length === 0
      ? []
      : await readRecordEvents<RiceEvent>(node, rice, RICE_SALE, [ids.map((i) => pad(i))]);
  events += saleEvents.length;
  const bySale = new Map<string, RiceEvent[]>();
  for (const e of saleEvents) {
    const key = (e.args as { saleId: bigint }).saleId.toString();
    bySale.set(key, [...(bySale.get(key) ?? []), e]);
  }
  const programmes = new Map<number, Awaited<ReturnType<typeof programmeAt>>["programme"]>();
  const counties = new Map<string, VarietyPair | undefined>();
  const shownSales = new Map(shown.sales.map((s) => [BigInt(String(s.id)).toString(), s]));
  for (const [key, evs] of bySale) {
    compared++;
    const api = shownSales.get(key);
    if (api === undefined) {
      if (shown.salesComplete)
        mismatches.push({ field: `sales[${key}]`, api: undefined, chain: "exists" });
      continue;
    }
    let sale: ReturnType<typeof foldSale>;
    try {
      sale = foldSale(evs);
    } catch {
      mismatches.push({ field: `sales[${key}]`, api: "exists", chain: null });
      continue;
    }
    if (!programmes.has(sale.programId))
      programmes.set(
        sale.programId,
        (await programmeAt(node, contracts, sale.programId, false)).programme,
      );
    const countyKey = countyKeyOf(sale.programId, sale.region);
    if (!counties.has(countyKey))
      counties.set(countyKey, await countyAt(node, contracts, sale.programId, sale.region));
    const chainF = saleFields(sale, programmes.get(sale.programId), counties.get(countyKey));
    const apiF = apiFields(api);
    // A list row carries fewer fields than the record page: those it carries, and no times.
    for (const [f, v] of chainF) {
      if (!apiF.has(f) || /At$|blockTime|^provenance|^history|^payments/.test(f)) continue;
      compared++;
      if (apiF.get(f) !== v)
        mismatches.push({ field: `sales[${key}].${f}`, api: apiF.get(f), chain: v });
    }
  }
  for (const key of shownSales.keys())
    if (!bySale.has(key))
      mismatches.push({ field: `sales[${key}]`, api: "exists", chain: undefined });
  return { compared, events, mismatches };
}

/** A transaction's logs as the page showed them. */
export interface ShownLog {
  readonly index: number;
  readonly address: string;
  readonly event: string;
  readonly args: unknown;
}

const plain = (v: unknown): unknown =>
  typeof v === "bigint"
    ? v.toString()
    : Array.isArray(v)
      ? v.map(plain)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
        : typeof v === "string" && /^0x/.test(v)
          ? v.toLowerCase()
          : v;

/**
 * The transaction page: its block, status and every log (contract, event, arguments) as shown,
 * against the receipt the auditor's node gives.
 */
export async function auditTx(
  node: NodeInfo,
  hash: string,
  shown: { blockNumber: bigint; status: string; logs: ShownLog[] },
): Promise<AuditResult> {
  const receipt = await nodeCall<{
    blockNumber?: string;
    status?: string;
    logs?: JsonRpcLog[];
  } | null>(node.url, "eth_getTransactionReceipt", [hash]);
  if (receipt === null)
    return {
      compared: 1,
      events: 0,
      mismatches: [{ field: "(record)", api: "exists", chain: undefined }],
    };
  if (!Array.isArray(receipt.logs)) throw new NodeProblem("garbage", node.host);
  const mismatches: FieldMismatch[] = [];
  let compared = 0;
  const check = (field: string, api: unknown, chain: unknown) => {
    compared++;
    const a = canonical(plain(api));
    const c = canonical(plain(chain));
    if (a !== c) mismatches.push({ field, api: a, chain: c });
  };
  check("blockNumber", shown.blockNumber.toString(), quantity(node.host, receipt.blockNumber));
  check("txStatus", shown.status, receipt.status === "0x1" ? "success" : "reverted");
  check("logs.length", shown.logs.length, receipt.logs.length);
  const all = new Map<Hex, AbiEvent>();
  for (const abi of [RicePurchaseAbi, TenderBoardAbi, CredentialRegistryAbi] as Abi[])
    for (const [k, v] of selectorsOf(abi, () => true)) all.set(k, v);
  for (const log of receipt.logs) {
    const index = Number(quantity(node.host, log.logIndex));
    const mine = shown.logs.find((l) => l.index === index);
    if (mine === undefined) {
      mismatches.push({ field: `logs[${index}]`, api: undefined, chain: "exists" });
      continue;
    }
    check(`logs[${index}].address`, mine.address, log.address);
    const item = all.get(log.topics[0] as Hex);
    if (item === undefined) continue;
    let d: ReturnType<typeof decodeEventLog>;
    try {
      d = decodeEventLog({
        abi: [item],
        data: log.data as Hex,
        topics: log.topics as [Hex, ...Hex[]],
      });
    } catch {
      throw new NodeProblem("garbage", node.host);
    }
    check(`logs[${index}].event`, mine.event, d.eventName);
    for (const [k, v] of Object.entries((d.args ?? {}) as Record<string, unknown>))
      check(`logs[${index}].${k}`, (mine.args as Record<string, unknown> | null)?.[k], v);
  }
  for (const l of shown.logs)
    if (!receipt.logs.some((r) => Number(r.logIndex) === l.index))
      mismatches.push({ field: `logs[${l.index}]`, api: "exists", chain: undefined });
  return { compared, events: receipt.logs.length, mismatches };
}
