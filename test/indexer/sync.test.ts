/**
 * Backfill and follow-head correctness on the demo season (every sale and tender stage, forwarded
 * requests): the projections match what the contracts themselves answer, PGlite and PostgreSQL
 * end identical, and new blocks are followed: a pending final-price proposal and its
 * confirmation, and a lost key's successor cancelling the old farm's sale.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Abi,
  type Address,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  keccak256,
  parseEventLogs,
  stringToBytes,
} from "viem";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { createCast } from "../../scripts/seed/actors.ts";
import { Role, SaleState } from "../../sdk/generated/enums.ts";
import { CredentialRegistryAbi, RicePurchaseAbi, TenderBoardAbi } from "../../sdk/index.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { dumpStore, envFor, indexUntil, waitFor, withTestPostgres } from "./helpers/indexer.ts";

describe("indexer sync on the demo season", () => {
  let chain: TestChain & { lastBlock: number };
  let db: Database;
  let indexer: Indexer;

  before(async () => {
    chain = await startSeededChain();
    db = await createPgliteDatabase();
    indexer = await indexUntil(envFor(chain.url, chain.deployment), db, chain.lastBlock);
  });
  after(async () => {
    await indexer?.close();
    await db?.close();
    await chain?.close();
  });

  it("indexes every jangbu log exactly once", async () => {
    const a = chain.deployment.addresses;
    const logs = await chain.request<{ address: string }[]>("eth_getLogs", [
      {
        fromBlock: "0x0",
        toBlock: "latest",
        // Every contract of the deployment (the indexer follows them all).
        address: Object.values(a),
      },
    ]);
    const [row] = await db.query<{ n: number }>("select count(*)::int8 as n from events");
    assert.ok(logs.length > 500, `the seed wrote ${logs.length} logs`);
    assert.equal(row?.n, logs.length);
  });

  it("matches the contracts' own view of every sale (state, grades, settlement)", async () => {
    const client = await chain.connection.viem.getPublicClient();
    const sales = await db.query<{
      id: string;
      program_id: number;
      state: number;
      grade_first: number | null;
      units: number;
      dispute_deadline: number | null;
    }>("select id, program_id, state, grade_first, units, dispute_deadline from sales");
    let deadlines = 0;
    assert.ok(sales.length > 50);
    const states = new Set<number>();
    for (const sale of sales) {
      const onChain = await client.readContract({
        address: chain.deployment.addresses.RicePurchase,
        abi: RicePurchaseAbi,
        functionName: "getSale",
        args: [BigInt(sale.id)],
      });
      assert.equal(sale.state, onChain.state, `state of sale ${sale.id}`);
      assert.equal(sale.units, onChain.units);
      if (sale.grade_first !== null) assert.equal(sale.grade_first, onChain.gradeFirst);
      if (onChain.state === SaleState.Inspected || onChain.state === SaleState.Rejected) {
        // Inspected or Rejected: the contract's own dispute deadline (last = first inspection).
        const program = await client.readContract({
          address: chain.deployment.addresses.RicePurchase,
          abi: RicePurchaseAbi,
          functionName: "getProgram",
          args: [sale.program_id],
        });
        assert.equal(
          Number(sale.dispute_deadline),
          onChain.inspectedAt + program.disputePeriod,
          `dispute deadline of sale ${sale.id}`,
        );
        deadlines++;
      }
      states.add(sale.state);
      const [interim, finalAmount, balance] = await client.readContract({
        address: chain.deployment.addresses.RicePurchase,
        abi: RicePurchaseAbi,
        functionName: "settlementOf",
        args: [BigInt(sale.id)],
      });
      const res = await indexer.app.request(`/api/v1/sales/${sale.id}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        settlement: { interim: string; finalAmount: string | null; balance: string | null };
      };
      assert.equal(body.settlement.interim, interim.toString());
      if (body.settlement.finalAmount !== null) {
        assert.equal(body.settlement.finalAmount, finalAmount.toString());
        assert.equal(body.settlement.balance, balance.toString());
      }
    }
    assert.ok(states.size >= 8, `the season covers many sale states (${[...states].join(",")})`);
    assert.ok(deadlines >= 1, "some sale is inspected and awaits approval or a dispute");
  });

  it("matches the registry on every credential's validity and the board on every tender", async () => {
    const client = await chain.connection.viem.getPublicClient();
    const res = await indexer.app.request("/api/v1/credentials?limit=500");
    const { items } = (await res.json()) as { items: { id: string; status: string }[] };
    assert.ok(items.length > 20);
    for (const credential of items) {
      const valid = await client.readContract({
        address: chain.deployment.addresses.CredentialRegistry,
        abi: CredentialRegistryAbi,
        functionName: "isValid",
        args: [BigInt(credential.id)],
      });
      assert.equal(
        credential.status === "valid",
        valid,
        `credential ${credential.id} is ${credential.status}`,
      );
    }
    const tenders = await db.query<{
      id: string;
      state: number;
      version: number;
      winner: string | null;
    }>("select id, state, version, winner from tenders");
    assert.ok(tenders.length >= 5);
    for (const tender of tenders) {
      const onChain = await client.readContract({
        address: chain.deployment.addresses.TenderBoard,
        abi: TenderBoardAbi,
        functionName: "getTender",
        args: [BigInt(tender.id)],
      });
      assert.equal(tender.state, onChain.state, `state of tender ${tender.id}`);
      assert.equal(tender.version, onChain.version);
    }
  });

  it("attributes forwarded requests to their signer, not the relayer", async () => {
    const accounts = await chain.request<Address[]>("eth_accounts");
    const relayer = accounts[1]?.toLowerCase();
    // The relayer only carries requests: no event, with or without an actor field, is its act.
    const byRelayer = await db.query<{ event: string }>(
      "select distinct event from events where lower(signer) = $1 order by event",
      [relayer],
    );
    assert.deepEqual(byRelayer, []);
    const [relayed] = await db.query<{ n: number }>(
      "select count(*)::int8 as n from events where event = 'ExecutedForwardRequest'",
    );
    assert.ok(Number(relayed?.n) > 0, "the demo season relays requests");
    const mismatched = await db.query(
      "select pos from events where event = 'SaleSubmitted' and signer <> args->>'farmer'",
    );
    assert.deepEqual(mismatched, []);
    const [noSigner] = await db.query<{ n: number }>(
      "select count(*)::int8 as n from events where signer is null",
    );
    assert.equal(noSigner?.n, 0, "events without an actor field get the transaction's sender");
  });

  it("builds an identical store in PostgreSQL", async (t) => {
    await withTestPostgres(t, async (pgDb) => {
      const pgIndexer = await indexUntil(
        envFor(chain.url, chain.deployment, { MAX_BLOCK_RANGE: "7" }),
        pgDb,
        chain.lastBlock,
      );
      await pgIndexer.close();
      assert.deepEqual(await dumpStore(pgDb), await dumpStore(db));
      for (const path of [
        "/api/v1/sales?limit=500",
        "/api/v1/tenders?limit=100",
        "/api/v1/credentials?limit=500",
      ]) {
        const [fromPg, fromPglite] = [
          await pgIndexer.app.request(path),
          await indexer.app.request(path),
        ];
        assert.deepEqual(
          await fromPg.json(),
          await fromPglite.json(),
          `${path} answers the same on both stores`,
        );
      }
      const res = await pgIndexer.app.request("/api/v1/status");
      assert.equal(((await res.json()) as { store: string }).store, "postgres");
    });
  });

  it("reads a range whose answer passes MAX_LOGS_ANSWER_KB in halves, and builds the same store", async () => {
    const bounded = await createPgliteDatabase();
    const small = await indexUntil(
      envFor(chain.url, chain.deployment, { MAX_LOGS_ANSWER_KB: "256" }),
      bounded,
      chain.lastBlock,
    );
    try {
      const metrics = await (await small.app.request("/metrics")).text();
      const given = /jangbu_rpc_requests_total\{method="eth_getLogs",outcome="error"\} (\d+)/.exec(
        metrics,
      );
      assert.ok(
        Number(given?.[1]) > 0,
        "the demo season (867 KB of logs in one answer) is read in parts",
      );
      assert.deepEqual(await dumpStore(bounded), await dumpStore(db));
    } finally {
      await small.close();
      await bounded.close();
    }
  });

  it("follows the head: a new transaction is indexed within moments, with its signer", async () => {
    const [admin] = await chain.connection.viem.getWalletClients();
    assert.ok(admin);
    const issuer = "0x000000000000000000000000000000000000bEEF" as Address;
    // Asked (and cached) before the transaction: the answer must not stay stale after it.
    const before = await indexer.app.request(`/api/v1/issuers?issuer=${issuer}`);
    assert.deepEqual(await before.json(), { items: [] });
    const again = await indexer.app.request(`/api/v1/issuers?issuer=${issuer}`);
    assert.equal(again.headers.get("x-cache"), "hit");
    await admin.writeContract({
      address: chain.deployment.addresses.CredentialRegistry,
      abi: CredentialRegistryAbi,
      functionName: "setIssuer",
      args: [issuer, 0, 46810, true],
    });
    await chain.mine(2);
    const head = await chain.head();
    await waitFor("the new block", () => indexer.sync.status().indexed >= head, 10_000);
    const res = await indexer.app.request(`/api/v1/issuers?issuer=${issuer}`);
    const { items } = (await res.json()) as {
      items: {
        role: string;
        region: number;
        allowed: boolean;
        admin: string;
        provenance: { created: { signer: string; blockNumber: number } };
      }[];
    };
    // The issuer carries its provenance: the admin's transaction in the new blocks.
    assert.equal(items[0]?.provenance.created.signer, getAddress(admin.account.address));
    assert.ok((items[0]?.provenance.created.blockNumber ?? 0) > chain.lastBlock);
    assert.deepEqual(
      items.map(({ provenance: _p, ...issuerFields }) => issuerFields),
      [
        {
          issuer,
          role: "Farmer",
          region: 46810,
          allowed: true,
          admin: getAddress(admin.account.address),
        },
      ],
    );
    const events = await indexer.app.request(`/api/v1/events?event=IssuerSet&limit=1`);
    const page = (await events.json()) as { items: { signer: string; blockNumber: number }[] };
    assert.equal(page.items[0]?.signer, getAddress(admin.account.address));
  });

  /** Sends `functionName` as `account` (funded first) straight to the chain, and waits for it. */
  const send = async (
    account: PrivateKeyAccount,
    address: Address,
    abi: Abi,
    functionName: string,
    args: readonly unknown[],
  ) => {
    await chain.request("hardhat_setBalance", [account.address, "0x56bc75e2d63100000"]);
    const wallet = createWalletClient({
      account,
      chain: defineChain({
        id: 31337,
        name: "test",
        nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [chain.url] } },
      }),
      transport: http(chain.url),
    });
    const hash = await wallet.writeContract({ address, abi, functionName, args } as never);
    const client = await chain.connection.viem.getPublicClient();
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success", `${functionName} by ${account.address}`);
    return receipt;
  };
  const indexedTo = async () => {
    const head = await chain.head();
    await waitFor("the new blocks", () => indexer.sync.status().indexed >= head, 10_000);
  };

  it("shows a pending final-price proposal (who, inputs, prices, when) until a second official confirms it", async () => {
    const cast = createCast();
    const rice = chain.deployment.addresses.RicePurchase;
    const client = await chain.connection.viem.getPublicClient();
    type Program = {
      id: number;
      deliveryEnd: string;
      priceRevision: number;
      finalPrices: Record<string, unknown> | null;
      pendingProposal: {
        official: string;
        farmGatePer80kg: string;
        millingFee: string;
        millingYieldBps: number;
        gradePrices: { special: string; first: string; second: string; third: string };
        proposedAt: { at: string; txHash: string; blockNumber: number };
      } | null;
    };
    const res = await indexer.app.request("/api/v1/programs");
    const { items } = (await res.json()) as { items: Program[] };
    const unpriced = items.find((p) => p.finalPrices === null);
    assert.ok(unpriced, "the demo leaves a programme without final prices");
    assert.equal(unpriced.pendingProposal, null);
    // Proposals come after the delivery window.
    const end = Date.parse(unpriced.deliveryEnd) / 1000;
    const latest = await client.getBlock();
    if (Number(latest.timestamp) <= end)
      await chain.request("evm_setNextBlockTimestamp", [end + 60]);
    const inputs = [180_000, 8_500, 7_200] as const;
    const proposal = await send(
      cast.get("official-mafra").account,
      rice,
      RicePurchaseAbi,
      "setFinalPrices",
      [unpriced.id, ...inputs],
    );
    await indexedTo();
    const pending = (await (
      await indexer.app.request(`/api/v1/programs/${unpriced.id}`)
    ).json()) as Program;
    assert.equal(pending.finalPrices, null, "nothing takes effect on one signature");
    assert.equal(pending.priceRevision, 0);
    assert.ok(pending.pendingProposal);
    const { gradePrices, proposedAt, ...proposed } = pending.pendingProposal;
    assert.deepEqual(proposed, {
      official: cast.get("official-mafra").address,
      farmGatePer80kg: "180000",
      millingFee: "8500",
      millingYieldBps: 7_200,
    });
    assert.equal(proposedAt.txHash, proposal.transactionHash);
    assert.equal(proposedAt.blockNumber, Number(proposal.blockNumber));
    const onChain = await client.readContract({
      address: rice,
      abi: RicePurchaseAbi,
      functionName: "getPriceProposal",
      args: [unpriced.id],
    });
    assert.equal(onChain.proposer, cast.get("official-mafra").address);
    assert.equal(onChain.farmGatePer80kg, inputs[0]);

    await send(cast.get("official-mafra-2").account, rice, RicePurchaseAbi, "confirmFinalPrices", [
      unpriced.id,
      ...inputs,
    ]);
    await indexedTo();
    const set = (await (
      await indexer.app.request(`/api/v1/programs/${unpriced.id}`)
    ).json()) as Program;
    assert.equal(set.pendingProposal, null, "the confirmation ends the proposal");
    assert.equal(set.priceRevision, 1);
    const prices = await client.readContract({
      address: rice,
      abi: RicePurchaseAbi,
      functionName: "getGradePrices",
      args: [unpriced.id],
    });
    const effective = {
      special: String(prices.special),
      first: String(prices.first),
      second: String(prices.second),
      third: String(prices.third),
    };
    // What the proposal showed is exactly what took effect on chain.
    assert.deepEqual(gradePrices, effective);
    assert.equal(effective.first, "61740", "(180,000 − 8,500) × 72 % ÷ 2, rounded down to 10 won");
    assert.deepEqual(
      {
        special: set.finalPrices?.special,
        first: set.finalPrices?.first,
        second: set.finalPrices?.second,
        third: set.finalPrices?.third,
        proposedBy: set.finalPrices?.proposedBy,
        confirmedBy: set.finalPrices?.confirmedBy,
      },
      {
        ...effective,
        proposedBy: cast.get("official-mafra").address,
        confirmedBy: cast.get("official-mafra-2").address,
      },
    );
  });

  it("attributes a successor's cancel of the old farm's sale to the successor, and links the credentials", async () => {
    const cast = createCast();
    const registry = chain.deployment.addresses.CredentialRegistry;
    const issuer = cast.get("official-gangjin").account;
    const [sale] = await db.query<{ id: string; farmer: Address }>(
      "select id, farmer from sales where state = $1 order by submitted_pos limit 1",
      [SaleState.Submitted],
    );
    assert.ok(sale, "the demo leaves a submitted sale");
    const farm = cast.farmers.find((f) => f.address === sale.farmer);
    assert.ok(farm);
    const [old] = await db.query<{ id: string }>(
      "select id from credentials where subject = $1 and role = $2 and not revoked",
      [sale.farmer, Role.Farmer],
    );
    assert.ok(old);
    // The farm's phone is lost: its credential is revoked, a new key gets a credential of the
    // same household, and the county names it the old one's successor.
    await send(issuer, registry, CredentialRegistryAbi, "revoke", [
      BigInt(old.id),
      keccak256(stringToBytes("lost phone")),
    ]);
    const successor = privateKeyToAccount(generatePrivateKey());
    const client = await chain.connection.viem.getPublicClient();
    const now = Number((await client.getBlock()).timestamp);
    const issued = await send(issuer, registry, CredentialRegistryAbi, "issue", [
      successor.address,
      Role.Farmer,
      farm.region,
      farm.claimsHash,
      BigInt(now + 90 * 86_400),
      farm.householdTag,
    ]);
    const [issuedEvent] = parseEventLogs({
      abi: CredentialRegistryAbi,
      eventName: "CredentialIssued",
      logs: issued.logs,
    });
    assert.ok(issuedEvent);
    const newId = issuedEvent.args.id;
    await send(issuer, registry, CredentialRegistryAbi, "nameSuccessor", [BigInt(old.id), newId]);
    const cancel = await send(
      successor,
      chain.deployment.addresses.RicePurchase,
      RicePurchaseAbi,
      "cancelSale",
      [BigInt(sale.id)],
    );
    await indexedTo();

    type Sale = {
      state: string;
      provenance: { updated: { signer: string; txHash: string } };
      history: { event: string; signer: string; args: Record<string, unknown>; txHash: string }[];
    };
    const detail = (await (await indexer.app.request(`/api/v1/sales/${sale.id}`)).json()) as Sale;
    assert.equal(detail.state, "Cancelled");
    const last = detail.history.at(-1);
    assert.equal(last?.event, "SaleCancelled");
    assert.equal(last?.txHash, cancel.transactionHash);
    assert.equal(last?.args.farmer, sale.farmer, "the event names the farm the sale belongs to");
    assert.equal(last?.signer, successor.address, "and the record who acted: the successor");
    assert.equal(detail.provenance.updated.signer, successor.address);
    // The successor's own activity lists the act; the old credential names its successor.
    const account = (await (
      await indexer.app.request(`/api/v1/accounts/${successor.address}`)
    ).json()) as { activity: { items: { event: string }[] } };
    assert.ok(account.activity.items.some((e) => e.event === "SaleCancelled"));
    const credential = (await (
      await indexer.app.request(`/api/v1/credentials/${old.id}`)
    ).json()) as { status: string; successorId: string; successor: string; householdTag: Hex };
    assert.equal(credential.status, "revoked");
    assert.equal(credential.successorId, String(newId));
    assert.equal(credential.successor, successor.address);
    assert.equal(credential.householdTag, farm.householdTag);
  });
});
