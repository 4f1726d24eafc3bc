/**
 * The bridge between the projection rows and the SDK reducers (sdk/reducers/), so that the
 * indexer and every verifier apply ONE definition of each record's rules: a handler turns the
 * stored row into the reducer's record, steps it with the reducer's `apply…Event` for the event,
 * and writes the record's fields back. Only the row's own columns are rebuilt (no history, no
 * other records): one step costs a few object copies, not a refold of the record's events.
 */
import type { AbiEvent, AbiParameter, Address, Hex } from "viem";
import type { ReleaseReason, Role } from "../../../sdk/generated/enums.ts";
import type {
  BidRecord,
  ChainPosition,
  CredentialRecord,
  ProgrammeRecord,
  SaleRecord,
  TenderRecord,
} from "../../../sdk/reducers/index.ts";
import type { BidStatus, Packaging, SaleState, TenderState } from "../domain.ts";
import {
  blockOfPosition,
  contractAbis,
  type EventRecord,
  type JsonValue,
  LOG_INDEX_BITS,
  positionOf,
} from "../sync/decode.ts";
import type { ProjectionRow } from "./handlers.ts";

// ------------------------------------------------------------------ events

type Convert = (value: JsonValue | undefined) => unknown;

/**
 * What turns one argument's JSON form back into viem's decoded value (integers wider than 48 bits
 * as bigint, arrays element-wise), built once per ABI parameter: matching the type per event
 * doubled the cost of a step.
 */
function converterOf(param: AbiParameter): Convert {
  const array = /^(.*)\[\d*\]$/.exec(param.type);
  if (array !== null) {
    const inner = converterOf({ ...param, type: array[1] as string });
    return (v) => (Array.isArray(v) ? v : []).map(inner);
  }
  if (param.type === "tuple" && "components" in param) {
    const fields = param.components.map((c) => [c.name ?? "", converterOf(c)] as const);
    return (v) => {
      const obj = (v ?? {}) as Record<string, JsonValue>;
      return Object.fromEntries(fields.map(([name, convert]) => [name, convert(obj[name])]));
    };
  }
  const int = /^u?int(\d*)$/.exec(param.type);
  if (int !== null)
    return Number(int[1] || 256) > 48 ? (v) => BigInt(String(v ?? 0)) : (v) => Number(v ?? 0);
  return (v) => v;
}

let converters: Map<string, readonly (readonly [string, Convert])[]> | undefined;

/** The argument converters of `Contract.Event`, from the SDK's ABIs (built once). */
function convertersOf(contract: string, event: string): readonly (readonly [string, Convert])[] {
  if (converters === undefined) {
    converters = new Map();
    for (const [name, abi] of Object.entries(contractAbis()))
      for (const item of abi ?? [])
        if (item.type === "event")
          converters.set(
            `${name}.${item.name}`,
            (item as AbiEvent).inputs.map((p) => [p.name ?? "", converterOf(p)] as const),
          );
  }
  const found = converters.get(`${contract}.${event}`);
  if (found === undefined) throw new Error(`no ABI for ${contract}.${event}`);
  return found;
}

/** The stored event as the reducers take it (viem's decoded form with its chain position). */
export function sdkEvent<E>(ev: EventRecord): E {
  const args: Record<string, unknown> = {};
  for (const [name, convert] of convertersOf(ev.contract, ev.event))
    args[name] = convert(ev.args[name]);
  return {
    eventName: ev.event,
    args,
    blockNumber: BigInt(ev.blockNumber),
    logIndex: ev.logIndex,
    transactionHash: ev.txHash,
    blockTime: ev.blockTime,
  } as E;
}

// ------------------------------------------------------------------ values

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const big = (v: unknown): bigint => BigInt(String(v ?? 0));
const bigOrNull = (v: unknown): bigint | null =>
  v === null || v === undefined ? null : BigInt(String(v));
const strOrNull = <T extends string>(v: unknown): T | null =>
  v === null || v === undefined ? null : (String(v) as T);
const text = (v: bigint | null): string | null => (v === null ? null : v.toString());

/** The chain position a stored `pos` stands for (the transaction is not in the row). */
export function positionAt(pos: unknown, blockTime?: unknown): ChainPosition {
  const p = Number(pos);
  return {
    blockNumber: BigInt(blockOfPosition(p)),
    logIndex: p % LOG_INDEX_BITS,
    transactionHash: "0x",
    ...(blockTime === null || blockTime === undefined ? {} : { blockTime: Number(blockTime) }),
  };
}

export const posOf = (p: ChainPosition): number => positionOf(Number(p.blockNumber), p.logIndex);

// ------------------------------------------------------------------ sales

