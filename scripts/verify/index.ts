/**
 * `npm run verify`'s work: rebuild every record from the chain (scripts/verify/chain.ts), re-derive
 * every figure with the SDK's rules, and diff the API both ways: every chain record must be in the
 * API with the same fields (its list entry and its detail page), and every API record on chain.
 */
import type { Address, Hex } from "viem";
import { type Deployment, findDeployment } from "../../sdk/deployments.ts";
import {
  apiFields,
  compareFields,
  credentialFields,
  credentialLineOf,
  credentialStatus,
  type Fields,
  gradePricesOf,
  programmeFields,
  recomputeDraw,
  saleFields,
  tenderFields,
} from "../../sdk/reducers/index.ts";
import { countyKeyOf } from "../../sdk/variety.ts";
import { createApi, type Json } from "./api.ts";
import { type Progress, readChainRecords } from "./chain.ts";
import { VerifyInputError } from "./errors.ts";
import { createRpc } from "./rpc.ts";

export type RecordKind = "programme" | "sale" | "tender" | "credential" | "deployment";

/** One difference: which record, which field, what the API says and what the chain says. */
export interface Mismatch {
  readonly kind: RecordKind;
  readonly id: string;
  readonly field: string;
  /** null: the field is null; undefined: the API has no such field or record. */
  readonly api: string | null | undefined;
  readonly chain: string | null | undefined;
}

export interface VerifyReport {
  readonly chainId: number;
  /** The block compared: the API's indexed block (at most the node's head). */
  readonly block: number;
  /** The node's head when the run started: a block far above `block` means a lagging API. */
  readonly head: number;
  readonly events: number;
  readonly records: Record<"programmes" | "sales" | "tenders" | "credentials", number>;
  readonly apiRecords: Record<"programmes" | "sales" | "tenders" | "credentials", number>;
  readonly mismatches: Mismatch[];
  readonly seconds: number;
}

export interface VerifyOptions {
  rpcUrl: string;
  apiUrl: string;
  /** The deployment to check; default: the SDK's for the node's chain id. */
  deployment?: Deployment;
  progress?: Progress;
  /** Parallel API requests. */
  concurrency?: number;
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const num = (v: unknown, what: string, host: string): number => {
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    throw new VerifyInputError(`the API at ${host} answered no ${what} on /api/v1/status`);
  return v;
};

/**
 * Verifies the API against the chain. On a live chain the indexer may index new blocks while the
 * API is read, so answers can be newer than the block compared: when a run finds mismatches and
 * the API's indexed block moved meanwhile, it runs again at the newer block (at most 3 runs; the
 * last one's findings stand).
 */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  let report = await verifyAt(options);
  for (let run = 2; run <= 3 && report.mismatches.length > 0; run++) {
    const status = await createApi(options.apiUrl).get("/api/v1/status");
    if (status?.indexedBlock === report.block) break;
    report = await verifyAt(options);
  }
  return report;
}

