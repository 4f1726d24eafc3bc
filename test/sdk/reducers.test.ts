/**
 * One set of rules: the SDK reducers fold the demo season's events (read from the node with
 * eth_getLogs, decoded with viem) into records that equal the indexer's projection rows for every
 * programme, quota, allocation, sale, payment, tender, amendment, bid, award and credential; the
 * settlement and grade-price rules equal the contract's own views; the tender draw recomputed
 * from the revealed bids equals what `ReserveDrawn` published; events out of chain order are
 * refused; and the indexer and the verifiers judge a sale's designated variety by one rule (its
 * county's designation, else its programme's).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { createPgliteDatabase } from "../../indexer/src/store/db.ts";
import { createStore } from "../../indexer/src/store/index.ts";
import { sdkEvent } from "../../indexer/src/store/records.ts";
import { type EventArgs, type EventRecord, positionOf } from "../../indexer/src/sync/decode.ts";
import { type ChainRecords, readChainRecords } from "../../scripts/verify/chain.ts";
import { createRpc } from "../../scripts/verify/rpc.ts";
import { CredentialRegistryAbi, RicePurchaseAbi } from "../../sdk/generated/abis.ts";
import { Role } from "../../sdk/generated/enums.ts";
import {
  applySaleEvent,
  type ChainPosition,
  canonical,
  FoldError,
  foldProgramme,
  foldSale,
  gradePricesOf,
  type RiceEvent,
  recomputeDraw,
  saleFields,
  settlementOf,
} from "../../sdk/reducers/index.ts";
import { countyKeyOf, isDesignatedVariety, type VarietyPair } from "../../sdk/variety.ts";
import { waitFor } from "../indexer/helpers/indexer.ts";
import { type DemoApi, startDemoApi } from "./demo.ts";

type Row = Record<string, unknown>;
const pos = (p: ChainPosition | null | undefined) =>
  p === null || p === undefined ? null : positionOf(Number(p.blockNumber), p.logIndex);

/** Asserts every column of `expected` equals the row's, compared canonically. */
function assertRow(what: string, row: Row | undefined, expected: Row) {
  assert.ok(row !== undefined, `${what}: the indexer has no row`);
  for (const [column, value] of Object.entries(expected))
    assert.equal(
      canonical(row[column]),
      canonical(value),
      `${what}.${column}: indexer ${JSON.stringify(row[column])}, reducer ${String(value)}`,
    );
}

