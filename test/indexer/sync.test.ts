/**
 * Backfill and follow-head correctness on the demo season (every sale and tender stage, forwarded
 * requests): the projections match what the contracts themselves answer, PGlite and PostgreSQL
 * end identical, and new blocks are followed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, getAddress } from "viem";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
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
        address: [a.CredentialRegistry, a.RicePurchase, a.TenderBoard, a.JangbuForwarder],
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
      state: number;
      grade_first: number | null;
      units: number;
    }>("select id, state, grade_first, units from sales");
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
});
