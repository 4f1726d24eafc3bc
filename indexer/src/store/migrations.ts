/**
 * The store's SQL schema as numbered migrations, applied in order inside one transaction each and
 * recorded in `schema_migrations`. Never edit a migration that has shipped: add the next one.
 */
import type { EventArgs } from "../sync/decode.ts";
import type { Database, Sql } from "./db.ts";
import { eventKeys } from "./handlers.ts";
import { eventNameKey, keyHash, keyHashLiteral, txKey } from "./keys.ts";
import { keyOf, TABLES } from "./tables.ts";

export type Migration = {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
  /** A data step after `sql`, in the same transaction (for what SQL alone cannot compute). */
  readonly run?: (tx: Sql) => Promise<void>;
};

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "chain, raw event log, credentials and rice purchase projections",
    sql: `
create table sync_state (
  id int2 primary key check (id = 1),
  chain_id int8 not null,
  addresses text not null,
  block_number int8 not null,
  block_hash text not null,
  updated_at int8 not null
);
create table blocks (
  number int8 primary key,
  hash text not null,
  parent_hash text not null,
  timestamp int8 not null,
  has_logs bool not null
);
create table events (
  pos int8 primary key,
  chain_id int8 not null,
  block_number int8 not null,
  block_hash text not null,
  block_time int8 not null,
  tx_hash text not null,
  tx_index int4 not null,
  log_index int4 not null,
  address text not null,
  contract text not null,
  event text not null,
  args jsonb not null,
  signer text,
  keys text[] not null
);
create index events_block on events (block_number);
create index events_tx on events (tx_hash);
create index events_name on events (event, pos desc);
create index events_keys on events using gin (keys);

create table issuers (
  issuer text not null, role int2 not null, region int4 not null,
  allowed bool not null, admin text, updated_pos int8 not null,
  primary key (issuer, role, region)
);
create table credentials (
  id text primary key,
  subject text not null, role int2 not null, region int4 not null, serial numeric not null,
  issuer text not null, claims_hash text not null, expires_at int8 not null,
  issued_at int8 not null, issued_block int8 not null, issued_tx text not null, issued_pos int8 not null,
  revoked bool not null, revoked_at int8, revoked_by text, revoke_reason_hash text,
  updated_pos int8 not null
);
create index credentials_subject on credentials (subject, role, region, serial desc);
create index credentials_pos on credentials (issued_pos desc);
create index credentials_region on credentials (region, role, issued_pos desc);

create table programs (
  id int4 primary key,
  official text not null, crop_year int4 not null, national_quota numeric not null,
  interim_per_unit int8 not null, bulk_deduction int8 not null,
  delivery_start int8 not null, delivery_end int8 not null,
  variety_a int4 not null, variety_b int4 not null,
  final_prices_set bool not null,
  farm_gate_per_80kg int8, milling_fee int8, milling_yield_bps int4,
  price_special int8, price_first int8, price_second int8, price_third int8, prices_pos int8,
  created_pos int8 not null, created_time int8 not null, updated_pos int8 not null
);
create table quotas (
  program_id int4 not null, region int4 not null, parent_region int4 not null,
  units numeric not null, official text not null, updated_pos int8 not null,
  primary key (program_id, region)
);
create table allocations (
  program_id int4 not null, farmer text not null, region int4 not null,
  units int8 not null, official text not null, updated_pos int8 not null,
  primary key (program_id, farmer)
);
create index allocations_region on allocations (program_id, region);
create index allocations_farmer on allocations (farmer);

create table sales (
  id text primary key,
  program_id int4 not null, region int4 not null, seq int8 not null, farmer text not null,
  units int4 not null, packaging int2 not null, variety int4 not null, designated bool not null,
  collection_point int8 not null, state int2 not null,
  grade_special int4, grade_first int4, grade_second int4, grade_third int4,
  rejected_units int4, moisture_permille int4, certificate_hash text, inspector text,
  inspections int2 not null, dispute_reason_hash text, approver text, accepted_units int4,
  interim_amount numeric, clawback_amount numeric, paid_amount numeric not null, repaid_amount numeric not null,
  submitted_pos int8 not null, submitted_time int8 not null, updated_pos int8 not null, updated_time int8 not null
);
create index sales_pos on sales (submitted_pos desc);
create index sales_region_state on sales (region, state, submitted_pos desc);
create index sales_program on sales (program_id, state, submitted_pos desc);
create index sales_farmer on sales (farmer, submitted_pos desc);
create index sales_time on sales (submitted_time);

create table payments (
  pos int8 primary key,
  sale_id text not null, program_id int4 not null, region int4 not null, farmer text not null,
  kind int2 not null, amount numeric not null, transfer_ref_hash text not null, official text not null,
  block_number int8 not null, block_time int8 not null, tx_hash text not null
);
create index payments_sale on payments (sale_id);
create index payments_region on payments (region, pos desc);
create index payments_farmer on payments (farmer, pos desc);
create index payments_program on payments (program_id, pos desc);

create table tenders (
  id text primary key,
  region int4 not null, official text not null, title text not null, spec_hash text not null,
  quantity numeric not null, unit text not null, base_price numeric not null, floor_rate int8 not null,
  bid_deadline int8 not null, reveal_deadline int8 not null, bond numeric not null, seed_commitment text not null,
  version int2 not null, state int2 not null, commit_count int4 not null, revealed_count int4 not null,
  reserve numeric, floor numeric, winner text, contract_amount numeric, cancel_reason text, bonds_released bool,
  delivery_doc_hash text, delivered_time int8, acceptor text, acceptor_role int2, inspection_doc_hash text,
  accepted_time int8, paid_amount numeric, transfer_ref_hash text, paid_time int8,
  created_pos int8 not null, created_time int8 not null, updated_pos int8 not null, updated_time int8 not null
);
create index tenders_pos on tenders (created_pos desc);
create index tenders_region on tenders (region, state, created_pos desc);
create index tenders_winner on tenders (winner);

create table amendments (
  pos int8 primary key,
  tender_id text not null, version int2 not null, official text not null, title text not null,
  spec_hash text not null, quantity numeric not null, unit text not null, base_price numeric not null,
  floor_rate int8 not null, bid_deadline int8 not null, reveal_deadline int8 not null, reason text not null,
  block_number int8 not null, block_time int8 not null, tx_hash text not null
);
create index amendments_tender on amendments (tender_id, version);

create table bids (
  tender_id text not null, bidder text not null, version int2 not null,
  seq int4 not null, commitment text not null, bond_amount numeric not null, bond_doc_hash text not null,
  status int2 not null, release_reason int2, price numeric, picks jsonb, doc_hash text, salt text,
  committed_pos int8 not null, committed_time int8 not null, revealed_time int8, updated_pos int8 not null,
  primary key (tender_id, bidder, version)
);
create index bids_bidder on bids (bidder, committed_pos desc);

create table awards (
  tender_id text primary key,
  outcome text not null, official text not null, winner text, price numeric, seq int4,
  reserve numeric not null, floor numeric not null, revealed_count int4 not null,
  seed text, salt_mix numeric, final_seed text, candidates jsonb, pick_counts jsonb, chosen jsonb,
  pos int8 not null, block_time int8 not null, tx_hash text not null
);
`,
  },
  {
    id: 2,
    name: "block ranges of the event log go through its primary key (pos)",
    sql: "drop index if exists events_block;",
  },
  {
    id: 3,
    name: "transaction lookups through a hash index (equality only; half the bulk-load cost of a b-tree on random hashes)",
    sql: `
drop index if exists events_tx;
create index events_tx on events using hash (tx_hash);
`,
  },
  {
    id: 4,
    name: "event log: history keys as 53-bit hashes (int8[]) and args as json, both far cheaper to write",
    // args is never queried inside; json keeps the text as written instead of re-encoding it.
    sql: `
drop index if exists events_keys;
alter table events rename column keys to key_texts;
alter table events add column keys int8[];
alter table events alter column args type json using args::json;
`,
    async run(tx) {
      for (let after = -1; ; ) {
        const rows = await tx.query<{ pos: number; key_texts: string[] }>(
          "select pos, key_texts from events where pos > $1 order by pos limit 10000",
          [after],
        );
        if (rows.length === 0) break;
        await tx.query(
          `update events e set keys = v.keys::int8[]
           from unnest($1::int8[], $2::text[]) as v(pos, keys) where e.pos = v.pos`,
          [rows.map((r) => r.pos), rows.map((r) => keyHashLiteral(r.key_texts))],
        );
        after = rows.at(-1)?.pos ?? after;
      }
      await tx.exec(`
alter table events drop column key_texts;
alter table events alter column keys set not null;
create index events_keys on events using gin (keys);
`);
    },
  },
  {
    id: 5,
    name: "event log: transaction and event-name lookups through the keys' GIN index",
    // Per 100,000 events into PGlite the two indexes cost 0.77 s and 0.53 s to maintain; as two
    // more GIN keys each event costs far less (keys.ts). The GIN index is dropped while the keys
    // are added, so that it is rebuilt once, in bulk, and it gets a 16 MB pending list (the
    // default is 4 MB) on both engines: with more keys per event, PostgreSQL's COPY otherwise
    // spent its time merging a full list (measured: 22,000 instead of 26,000 events/s).
    sql: "drop index if exists events_keys;",
    async run(tx) {
      for (let after = -1; ; ) {
        const rows = await tx.query<{ pos: number; tx_hash: string; event: string }>(
          "select pos, tx_hash, event from events where pos > $1 order by pos limit 10000",
          [after],
        );
        if (rows.length === 0) break;
        await tx.query(
          `update events e set keys = e.keys || array[v.tx, v.event]
           from unnest($1::int8[], $2::int8[], $3::int8[]) as v(pos, tx, event) where e.pos = v.pos`,
          [
            rows.map((r) => r.pos),
            rows.map((r) => keyHash(txKey(r.tx_hash))),
            rows.map((r) => keyHash(eventNameKey(r.event))),
          ],
        );
        after = rows.at(-1)?.pos ?? after;
      }
      await tx.exec(`
drop index if exists events_tx;
drop index if exists events_name;
create index events_keys on events using gin (keys) with (gin_pending_list_limit = 16384);
`);
    },
  },
  {
    id: 6,
    name: "programme ids as int8 (uint32 on chain: above 2^31 they overflowed int4); creation provenance of issuers, quotas and allocations",
    sql: `
alter table programs alter column id type int8;
alter table quotas alter column program_id type int8;
alter table allocations alter column program_id type int8;
alter table sales alter column program_id type int8;
alter table payments alter column program_id type int8;
alter table issuers add column created_pos int8;
alter table quotas add column created_pos int8;
alter table allocations add column created_pos int8;
`,
    async run(tx) {
      for (const table of ["issuers", "quotas", "allocations"] as const) {
        await backfillCreatedPos(tx, table);
        await tx.exec(`alter table ${table} alter column created_pos set not null;`);
      }
    },
  },
  {
    id: 7,
    name: "issue 19: credentials carry a household tag and a successor; programmes a dispute period and two-official final prices",
    sql: `
alter table credentials add column household_tag text, add column successor_id text;
alter table programs
  add column dispute_period int8 not null default 0,
  add column price_revision int4 not null default 0,
  add column prices_proposed_by text,
  add column prices_confirmed_by text,
  add column proposal_official text,
  add column proposal_farm_gate_per_80kg int8,
  add column proposal_milling_fee int8,
  add column proposal_milling_yield_bps int4,
  add column proposal_pos int8;
`,
  },
  {
    id: 8,
    name: "tenders: draw block, delivery deadline, refusals, termination and lapse; bids passed over",
    sql: `
alter table tenders
  add column draw_block int8, add column delivery_deadline int8,
  add column refusals int4 not null default 0, add column refusal_reason text, add column refused_time int8,
  add column termination_reason text, add column terminated_time int8, add column lapsed_time int8;
alter table bids add column passed_over bool not null default false;
alter table awards add column draw_block int8, add column draw_block_hash text;
`,
  },
  {
    id: 9,
    name: "sales: the dispute deadline (first inspection + the programme's dispute period)",
    // The first inspection is the one a farmer may dispute (a re-inspection cannot be disputed
    // again): its block time, from the event log, plus the programme's period.
    sql: `
alter table sales add column dispute_deadline int8;
update sales s set dispute_deadline = i.inspected + p.dispute_period
from (select args->>'saleId' as sale_id, min(block_time) as inspected from events
      where contract = 'RicePurchase' and event = 'SaleInspected' group by 1) i, programs p
where s.id = i.sale_id and p.id = s.program_id;
`,
  },
  {
    id: 10,
    name: "sales: delivery day; variety testing: county designations and draws, results, exclusions",
    // Sales submitted before the delivery day existed have none (null).
    sql: `
alter table sales add column delivery_day int4;
create table variety_counties (
  program_id int8 not null, region int4 not null,
  variety_a int4 not null, variety_b int4 not null, designated_by text,
  commitment text, committed_by text, secret text, sellers int4, sample_size int4,
  anchor_block int8, anchor_hash text, seed text, drawn_time int8,
  updated_pos int8 not null,
  primary key (program_id, region)
);
create table variety_results (
  program_id int8 not null, farmer text not null, region int4 not null, seller_index int4 not null,
  off_type_permille int4 not null, certificate_hash text not null, inspector text not null,
  excluded bool not null, pos int8 not null, block_time int8 not null,
  primary key (program_id, farmer)
);
create index variety_results_region on variety_results (program_id, region);
create table exclusions (
  farmer text primary key,
  from_year int4 not null, to_year int4 not null, program_id int8 not null,
  off_type_permille int4 not null, pos int8 not null, block_time int8 not null
);
`,
  },
  {
    id: 11,
    name: "issue 24: the farm-gate price series (산지쌀값) of each programme, from FarmGatePrices",
    sql: `
create table farm_gate_prices (
  program_id int8 not null, date int4 not null, price_per_80kg int8 not null, official text not null,
  idx int2 not null, pos int8 not null, block_number int8 not null, block_time int8 not null,
  tx_hash text not null,
  primary key (program_id, date)
);
`,
  },
  {
    id: 13,
    name: "issue 23: passkey accounts, from PasskeyAccountFactory.PasskeyAccountCreated",
    // A store built before the factory was indexed has its events nowhere: the factory's address
    // joins the watched addresses, so such a store is refused (initSyncState) and re-indexed.
    sql: `
create table passkey_accounts (
  address text primary key, key_id text not null, qx text not null, qy text not null,
  pos int8 not null, block_number int8 not null, block_time int8 not null, tx_hash text not null
);
`,
  },
  {
    id: 14,
    name: "issue 21: each sale's short reference (crop year-region-ordinal, sdk/references.ts) and the regions' sale counters",
    // The ordinal is the sale's position among its region's SaleSubmitted events in chain order;
    // submitted_pos is that order. Sales of a programme the store does not hold get year 0.
    sql: `
create table sale_counters (region int4 primary key, sales int8 not null);
alter table sales add column ref text;
update sales s set ref = coalesce((select p.crop_year from programs p where p.id = s.program_id), 0)::text
  || '-' || s.region::text || '-' || case when o.n >= 1000000 then o.n::text else lpad(o.n::text, 6, '0') end
from (select id, row_number() over (partition by region order by submitted_pos) as n from sales) o
where o.id = s.id;
insert into sale_counters (region, sales) select region, count(*) from sales group by region;
create unique index sales_ref on sales (ref);
`,
  },
  {
    id: 15,
    name: "issue 26: free space in the pages of the rows updated again and again",
    // An update writes a new row version; with room on its page it is a HOT update (no index
    // entries), without room it goes to another page and every index of the table gets an
    // entry. PGlite has no autovacuum to make room again. A quota allocation is updated every
    // round of allocations: on the benchmark chain's 98,000 allocation events the upserts cost
    // 1.42 s at the default fill factor (100) and 0.50 s at 50. Sales and bids change state a few
    // times each. Only pages written from now on are affected.
    sql: `
alter table allocations set (fillfactor = 50);
alter table quotas set (fillfactor = 50);
alter table sales set (fillfactor = 70);
alter table bids set (fillfactor = 70);
`,
  },
];