async function verifyAt(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const progress = options.progress ?? (() => {});
  const rpc = createRpc(options.rpcUrl);
  const api = createApi(options.apiUrl);
  const rpcHost = new URL(options.rpcUrl).host;
  const apiHost = new URL(options.apiUrl).host;
  const chainIdHex = await rpc.call<string>("eth_chainId", []);
  const chainId = Number(chainIdHex);
  if (!Number.isSafeInteger(chainId))
    throw new VerifyInputError(`the node at ${rpcHost} answered no chain id`);
  const deployment = options.deployment ?? findDeployment(chainId);
  if (deployment === undefined)
    throw new VerifyInputError(
      `jangbu has no known deployment on chain ${chainId} (the node at ${rpcHost}): pass --deployment FILE`,
    );
  if (deployment.chainId !== chainId)
    throw new VerifyInputError(
      `the node at ${rpcHost} is chain ${chainId}, but the deployment is on chain ${deployment.chainId}`,
    );
  const status = await api.get("/api/v1/status");
  if (status === undefined)
    throw new VerifyInputError(`the API at ${apiHost} has no /api/v1/status`);
  const apiChainId = num(status.chainId, "chain id", apiHost);
  if (apiChainId !== chainId)
    throw new VerifyInputError(
      `the API at ${apiHost} indexes chain ${apiChainId}, but the node at ${rpcHost} is chain ${chainId}`,
    );
  const indexed = num(status.indexedBlock, "indexed block", apiHost);
  const head = Number(await rpc.call<string>("eth_blockNumber", []));
  const block = Math.min(indexed, head);
  const mismatches: Mismatch[] = [];
  const contracts = (status.contracts ?? {}) as Record<string, unknown>;
  for (const name of ["CredentialRegistry", "RicePurchase", "TenderBoard"] as const) {
    const claimed = contracts[name];
    if (String(claimed ?? "").toLowerCase() !== deployment.addresses[name].toLowerCase())
      mismatches.push({
        kind: "deployment",
        id: name,
        field: "address",
        api: claimed === undefined ? undefined : String(claimed),
        chain: deployment.addresses[name].toLowerCase(),
      });
  }

  const chain =
    block < deployment.startBlock
      ? undefined
      : await readChainRecords(rpc, deployment, block, progress);
  const programmes = chain?.programmes ?? new Map();
  const sales = chain?.sales ?? new Map();
  const tenders = chain?.tenders ?? new Map();
  const credentials = chain?.credentials ?? new Map();
  for (const f of chain?.foldErrors ?? [])
    mismatches.push({
      kind: "deployment",
      id: f.record,
      field: "(events)",
      api: undefined,
      chain: f.message,
    });

  const headTime = Number(
    (
      await rpc.call<{ timestamp: string } | null>("eth_getBlockByNumber", [
        `0x${block.toString(16)}`,
        false,
      ])
    )?.timestamp ?? 0,
  );

  // Every figure the chain itself publishes must equal its re-derivation from the inputs.
  for (const p of programmes.values()) {
    if (p.priceInputs === null || p.finalPrices === null) continue;
    const derived = gradePricesOf(p.priceInputs);
    for (const grade of ["special", "first", "second", "third"] as const)
      if (derived[grade] !== p.finalPrices[grade])
        mismatches.push({
          kind: "programme",
          id: String(p.id),
          field: `FinalPricesSet.${grade} (event vs re-derived)`,
          api: String(p.finalPrices[grade]),
          chain: String(derived[grade]),
        });
  }
  const draws = new Map<bigint, ReturnType<typeof recomputeDraw>>();
  const drawBlocks = [...tenders.values()].filter((t) => t.drawn !== null);
  const hashes = await rpc.batch<{ hash: Hex } | null>(
    drawBlocks.map((t) => ({
      method: "eth_getBlockByNumber",
      params: [`0x${(t.drawn?.drawBlock ?? 0n).toString(16)}`, false],
    })),
  );
  drawBlocks.forEach((t, i) => {
    const realHash = hashes[i]?.hash;
    const id = String(t.id);
    if (realHash !== undefined && realHash.toLowerCase() !== t.drawn?.drawBlockHash.toLowerCase())
      mismatches.push({
        kind: "tender",
        id,
        field: "ReserveDrawn.drawBlockHash (event vs the node's block)",
        api: t.drawn?.drawBlockHash ?? null,
        chain: realHash,
      });
    const draw = recomputeDraw(t, chainId, deployment.addresses.TenderBoard as Address, realHash);
    draws.set(t.id, draw);
    const d = t.drawn;
    if (draw === undefined || d === null) return;
    const internal: [string, unknown, unknown][] = [
      ["ReserveDrawn.finalSeed", d.finalSeed.toLowerCase(), draw.finalSeed.toLowerCase()],
      ["ReserveDrawn.candidates", d.candidates.join(","), draw.candidates.join(",")],
      ["ReserveDrawn.chosen", d.chosen.join(","), draw.chosen.join(",")],
      ["ReserveDrawn.reserve", d.reserve, draw.reserve],
      ["ReserveDrawn.floor", d.floor, draw.floor],
      [
        "outcome.winner",
        t.outcome?.winner?.toLowerCase() ?? null,
        draw.winner?.bidder.toLowerCase() ?? null,
      ],
    ];
    for (const [field, event, derived] of internal)
      if (String(event) !== String(derived))
        mismatches.push({
          kind: "tender",
          id,
          field: `${field} (event vs recomputed)`,
          api: String(event),
          chain: String(derived),
        });
  });

  // The newest serial of each credential line, and the status at the chain's and the API's clock.
  const newest = new Map<string, bigint>();
  for (const c of credentials.values()) {
    const line = credentialLineOf(c);
    if ((newest.get(line) ?? -1n) < c.serial) newest.set(line, c.serial);
  }

  const lists = {
    programmes: await api.list("/api/v1/programs", (n) => progress("listing programmes", n, n)),
    sales: await api.list("/api/v1/sales", (n) => progress("listing sales", n, n)),
    tenders: await api.list("/api/v1/tenders", (n) => progress("listing tenders", n, n)),
    credentials: await api.list("/api/v1/credentials", (n) =>
      progress("listing credentials", n, n),
    ),
  };

  type Check = {
    kind: RecordKind;
    id: string;
    path: string;
    expected: () => Fields;
    alt?: () => Fields;
  };
  const checks: Check[] = [];
  for (const p of programmes.values())
    checks.push({
      kind: "programme",
      id: String(p.id),
      path: `/api/v1/programs/${p.id}`,
      expected: () => programmeFields(p),
    });
  for (const s of sales.values())
    checks.push({
      kind: "sale",
      id: String(s.id),
      path: `/api/v1/sales/${s.id}`,
      expected: () =>
        saleFields(
          s,
          programmes.get(s.programId),
          chain?.counties.get(countyKeyOf(s.programId, s.region)),
        ),
    });
  for (const t of tenders.values())
    checks.push({
      kind: "tender",
      id: String(t.id),
      path: `/api/v1/tenders/${t.id}`,
      expected: () => tenderFields(t, draws.get(t.id)),
    });
  const wallNow = Math.floor(Date.now() / 1000);
  for (const c of credentials.values()) {
    const serial = newest.get(credentialLineOf(c)) ?? c.serial;
    checks.push({
      kind: "credential",
      id: String(c.id),
      path: `/api/v1/credentials/${c.id}`,
      expected: () => credentialFields(c, credentialStatus(c, serial, headTime)),
      // The API reads the wall clock, the contract the block time: between the two, either status.
      alt: () => credentialFields(c, credentialStatus(c, serial, wallNow)),
    });
  }

  const listed = new Map<string, Json>();
  const listKey = (kind: RecordKind, id: string) => `${kind}:${id}`;
  const idOf = (item: Json) => {
    try {
      return BigInt(String(item.id)).toString();
    } catch {
      return String(item.id);
    }
  };
  for (const [kind, items] of [
    ["programme", lists.programmes],
    ["sale", lists.sales],
    ["tender", lists.tenders],
    ["credential", lists.credentials],
  ] as const)
    for (const item of items) listed.set(listKey(kind, idOf(item)), item);

  const push = (
    kind: RecordKind,
    id: string,
    diffs: ReturnType<typeof compareFields>,
    where = "",
  ) => {
    for (const d of diffs)
      mismatches.push({ kind, id, field: `${where}${d.field}`, api: d.api, chain: d.chain });
  };
  let done = 0;
  await pool(checks, options.concurrency ?? 8, async (check) => {
    const detail = await api.get(check.path);
    const expected = check.expected();
    /** The expected fields a list entry carries (an object null on one side counts). */
    const carried = (api: Fields, fields: Fields) =>
      new Map(
        [...fields].filter(
          ([k]) => api.has(k) || [...api.keys()].some((a) => a.startsWith(`${k}.`)),
        ),
      );
    if (detail === undefined)
      mismatches.push({
        kind: check.kind,
        id: check.id,
        field: "(record)",
        api: undefined,
        chain: "on chain",
      });
    else {
      let diffs = compareFields(apiFields(detail), expected);
      if (diffs.length > 0 && check.alt !== undefined) {
        const alt = compareFields(apiFields(detail), check.alt());
        if (alt.length < diffs.length) diffs = alt;
      }
      push(check.kind, check.id, diffs);
    }
    const item = listed.get(listKey(check.kind, check.id));
    if (item === undefined)
      mismatches.push({
        kind: check.kind,
        id: check.id,
        field: "(list entry)",
        api: undefined,
        chain: "on chain",
      });
    else {
      // A list entry carries fewer fields than the detail page: compare those it carries.
      const itemFields = apiFields(item);
      let diffs = compareFields(itemFields, carried(itemFields, expected));
      if (diffs.length > 0 && check.alt !== undefined) {
        const altDiffs = compareFields(itemFields, carried(itemFields, check.alt()));
        if (altDiffs.length < diffs.length) diffs = altDiffs;
      }
      push(check.kind, check.id, diffs, "list: ");
    }
    progress("comparing records", ++done, checks.length);
  });

  // Every API record must be on chain.
  const onChain = new Set(checks.map((c) => listKey(c.kind, c.id)));
  for (const [key, item] of listed)
    if (!onChain.has(key)) {
      const [kind, id] = key.split(":") as [RecordKind, string];
      mismatches.push({
        kind,
        id,
        field: "(record)",
        api: String(item.state ?? item.status ?? "listed"),
        chain: undefined,
      });
    }

  const order: RecordKind[] = ["deployment", "programme", "sale", "tender", "credential"];
  mismatches.sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      a.id.localeCompare(b.id) ||
      a.field.localeCompare(b.field),
  );
  return {
    chainId,
    block,
    head,
    events: chain?.events ?? 0,
    records: {
      programmes: programmes.size,
      sales: sales.size,
      tenders: tenders.size,
      credentials: credentials.size,
    },
    apiRecords: {
      programmes: lists.programmes.length,
      sales: lists.sales.length,
      tenders: lists.tenders.length,
      credentials: lists.credentials.length,
    },
    mismatches,
    seconds: (performance.now() - started) / 1000,
  };
}