export function saleOfRow(r: ProjectionRow): SaleRecord {
  return {
    id: big(r.id),
    programId: num(r.program_id),
    region: num(r.region),
    seq: num(r.seq),
    farmer: r.farmer as Address,
    units: num(r.units),
    packaging: num(r.packaging) as Packaging,
    variety: num(r.variety),
    collectionPoint: num(r.collection_point),
    deliveryDay: num(r.delivery_day ?? 0),
    state: num(r.state) as SaleState,
    grades:
      r.grade_special === null || r.grade_special === undefined
        ? null
        : [num(r.grade_special), num(r.grade_first), num(r.grade_second), num(r.grade_third)],
    rejectedUnits: numOrNull(r.rejected_units),
    acceptedUnits: numOrNull(r.accepted_units),
    moisturePermille: numOrNull(r.moisture_permille),
    certificateHash: strOrNull<Hex>(r.certificate_hash),
    inspector: strOrNull<Address>(r.inspector),
    inspections: num(r.inspections ?? 0),
    disputeReasonHash: strOrNull<Hex>(r.dispute_reason_hash),
    approver: strOrNull<Address>(r.approver),
    interimAmount: bigOrNull(r.interim_amount),
    clawbackAmount: bigOrNull(r.clawback_amount),
    paidAmount: big(r.paid_amount),
    repaidAmount: big(r.repaid_amount),
    payments: [],
    history: [],
  };
}

/**
 * A sale's row: what `SaleSubmitted` fixed (and the indexer's own columns) from `kept`, every
 * column the reducer decides from `s`. One object literal, not spreads of partial rows: the sale
 * rows are most of a backfill's writes, and building them by spreading cost more than the step.
 */
export function saleRow(
  kept: ProjectionRow,
  s: SaleRecord,
  at: { updatedPos: number; updatedTime: number; disputeDeadline: unknown },
): ProjectionRow {
  return {
    id: kept.id,
    program_id: kept.program_id,
    region: kept.region,
    seq: kept.seq,
    farmer: kept.farmer,
    units: kept.units,
    packaging: kept.packaging,
    variety: kept.variety,
    designated: kept.designated,
    collection_point: kept.collection_point,
    delivery_day: kept.delivery_day,
    ref: kept.ref,
    submitted_pos: kept.submitted_pos,
    submitted_time: kept.submitted_time,
    state: s.state,
    grade_special: s.grades === null ? null : s.grades[0],
    grade_first: s.grades === null ? null : s.grades[1],
    grade_second: s.grades === null ? null : s.grades[2],
    grade_third: s.grades === null ? null : s.grades[3],
    rejected_units: s.rejectedUnits,
    accepted_units: s.acceptedUnits,
    moisture_permille: s.moisturePermille,
    certificate_hash: s.certificateHash,
    inspector: s.inspector,
    inspections: s.inspections,
    dispute_reason_hash: s.disputeReasonHash,
    approver: s.approver,
    interim_amount: text(s.interimAmount),
    clawback_amount: text(s.clawbackAmount),
    paid_amount: s.paidAmount.toString(),
    repaid_amount: s.repaidAmount.toString(),
    updated_pos: at.updatedPos,
    updated_time: at.updatedTime,
    dispute_deadline: at.disputeDeadline,
  };
}

/** The columns `SaleSubmitted` fixes, from the submitted sale. */
export function submittedColumns(s: SaleRecord): ProjectionRow {
  return {
    id: s.id.toString(),
    program_id: s.programId,
    region: s.region,
    seq: s.seq,
    farmer: s.farmer,
    units: s.units,
    packaging: s.packaging,
    variety: s.variety,
    collection_point: s.collectionPoint,
    delivery_day: s.deliveryDay,
  };
}

// ------------------------------------------------------------------ programmes

/** A programme's own fields (not its quotas or allocations, which have their own rows). */
export function programmeOfRow(r: ProjectionRow): ProgrammeRecord {
  const last = positionAt(r.updated_pos);
  const inputs = (farmGate: unknown, fee: unknown, yieldBps: unknown) => ({
    farmGatePer80kg: num(farmGate),
    millingFee: num(fee),
    millingYieldBps: num(yieldBps),
  });
  return {
    id: num(r.id),
    official: r.official as Address,
    cropYear: num(r.crop_year),
    nationalQuota: big(r.national_quota),
    interimPerUnit: num(r.interim_per_unit),
    bulkDeduction: num(r.bulk_deduction),
    deliveryStart: num(r.delivery_start),
    deliveryEnd: num(r.delivery_end),
    varieties: [num(r.variety_a), num(r.variety_b)],
    disputePeriod: num(r.dispute_period),
    priceInputs:
      r.final_prices_set === true
        ? inputs(r.farm_gate_per_80kg, r.milling_fee, r.milling_yield_bps)
        : null,
    finalPrices:
      r.final_prices_set === true
        ? {
            special: num(r.price_special),
            first: num(r.price_first),
            second: num(r.price_second),
            third: num(r.price_third),
          }
        : null,
    priceRevision: num(r.price_revision ?? 0),
    pricesProposedBy: strOrNull<Address>(r.prices_proposed_by),
    pricesConfirmedBy: strOrNull<Address>(r.prices_confirmed_by),
    proposal:
      r.proposal_official === null || r.proposal_official === undefined
        ? null
        : {
            ...inputs(
              r.proposal_farm_gate_per_80kg,
              r.proposal_milling_fee,
              r.proposal_milling_yield_bps,
            ),
            official: r.proposal_official as Address,
          },
    quotas: new Map(),
    allocations: new Map(),
    history: [],
    last,
  };
}