/**
 * Applies the migrations this database has not seen yet; returns how many ran. `migrations` is
 * for tests that build a store as an older version left it.
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  await db.exec(
    "create table if not exists schema_migrations (id int4 primary key, name text not null, applied_at int8 not null)",
  );
  // An up-to-date store (every start but the first) answers with one query instead of one
  // transaction per migration (15 of them: 130 ms of a PGlite start-up). The check inside each
  // transaction below still decides when some are missing.
  const done = new Set(
    (await db.query<{ id: number }>("select id from schema_migrations")).map((r) => r.id),
  );
  if (migrations.every((m) => done.has(m.id))) return 0;
  let applied = 0;
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      // Several replicas starting at once on PostgreSQL: one migrates, the others wait.
      if (db.kind === "postgres") await tx.query("select pg_advisory_xact_lock(7322541)");
      const seen = await tx.query("select 1 from schema_migrations where id = $1", [migration.id]);
      if (seen.length > 0) return false;
      await tx.exec(migration.sql);
      await migration.run?.(tx);
      await tx.query("insert into schema_migrations (id, name, applied_at) values ($1, $2, $3)", [
        migration.id,
        migration.name,
        Math.floor(Date.now() / 1000),
      ]);
      return true;
    });
    if (ran) applied++;
  }
  return applied;
}

/**
 * Migration 6's data step: a row's `created_pos` is the position of the first event in its history
 * (the event log's keys say which events touched it; a key hash match is checked against the
 * event's real keys). A row with no such event keeps its last update as its creation.
 */