describe("SDK reducers on the demo season", () => {
  let demo: DemoApi;
  let records: ChainRecords;
  const rows = (sql: string) => demo.db.query<Row>(sql);

  before(async () => {
    demo = await startDemoApi();
    // The season revokes nobody: revoke a farm's credential and name its successor, so that
    // CredentialRevoked and SuccessorNamed are folded too.
    const { viem } = demo.chain.connection;
    const [admin] = await viem.getWalletClients();
    const client = await viem.getPublicClient();
    assert.ok(admin);
    const registry = demo.chain.deployment.addresses.CredentialRegistry;
    const [farm] = await demo.db.query<{ id: string; region: number; household_tag: Hex }>(
      "select id, region, household_tag from credentials where role = 0 order by issued_pos limit 1",
    );
    assert.ok(farm);
    const write = async (functionName: string, args: readonly unknown[]) => {
      const hash = await admin.writeContract({
        address: registry,
        abi: CredentialRegistryAbi,
        functionName,
        args,
      } as never);
      await client.waitForTransactionReceipt({ hash });
    };
    const { timestamp } = await client.getBlock();
    const successor = getAddress("0x00000000000000000000000000000000000c0ffe");
    await write("setIssuer", [admin.account.address, Role.Farmer, 0, true]);
    await write("revoke", [BigInt(farm.id), keccak256(toHex("lost phone"))]);
    await write("issue", [
      successor,
      Role.Farmer,
      farm.region,
      keccak256(toHex("claims")),
      timestamp + 86_400n * 30n,
      farm.household_tag,
    ]);
    const successorId = await client.readContract({
      address: registry,
      abi: CredentialRegistryAbi,
      functionName: "currentId",
      args: [successor, Role.Farmer, farm.region],
    });
    await write("nameSuccessor", [BigInt(farm.id), successorId]);
    const head = await demo.chain.head();
    await waitFor("the indexer", () => demo.indexer.sync.status().indexed >= head);
    records = await readChainRecords(createRpc(demo.chain.url), demo.chain.deployment, head);
  });
  after(async () => {
    await demo?.close();
  });

  it("folds every event of the season without a refusal", () => {
    assert.deepEqual(records.foldErrors, []);
    assert.ok(records.events > 500, `${records.events} events`);
    // 강진군's designation is read too: the designated-variety rule needs it.
    assert.ok(records.counties.size >= 1, "the season's county designation");
  });

  it("equals the indexer on every programme, quota and allocation", async () => {
    const programs = await rows("select * from programs");
    assert.equal(programs.length, records.programmes.size);
    assert.ok(programs.length >= 2);
    for (const row of programs) {
      const p = records.programmes.get(Number(row.id));
      assert.ok(p, `programme ${row.id}`);
      assertRow(`programme ${p.id}`, row, {
        official: p.official,
        crop_year: p.cropYear,
        national_quota: p.nationalQuota,
        interim_per_unit: p.interimPerUnit,
        bulk_deduction: p.bulkDeduction,
        delivery_start: p.deliveryStart,
        delivery_end: p.deliveryEnd,
        variety_a: p.varieties[0],
        variety_b: p.varieties[1],
        dispute_period: p.disputePeriod,
        final_prices_set: p.finalPrices !== null,
        farm_gate_per_80kg: p.priceInputs?.farmGatePer80kg ?? null,
        milling_fee: p.priceInputs?.millingFee ?? null,
        milling_yield_bps: p.priceInputs?.millingYieldBps ?? null,
        price_special: p.finalPrices?.special ?? null,
        price_first: p.finalPrices?.first ?? null,
        price_second: p.finalPrices?.second ?? null,
        price_third: p.finalPrices?.third ?? null,
        price_revision: p.priceRevision,
        prices_proposed_by: p.pricesProposedBy,
        prices_confirmed_by: p.pricesConfirmedBy,
        proposal_official: p.proposal?.official ?? null,
        proposal_farm_gate_per_80kg: p.proposal?.farmGatePer80kg ?? null,
        created_pos: pos(p.history[0]),
        updated_pos: pos(p.history.at(-1)),
      });
    }
    const quotas = await rows("select * from quotas");
    assert.equal(
      quotas.length,
      [...records.programmes.values()].reduce((n, p) => n + p.quotas.size, 0),
    );
    for (const row of quotas) {
      const q = records.programmes.get(Number(row.program_id))?.quotas.get(Number(row.region));
      assert.ok(q, `quota ${row.program_id}/${row.region}`);
      assertRow(`quota ${row.program_id}/${row.region}`, row, {
        parent_region: q.parentRegion,
        units: q.units,
        official: q.official,
        created_pos: pos(q.created),
        updated_pos: pos(q.updated),
      });
    }
    const allocations = await rows("select * from allocations");
    assert.equal(
      allocations.length,
      [...records.programmes.values()].reduce((n, p) => n + p.allocations.size, 0),
    );
    for (const row of allocations) {
      const a = records.programmes
        .get(Number(row.program_id))
        ?.allocations.get(String(row.farmer) as Address);
      assert.ok(a, `allocation ${row.program_id}/${row.farmer}`);
      assertRow(`allocation ${row.program_id}/${row.farmer}`, row, {
        region: a.region,
        units: a.units,
        official: a.official,
        updated_pos: pos(a.updated),
      });
    }
  });

  it("equals the indexer on every sale and payment, and the contract on every settlement", async () => {
    const sales = await rows("select * from sales");
    assert.equal(sales.length, records.sales.size);
    const client = await demo.chain.connection.viem.getPublicClient();
    for (const row of sales) {
      const s = records.sales.get(BigInt(String(row.id)));
      assert.ok(s, `sale ${row.id}`);
      const programme = records.programmes.get(s.programId);
      assertRow(`sale ${s.id}`, row, {
        program_id: s.programId,
        region: s.region,
        seq: s.seq,
        farmer: s.farmer,
        units: s.units,
        packaging: s.packaging,
        variety: s.variety,
        designated: isDesignatedVariety(
          s.variety,
          programme?.varieties,
          records.counties.get(countyKeyOf(s.programId, s.region)),
        ),
        collection_point: s.collectionPoint,
        delivery_day: s.deliveryDay,
        state: s.state,
        grade_special: s.grades?.[0] ?? null,
        grade_first: s.grades?.[1] ?? null,
        grade_second: s.grades?.[2] ?? null,
        grade_third: s.grades?.[3] ?? null,
        rejected_units: s.rejectedUnits,
        accepted_units: s.acceptedUnits,
        moisture_permille: s.moisturePermille,
        certificate_hash: s.certificateHash,
        inspector: s.inspector,
        inspections: s.inspections,
        dispute_reason_hash: s.disputeReasonHash,
        approver: s.approver,
        interim_amount: s.interimAmount,
        clawback_amount: s.clawbackAmount,
        paid_amount: s.paidAmount,
        repaid_amount: s.repaidAmount,
        submitted_pos: pos(s.history[0]),
        submitted_time: s.history[0]?.blockTime,
        updated_pos: pos(s.history.at(-1)),
        updated_time: s.history.at(-1)?.blockTime,
      });
      const payments = await demo.db.query<Row>(
        "select * from payments where sale_id = $1 order by pos",
        [String(s.id)],
      );
      assert.equal(payments.length, s.payments.length, `payments of sale ${s.id}`);
      for (const [i, p] of payments.entries())
        assertRow(`payment ${i} of sale ${s.id}`, p, {
          pos: pos(s.payments[i]),
          kind: s.payments[i]?.kind,
          amount: s.payments[i]?.amount,
          transfer_ref_hash: s.payments[i]?.transferRefHash,
          official: s.payments[i]?.official,
        });
      const [interim, finalAmount, balance] = await client.readContract({
        address: demo.chain.deployment.addresses.RicePurchase,
        abi: RicePurchaseAbi,
        functionName: "settlementOf",
        args: [s.id],
      });
      const ours = settlementOf(s, programme);
      assert.equal(ours.interim, interim, `interim of sale ${s.id}`);
      if (ours.finalAmount !== null) {
        assert.equal(ours.finalAmount, finalAmount, `final of sale ${s.id}`);
        assert.equal(ours.balance, balance, `balance of sale ${s.id}`);
      }
    }
    const states = new Set(sales.map((r) => Number(r.state)));
    assert.ok(states.size >= 8, `the season covers many sale states (${[...states]})`);
  });

  it("derives grade prices exactly as RicePurchase.computeGradePrices", async () => {
    const client = await demo.chain.connection.viem.getPublicClient();
    // 2022's published inputs give 64,530 won for 1등; then edge values of each input.
    const cases = [
      { farmGatePer80kg: 187_268, millingFee: 8_002, millingYieldBps: 7_200 },
      { farmGatePer80kg: 200_000, millingFee: 0, millingYieldBps: 10_000 },
      { farmGatePer80kg: 400_000, millingFee: 10_001, millingYieldBps: 8_333 },
      { farmGatePer80kg: 30_001, millingFee: 30_000, millingYieldBps: 1 },
    ];
    assert.equal(gradePricesOf(cases[0] as (typeof cases)[0]).first, 64_530);
    for (const inputs of cases) {
      const onChain = await client.readContract({
        address: demo.chain.deployment.addresses.RicePurchase,
        abi: RicePurchaseAbi,
        functionName: "computeGradePrices",
        args: [inputs.farmGatePer80kg, inputs.millingFee, inputs.millingYieldBps],
      });
      const ours = gradePricesOf(inputs);
      assert.deepEqual([ours.special, ours.first, ours.second, ours.third], [...onChain]);
    }
  });

  it("equals the indexer on every tender, amendment, bid and award, and recomputes each draw", async () => {
    const tenders = await rows("select * from tenders");
    assert.equal(tenders.length, records.tenders.size);
    let drawn = 0;
    for (const row of tenders) {
      const t = records.tenders.get(BigInt(String(row.id)));
      assert.ok(t, `tender ${row.id}`);
      assertRow(`tender ${t.id}`, row, {
        region: t.region,
        official: t.official,
        title: t.title,
        spec_hash: t.specHash,
        quantity: t.quantity,
        unit: t.unit,
        base_price: t.basePrice,
        floor_rate: t.floorRate,
        bid_deadline: t.bidDeadline,
        reveal_deadline: t.revealDeadline,
        bond: t.bond,
        seed_commitment: t.seedCommitment,
        version: t.version,
        state: t.state,
        commit_count: t.commitCount,
        revealed_count: t.revealedCount,
        reserve: t.reserve,
        floor: t.floor,
        winner: t.winner,
        contract_amount: t.contractAmount,
        cancel_reason: t.cancelReason,
        bonds_released: t.bondsReleased,
        delivery_doc_hash: t.deliveryDocHash,
        delivered_time: t.deliveredTime,
        acceptor: t.acceptor,
        acceptor_role: t.acceptorRole,
        inspection_doc_hash: t.inspectionDocHash,
        accepted_time: t.acceptedTime,
        paid_amount: t.paidAmount,
        transfer_ref_hash: t.transferRefHash,
        paid_time: t.paidTime,
        draw_block: t.drawBlock,
        delivery_deadline: t.deliveryDeadline,
        refusals: t.refusals,
        refusal_reason: t.refusalReason,
        refused_time: t.refusedTime,
        termination_reason: t.terminationReason,
        terminated_time: t.terminatedTime,
        lapsed_time: t.lapsedTime,
        created_pos: pos(t.created),
        updated_pos: pos(t.updated),
      });
      const amendments = await demo.db.query<Row>(
        "select * from amendments where tender_id = $1 order by pos",
        [String(t.id)],
      );
      assert.equal(amendments.length, t.amendments.length);
      amendments.forEach((a, i) => {
        const ours = t.amendments[i];
        assert.ok(ours);
        assertRow(`amendment ${i} of tender ${t.id}`, a, {
          pos: pos(ours),
          version: ours.version,
          title: ours.title,
          base_price: ours.basePrice,
          bid_deadline: ours.bidDeadline,
          reason: ours.reason,
        });
      });
      const bids = await demo.db.query<Row>("select * from bids where tender_id = $1", [
        String(t.id),
      ]);
      assert.equal(bids.length, t.bids.size);
      for (const b of bids) {
        const ours = t.bids.get(`${String(b.bidder)}|${Number(b.version)}`);
        assert.ok(ours, `bid ${b.bidder}|${b.version} of tender ${t.id}`);
        assertRow(`bid ${b.bidder}|${b.version} of tender ${t.id}`, b, {
          seq: ours.seq,
          commitment: ours.commitment,
          bond_amount: ours.bondAmount,
          status: ours.status,
          release_reason: ours.releaseReason,
          price: ours.price,
          picks: ours.picks,
          salt: ours.salt,
          passed_over: ours.passedOver,
          committed_pos: pos(ours.committed),
        });
      }
      const [award] = await demo.db.query<Row>("select * from awards where tender_id = $1", [
        String(t.id),
      ]);
      assert.equal(award === undefined, t.outcome === null, `award of tender ${t.id}`);
      if (award === undefined || t.outcome === null) continue;
      assertRow(`award of tender ${t.id}`, award, {
        outcome: t.outcome.outcome,
        winner: t.outcome.winner,
        price: t.outcome.price,
        reserve: t.outcome.reserve,
        floor: t.outcome.floor,
        revealed_count: t.outcome.revealedCount,
        seed: t.drawn?.seed ?? null,
        final_seed: t.drawn?.finalSeed ?? null,
        candidates: t.drawn?.candidates ?? null,
        chosen: t.drawn?.chosen ?? null,
      });
      const draw = recomputeDraw(
        t,
        demo.chain.deployment.chainId,
        demo.chain.deployment.addresses.TenderBoard,
      );
      assert.ok(draw && t.drawn, `tender ${t.id} was drawn`);
      drawn++;
      assert.equal(draw.finalSeed, t.drawn.finalSeed);
      assert.deepEqual(draw.candidates, t.drawn.candidates);
      assert.deepEqual(draw.chosen, t.drawn.chosen);
      assert.equal(draw.reserve, t.drawn.reserve);
      assert.equal(draw.floor, t.drawn.floor);
      assert.equal(draw.winner?.bidder ?? null, t.outcome.winner);
    }
    assert.ok(drawn >= 2, `${drawn} draws recomputed`);
  });

  it("equals the indexer on every credential", async () => {
    const credentials = await rows("select * from credentials");
    assert.equal(credentials.length, records.credentials.size);
    for (const row of credentials) {
      const c = records.credentials.get(BigInt(String(row.id)));
      assert.ok(c, `credential ${row.id}`);
      assertRow(`credential ${c.id}`, row, {
        subject: c.subject,
        role: c.role,
        region: c.region,
        serial: c.serial,
        issuer: c.issuer,
        claims_hash: c.claimsHash,
        expires_at: c.expiresAt,
        issued_at: c.issued.blockTime,
        issued_block: c.issued.blockNumber,
        issued_tx: c.issued.transactionHash,
        issued_pos: pos(c.issued),
        revoked: c.revoked,
        revoked_at: c.revokedAt,
        revoked_by: c.revokedBy,
        revoke_reason_hash: c.revokeReasonHash,
        household_tag: c.householdTag,
        successor_id: c.successorId,
        updated_pos: pos(c.updated),
      });
    }
    assert.ok(
      credentials.some((r) => r.revoked === true),
      "the season revokes a credential",
    );
  });

  it("refuses events out of chain order and events of another record", () => {
    const sale = [...records.sales.values()].find((s) => s.history.length >= 3);
    assert.ok(sale);
    const submitted = {
      eventName: "SaleSubmitted",
      args: {
        saleId: sale.id,
        programId: sale.programId,
        farmer: sale.farmer,
        region: sale.region,
        units: sale.units,
        packaging: sale.packaging,
        variety: sale.variety,
        collectionPoint: sale.collectionPoint,
      },
      blockNumber: 10n,
      logIndex: 0,
      transactionHash: "0x01",
    } as unknown as RiceEvent;
    const cancelled = (blockNumber: bigint, saleId = sale.id) =>
      ({
        eventName: "SaleCancelled",
        args: { saleId, farmer: sale.farmer },
        blockNumber,
        logIndex: 0,
        transactionHash: "0x02",
      }) as unknown as RiceEvent;
    assert.equal(foldSale([submitted, cancelled(11n)]).state, 2);
    assert.throws(() => foldSale([submitted, cancelled(9n)]), FoldError);
    assert.throws(() => foldSale([submitted, cancelled(11n, sale.id + 1n)]), FoldError);
    assert.throws(() => applySaleEvent(undefined, cancelled(11n)), FoldError);
    assert.throws(() => foldSale([submitted, submitted]), FoldError);
  });
});

