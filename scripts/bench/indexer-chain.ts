/**
 * The chain of the end-to-end backfill benchmark (scripts/bench/indexer.ts `e2e`), in its own
 * process so that the indexer process is measured alone: an in-process Hardhat (EDR) chain over
 * JSON-RPC HTTP, the real contracts deployed and the demo season seeded (every event kind), then a
 * season at scale written with the contracts' own functions:
 *
 * - a third programme with a national quota large enough, handed down 전국 → 전남 → 강진군;
 * - `FARMS` farm credentials issued by the county official (one CredentialIssued per transaction,
 *   `ISSUES_PER_BLOCK` per block: a sparse part, with runs of empty blocks in between);
 * - rounds of `allocateBatch` over those farms (`MAX_BATCH` QuotaAllocated per transaction, the
 *   units changing every round), one to three transactions per block: the dense part, 100–300
 *   events per block.
 *
 * EDR has no state dump (hardhat_dumpState / anvil_dumpState are not among its methods), so the
 * chain is kept as a plan: the list of transactions block by block, generated once and cached in
 * `.data/bench/indexer-chain-<key>.json` (key: the contracts' bytecode and PLAN_VERSION), with the
 * event and block counts it gave. Every run replays the plan on a fresh node (impersonated
 * senders, automine off, one `evm_mine` per planned block) and checks the counts are the same.
 *
 * Talks to its parent over IPC: child → parent `{ type: "ready", url, deployment, head, events,
 * blocks, denseBlocks, denseEvents, replaySeconds }`; parent → child `{ type: "stop" }`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Address, encodeFunctionData, type Hex, keccak256, parseEventLogs, toHex } from "viem";
import type { Deployment } from "../../sdk/deployments.ts";
import { CredentialRegistryAbi, householdTagOf, RicePurchaseAbi, Role } from "../../sdk/index.ts";
import { startSeededChain } from "../../test/indexer/helpers/chain.ts";
import { createCast } from "../seed/actors.ts";
import { REGION } from "../seed/enums.ts";

const PLAN_VERSION = 1;
const FARMS = 2_000;
const ISSUES_PER_BLOCK = 20;
const BATCH = 100; // RicePurchase.MAX_BATCH
const ALLOCATION_ROUNDS = 49; // 2,000 farms × 49 rounds = 98,000 QuotaAllocated
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");

type PlannedTx = { from: Address; to: Address; data: Hex; gas: Hex };
/** A block of transactions, or a run of empty blocks. */
type PlannedBlock = { txs: PlannedTx[] } | { empty: number };
type Plan = {
  version: number;
  key: string;
  program: { from: Address; to: Address; data: Hex; gas: Hex };
  setup: PlannedTx[];
  blocks: PlannedBlock[];
  /** Filled after the first replay: what every later replay must give. */
  expected?: { events: number; blocks: number };
};

export type ChainReady = {
  type: "ready";
  url: string;
  deployment: Deployment;
  head: number;
  events: number;
  blocks: number;
  denseBlocks: number;
  denseEvents: number;
  replaySeconds: number;
  cache: string;
  cached: boolean;
};

function contractsKey(): string {
  const hash = createHash("sha256").update(String(PLAN_VERSION));
  for (const name of ["CredentialRegistry", "RicePurchase", "TenderBoard", "JangbuForwarder"]) {
    const file = join(ROOT, "artifacts", "contracts", `${name}.sol`, `${name}.json`);
    const artifact = JSON.parse(readFileSync(file, "utf8")) as { bytecode: string };
    hash.update(artifact.bytecode);
  }
  return hash.digest("hex").slice(0, 16);
}

const hex = (n: number | bigint) => toHex(n);

/** The plan for this deployment (addresses are deterministic: same deployer, same nonces). */
function buildPlan(key: string, deployment: Deployment, now: number, programId: number): Plan {
  const cast = createCast();
  const mafra = cast.get("official-mafra").address;
  const jeonnam = cast.get("official-jeonnam").address;
  const gangjin = cast.get("official-gangjin").address;
  const registry = deployment.addresses.CredentialRegistry;
  const rice = deployment.addresses.RicePurchase;
  const rp = (from: Address, functionName: string, args: readonly unknown[], gas: number) => ({
    from,
    to: rice,
    data: encodeFunctionData({ abi: RicePurchaseAbi, functionName, args } as never),
    gas: hex(gas),
  });
  const program = rp(
    mafra,
    "createProgram",
    [
      {
        cropYear: 2026,
        nationalQuota: 1_000_000_000n,
        interimPerUnit: 40_000,
        bulkDeduction: 1_200,
        deliveryStart: now + 86_400,
        deliveryEnd: now + 90 * 86_400,
        varieties: [101, 102],
        disputePeriod: 14 * 86_400,
      },
    ],
    1_000_000,
  );
  const setup = [
    rp(mafra, "allocateRegion", [programId, REGION.JEONNAM, 500_000_000n], 500_000),
    rp(jeonnam, "allocateRegion", [programId, REGION.GANGJIN, 400_000_000n], 500_000),
  ];
  const farms = Array.from(
    { length: FARMS },
    (_, i) => `0x${keccak256(toHex(`bench-farm:${i}`)).slice(26)}` as Address,
  );
  const blocks: PlannedBlock[] = [];
  // Sparse: the credentials, ISSUES_PER_BLOCK a block, 50 empty blocks after every 10.
  const expiresAt = BigInt(now + 365 * 86_400);
  for (let i = 0; i < FARMS; i += ISSUES_PER_BLOCK) {
    blocks.push({
      txs: farms.slice(i, i + ISSUES_PER_BLOCK).map((farm, j) => ({
        from: gangjin,
        to: registry,
        data: encodeFunctionData({
          abi: CredentialRegistryAbi,
          functionName: "issue",
          args: [
            farm,
            Role.Farmer,
            REGION.GANGJIN,
            keccak256(toHex(`bench-claims:${i + j}`)),
            expiresAt,
            householdTagOf(keccak256(toHex(`bench-household:${i + j}`))),
          ],
        }),
        gas: hex(300_000),
      })),
    });
    if ((i / ISSUES_PER_BLOCK) % 10 === 9) blocks.push({ empty: 50 });
  }
  // Dense: the allocation rounds, 1, 2 or 3 batches (100–300 events) a block.
  const batches: PlannedTx[] = [];
  for (let round = 0; round < ALLOCATION_ROUNDS; round++) {
    for (let i = 0; i < FARMS; i += BATCH) {
      const chunk = farms.slice(i, i + BATCH);
      batches.push(
        rp(
          gangjin,
          "allocateBatch",
          [programId, REGION.GANGJIN, chunk, chunk.map((_, j) => 20 * (1 + ((round + j) % 10)))],
          BATCH * 60_000 + 200_000,
        ),
      );
    }
  }
  for (let i = 0, n = 0; i < batches.length; n++) {
    const take = 1 + (n % 3);
    blocks.push({ txs: batches.slice(i, i + take) });
    i += take;
    if (n % 40 === 39) blocks.push({ empty: 20 });
  }
  return { version: PLAN_VERSION, key, program, setup, blocks };
}