/** The programme's columns the reducer decides. */
export function programmeColumns(p: ProgrammeRecord): ProjectionRow {
  return {
    id: p.id,
    official: p.official,
    crop_year: p.cropYear,
    national_quota: p.nationalQuota.toString(),
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
    proposal_milling_fee: p.proposal?.millingFee ?? null,
    proposal_milling_yield_bps: p.proposal?.millingYieldBps ?? null,
    updated_pos: posOf(p.last),
  };
}

// ------------------------------------------------------------------ credentials

export function credentialOfRow(r: ProjectionRow): CredentialRecord {
  return {
    id: big(r.id),
    subject: r.subject as Address,
    role: num(r.role) as Role,
    region: num(r.region),
    serial: big(r.serial),
    issuer: r.issuer as Address,
    claimsHash: r.claims_hash as Hex,
    expiresAt: num(r.expires_at),
    householdTag: r.household_tag as Hex,
    issued: { ...positionAt(r.issued_pos, r.issued_at), transactionHash: r.issued_tx as Hex },
    revoked: r.revoked === true,
    revokedAt: numOrNull(r.revoked_at),
    revokedBy: strOrNull<Address>(r.revoked_by),
    revokeReasonHash: strOrNull<Hex>(r.revoke_reason_hash),
    successorId: bigOrNull(r.successor_id),
    updated: positionAt(r.updated_pos),
    history: [],
  };
}

/** The credential's columns the reducer decides. */
export function credentialColumns(c: CredentialRecord): ProjectionRow {
  return {
    id: c.id.toString(),
    subject: c.subject,
    role: c.role,
    region: c.region,
    serial: c.serial.toString(),
    issuer: c.issuer,
    claims_hash: c.claimsHash,
    expires_at: c.expiresAt,
    issued_at: c.issued.blockTime ?? null,
    issued_block: Number(c.issued.blockNumber),
    issued_tx: c.issued.transactionHash,
    issued_pos: posOf(c.issued),
    revoked: c.revoked,
    revoked_at: c.revokedAt,
    revoked_by: c.revokedBy,
    revoke_reason_hash: c.revokeReasonHash,
    household_tag: c.householdTag,
    successor_id: text(c.successorId),
    updated_pos: posOf(c.updated),
  };
}

// ------------------------------------------------------------------ tenders

export function bidOfRow(r: ProjectionRow): BidRecord {
  const picks = r.picks as readonly unknown[] | null | undefined;
  return {
    bidder: r.bidder as Address,
    version: num(r.version),
    seq: num(r.seq),
    commitment: r.commitment as Hex,
    bondAmount: big(r.bond_amount),
    bondDocHash: r.bond_doc_hash as Hex,
    status: num(r.status) as BidStatus,
    releaseReason: numOrNull(r.release_reason) as ReleaseReason | null,
    price: bigOrNull(r.price),
    picks: Array.isArray(picks) ? [num(picks[0]), num(picks[1])] : null,
    docHash: strOrNull<Hex>(r.doc_hash),
    salt: strOrNull<Hex>(r.salt),
    committed: positionAt(r.committed_pos, r.committed_time),
    // The row keeps when the bid was revealed, not where: the reducer needs only whether.
    revealed:
      r.revealed_time === null || r.revealed_time === undefined
        ? null
        : { ...positionAt(0), blockTime: num(r.revealed_time) },
    passedOver: r.passed_over === true,
  };
}

/** The bid's columns the reducer decides. */
export function bidColumns(tenderId: bigint, b: BidRecord): ProjectionRow {
  return {
    tender_id: tenderId.toString(),
    bidder: b.bidder,
    version: b.version,
    seq: b.seq,
    commitment: b.commitment,
    bond_amount: b.bondAmount.toString(),
    bond_doc_hash: b.bondDocHash,
    status: b.status,
    release_reason: b.releaseReason,
    price: text(b.price),
    picks: b.picks === null ? null : [b.picks[0], b.picks[1]],
    doc_hash: b.docHash,
    salt: b.salt,
    committed_pos: posOf(b.committed),
    committed_time: b.committed.blockTime ?? null,
    revealed_time: b.revealed?.blockTime ?? null,
    passed_over: b.passedOver,
  };
}