describe("one designated-variety rule for the indexer and the verifiers", () => {
  // Programme 1 names 101 and 102; 강진군 (46810) designates 201 and 202 for it, 해남군 (46820)
  // designates none. VarietyTesting.checkSale holds 강진군's sales to 201/202 and no other county's.
  const official = getAddress("0x00000000000000000000000000000000000000a1");
  const farmer = getAddress("0x00000000000000000000000000000000000000f1");
  const saleIdOf = (region: number, seq: number) =>
    (1n << 216n) | (BigInt(region) << 192n) | (BigInt(seq) << 160n) | BigInt(farmer);
  let logIndex = 0;
  const ev = (contract: EventRecord["contract"], event: string, args: EventArgs): EventRecord => {
    const i = logIndex++;
    return {
      pos: positionOf(1, i),
      chainId: 31337,
      blockNumber: 1,
      blockHash: `0x${"1".padStart(64, "0")}`,
      blockTime: 1_790_000_000,
      txHash: `0x${(i + 1).toString(16).padStart(64, "0")}`,
      txIndex: i,
      logIndex: i,
      address: official,
      contract,
      event,
      args,
      signer: official,
    };
  };
  const created = ev("RicePurchase", "ProgramCreated", {
    programId: 1,
    official,
    cropYear: 2026,
    nationalQuota: "1000",
    interimPerUnit: 40_000,
    bulkDeduction: 1_200,
    deliveryStart: 1_790_000_000,
    deliveryEnd: 1_800_000_000,
    varieties: [101, 102],
    disputePeriod: 1_209_600,
  });
  const designated = ev("VarietyTesting", "VarietiesDesignated", {
    programId: 1,
    region: 46_810,
    official,
    varieties: [201, 202],
  });
  const sales = [
    [46_810, 1, 201, true], // the county's variety, not the programme's
    [46_820, 2, 101, true], // no designation in the county: the programme's
    [46_820, 3, 201, false],
  ] as const;
  const submitted = sales.map(([region, seq, variety]) =>
    ev("RicePurchase", "SaleSubmitted", {
      saleId: saleIdOf(region, seq).toString(),
      programId: 1,
      farmer,
      region,
      units: 10,
      packaging: 0,
      variety,
      collectionPoint: 1,
      deliveryDay: 20_730,
    }),
  );

  it("judges each sale by its county's designation when it named one, else by the programme's", async () => {
    const db = await createPgliteDatabase();
    try {
      const store = await createStore({ db });
      await store.initSyncState({ chainId: 31337, addresses: "test", startBlock: 0 });
      await store.applyBatch({
        expectedBlock: -1,
        toBlock: 1,
        toHash: `0x${"1".padStart(64, "0")}`,
        headers: [
          {
            number: 1,
            hash: `0x${"1".padStart(64, "0")}`,
            parentHash: `0x${"0".padStart(64, "0")}`,
            timestamp: 1_790_000_000,
          },
        ],
        events: [created, designated, ...submitted],
        keepBlocksFrom: 0,
      });
      const programme = foldProgramme([sdkEvent<RiceEvent>(created)]);
      const county = varietiesOf(designated);
      for (const [i, [region, seq, variety, expected]] of sales.entries()) {
        const [row] = await db.query<Row>("select designated from sales where id = $1", [
          saleIdOf(region, seq).toString(),
        ]);
        assert.equal(row?.designated, expected, `indexer: variety ${variety} in ${region}`);
        const sale = foldSale([sdkEvent<RiceEvent>(submitted[i] as EventRecord)]);
        const fields = saleFields(sale, programme, region === 46_810 ? county : undefined);
        assert.equal(
          fields.get("designatedVariety"),
          String(expected),
          `verifier: variety ${variety} in ${region}`,
        );
      }
    } finally {
      await db.close();
    }
  });

  it("falls back to the programme's varieties only when the county named none", () => {
    assert.equal(isDesignatedVariety(201, [101, 102], [201, 202]), true);
    assert.equal(isDesignatedVariety(101, [101, 102], [201, 202]), false);
    assert.equal(isDesignatedVariety(101, [101, 102], [0, 0]), true);
    assert.equal(isDesignatedVariety(101, [101, 102], undefined), true);
    assert.equal(isDesignatedVariety(0, [0, 0], undefined), false);
    assert.equal(isDesignatedVariety(101, undefined, undefined), false);
  });
});

/** The varieties a `VarietiesDesignated` event names. */
function varietiesOf(e: EventRecord): VarietyPair {
  const [a, b] = e.args.varieties as number[];
  return [Number(a), Number(b)];
}