async function main() {
  const send = (message: ChainReady) => process.send?.(message);
  const key = contractsKey();
  const cache = join(ROOT, ".data", "bench", `indexer-chain-${key}.json`);
  const cachedPlan = existsSync(cache)
    ? (JSON.parse(readFileSync(cache, "utf8")) as Plan)
    : undefined;

  const chain = await startSeededChain();
  const { deployment } = chain;
  const cast = createCast();
  for (const id of ["official-mafra", "official-jeonnam", "official-gangjin"]) {
    const address = cast.get(id).address;
    await chain.request("hardhat_impersonateAccount", [address]);
    await chain.request("hardhat_setBalance", [address, hex(10n ** 24n)]);
  }
  const started = performance.now();
  const transact = (tx: PlannedTx) => chain.request<Hex>("eth_sendTransaction", [tx]);
  const receiptOf = (hash: Hex) =>
    chain.request<{ status: Hex; logs: never[] }>("eth_getTransactionReceipt", [hash]);

  // The programme first (automine on): its id goes into the rest of the plan.
  const latest = await chain.request<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
  const now = cachedPlan === undefined ? Number(latest.timestamp) : 0;
  const programTx = cachedPlan?.program ?? buildPlan(key, deployment, now, 0).program;
  const programReceipt = await receiptOf(await transact(programTx));
  const [created] = parseEventLogs({
    abi: RicePurchaseAbi,
    eventName: "ProgramCreated",
    logs: programReceipt.logs,
  });
  if (created === undefined) throw new Error("bench chain: createProgram gave no ProgramCreated");
  const plan = cachedPlan ?? buildPlan(key, deployment, now, created.args.programId);
  for (const tx of plan.setup) {
    const receipt = await receiptOf(await transact(tx));
    if (receipt.status !== "0x1") throw new Error("bench chain: a set-up transaction reverted");
  }

  await chain.request("evm_setAutomine", [false]);
  let denseBlocks = 0;
  let denseEvents = 0;
  for (const block of plan.blocks) {
    if ("empty" in block) {
      // One evm_mine each: EDR's hardhat_mine reserves blocks lazily, and the parent hash it
      // reports for them does not match the hash of the block before (an indexer sees a reorg).
      for (let i = 0; i < block.empty; i++) await chain.request("evm_mine");
      continue;
    }
    const hashes = await Promise.all(block.txs.map(transact));
    await chain.request("evm_mine");
    // Every planned transaction must succeed: a revert would silently thin the chain.
    const last = await receiptOf(hashes.at(-1) as Hex);
    if (last?.status !== "0x1") throw new Error("bench chain: a planned transaction reverted");
    const events = last.logs.length * block.txs.length;
    if (events >= 70) {
      denseBlocks++;
      denseEvents += events;
    }
  }
  const head = await chain.head();
  const a = deployment.addresses;
  const logs = await chain.request<unknown[]>("eth_getLogs", [
    {
      address: [a.CredentialRegistry, a.RicePurchase, a.TenderBoard, a.JangbuForwarder],
      fromBlock: hex(deployment.startBlock),
      toBlock: hex(head),
    },
  ]);
  const events = logs.length;
  const blocks = head - deployment.startBlock + 1;
  const replaySeconds = (performance.now() - started) / 1000;
  if (plan.expected !== undefined) {
    if (plan.expected.events !== events || plan.expected.blocks !== blocks)
      throw new Error(
        `bench chain: the replay gave ${events} events in ${blocks} blocks, the cached plan ${plan.expected.events} in ${plan.expected.blocks} (delete ${cache})`,
      );
  } else {
    mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, JSON.stringify({ ...plan, expected: { events, blocks } }));
  }

  process.on("message", async (message: { type: string }) => {
    if (message.type === "stop") {
      await chain.close();
      process.disconnect();
    }
  });
  process.on("disconnect", () => process.exit(0));
  send({
    type: "ready",
    url: chain.url,
    deployment,
    head,
    events,
    blocks,
    denseBlocks,
    denseEvents,
    replaySeconds,
    cache,
    cached: cachedPlan !== undefined,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.send === undefined) {
    console.error(
      "indexer-chain.ts is started by scripts/bench/indexer.ts (it needs an IPC channel)",
    );
    process.exit(2);
  }
  await main();
}