/** A tender's own fields, with `bid` (the one the event is about) as its only bid. */
export function tenderOfRow(r: ProjectionRow, bid: ProjectionRow | undefined): TenderRecord {
  const bids = new Map<string, BidRecord>();
  if (bid !== undefined) {
    const b = bidOfRow(bid);
    bids.set(`${b.bidder}|${b.version}`, b);
  }
  return {
    id: big(r.id),
    region: num(r.region),
    official: r.official as Address,
    title: String(r.title),
    specHash: r.spec_hash as Hex,
    quantity: big(r.quantity),
    unit: String(r.unit),
    basePrice: big(r.base_price),
    floorRate: num(r.floor_rate),
    bidDeadline: num(r.bid_deadline),
    revealDeadline: num(r.reveal_deadline),
    bond: big(r.bond),
    seedCommitment: r.seed_commitment as Hex,
    version: num(r.version),
    state: num(r.state) as TenderState,
    commitCount: num(r.commit_count),
    revealedCount: num(r.revealed_count),
    reserve: bigOrNull(r.reserve),
    floor: bigOrNull(r.floor),
    winner: strOrNull<Address>(r.winner),
    contractAmount: bigOrNull(r.contract_amount),
    cancelReason: strOrNull(r.cancel_reason),
    bondsReleased:
      r.bonds_released === null || r.bonds_released === undefined
        ? null
        : r.bonds_released === true,
    deliveryDocHash: strOrNull<Hex>(r.delivery_doc_hash),
    deliveredTime: numOrNull(r.delivered_time),
    acceptor: strOrNull<Address>(r.acceptor),
    acceptorRole: numOrNull(r.acceptor_role) as Role | null,
    inspectionDocHash: strOrNull<Hex>(r.inspection_doc_hash),
    acceptedTime: numOrNull(r.accepted_time),
    paidAmount: bigOrNull(r.paid_amount),
    transferRefHash: strOrNull<Hex>(r.transfer_ref_hash),
    paidTime: numOrNull(r.paid_time),
    drawBlock: bigOrNull(r.draw_block),
    deliveryDeadline: numOrNull(r.delivery_deadline),
    refusals: num(r.refusals ?? 0),
    refusalReason: strOrNull(r.refusal_reason),
    refusedTime: numOrNull(r.refused_time),
    terminationReason: strOrNull(r.termination_reason),
    terminatedTime: numOrNull(r.terminated_time),
    lapsedTime: numOrNull(r.lapsed_time),
    amendments: [],
    bids,
    drawn: null,
    outcome: null,
    created: positionAt(r.created_pos, r.created_time),
    updated: positionAt(r.updated_pos, r.updated_time),
    history: [],
  };
}

/** The tender's columns the reducer decides. */
export function tenderColumns(t: TenderRecord): ProjectionRow {
  return {
    id: t.id.toString(),
    region: t.region,
    official: t.official,
    title: t.title,
    spec_hash: t.specHash,
    quantity: t.quantity.toString(),
    unit: t.unit,
    base_price: t.basePrice.toString(),
    floor_rate: t.floorRate,
    bid_deadline: t.bidDeadline,
    reveal_deadline: t.revealDeadline,
    bond: t.bond.toString(),
    seed_commitment: t.seedCommitment,
    version: t.version,
    state: t.state,
    commit_count: t.commitCount,
    revealed_count: t.revealedCount,
    reserve: text(t.reserve),
    floor: text(t.floor),
    winner: t.winner,
    contract_amount: text(t.contractAmount),
    cancel_reason: t.cancelReason,
    bonds_released: t.bondsReleased,
    delivery_doc_hash: t.deliveryDocHash,
    delivered_time: t.deliveredTime,
    acceptor: t.acceptor,
    acceptor_role: t.acceptorRole,
    inspection_doc_hash: t.inspectionDocHash,
    accepted_time: t.acceptedTime,
    paid_amount: text(t.paidAmount),
    transfer_ref_hash: t.transferRefHash,
    paid_time: t.paidTime,
    draw_block: t.drawBlock === null ? null : Number(t.drawBlock),
    delivery_deadline: t.deliveryDeadline,
    refusals: t.refusals,
    refusal_reason: t.refusalReason,
    refused_time: t.refusedTime,
    termination_reason: t.terminationReason,
    terminated_time: t.terminatedTime,
    lapsed_time: t.lapsedTime,
    created_pos: posOf(t.created),
    created_time: t.created.blockTime ?? null,
    updated_pos: posOf(t.updated),
    updated_time: t.updated.blockTime ?? null,
  };
}