async function backfillCreatedPos(
  tx: Sql,
  table: "issuers" | "quotas" | "allocations",
): Promise<void> {
  const spec = TABLES[table];
  const rows = await tx.query<Record<string, unknown>>(
    `select ${spec.key.join(", ")}, updated_pos from ${table}`,
  );
  for (let start = 0; start < rows.length; start += 1_000) {
    const part = rows.slice(start, start + 1_000);
    const first = new Map<string, number>();
    for (const row of part) first.set(`${table}:${keyOf(spec, row)}`, Number(row.updated_pos));
    const found = new Set<string>();
    const events = await tx.query<{
      pos: number;
      contract: string;
      event: string;
      args: EventArgs;
      signer: string | null;
    }>(
      "select pos, contract, event, args, signer from events where keys && $1::int8[] order by pos",
      [[...first.keys()].map(keyHash)],
    );
    for (const event of events) {
      for (const key of eventKeys(event)) {
        if (!first.has(key) || found.has(key)) continue;
        found.add(key);
        first.set(key, Number(event.pos));
      }
    }
    const keys = part.map((row) => spec.key.map((k) => row[k]));
    const unnest = spec.key.map((k, i) => `$${i + 1}::${spec.columns[k]}[]`).join(", ");
    const join = spec.key.map((k) => `t.${k} = v.${k}`).join(" and ");
    await tx.query(
      `update ${table} t set created_pos = v.created_pos
       from unnest(${unnest}, $${spec.key.length + 1}::int8[]) as v(${spec.key.join(", ")}, created_pos)
       where ${join}`,
      [
        ...spec.key.map((_, i) => keys.map((k) => k[i])),
        part.map((row) => first.get(`${table}:${keyOf(spec, row)}`)),
      ],
    );
  }
}
