/**
 * What the API should answer for a record, from its folded state: flat `field → value` maps in
 * the API's field names (e.g. `settlement.balance`, `bids[0x…|1].status`), every figure re-derived
 * (grade prices from the published inputs, settlement from grades and prices, the tender's draw
 * and winner from its revealed bids), and {@link compareFields} to diff them with an API answer.
 * Block-time fields are left out when the events carry no `blockTime`.
 */
import {
  BidStatusNames,
  PackagingNames,
  PaymentKindNames,
  ReleaseReasonNames,
  RoleNames,
  SaleStateNames,
  TenderStateNames,
} from "../generated/enums.ts";
import { isDesignatedVariety, type VarietyPair } from "../variety.ts";
import type { CredentialRecord, CredentialStatus } from "./credential.ts";
import type { ChainPosition, HistoryEntry } from "./event.ts";
import { distributedOf, gradePricesOf, type ProgrammeRecord } from "./programme.ts";
import { type SaleRecord, settlementOf } from "./sale.ts";
import type { RecomputedDraw, TenderRecord } from "./tender.ts";

/** A field's value as compared: canonical text (see {@link canonical}) or null. */
export type FieldValue = string | null;
export type Fields = Map<string, FieldValue>;

const ISO_TIME = /^\d{4}-\d\d-\d\dT[\d:.]+Z$/;

/**
 * Canonical text of a value, so that API JSON and chain values compare: integers as decimal,
 * hex (addresses, hashes) lower-case, ISO times as Unix seconds, arrays element-wise.
 */
export function canonical(value: unknown): FieldValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number")
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v) ?? "null").join(",")}]`;
  if (typeof value === "string") {
    if (/^-?\d+$/.test(value)) return BigInt(value).toString();
    if (/^0x[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
    if (ISO_TIME.test(value)) return String(Math.floor(Date.parse(value) / 1000));
    return value;
  }
  return JSON.stringify(value);
}

function fields(): Fields & { put(name: string, value: unknown): void } {
  const map = new Map<string, FieldValue>() as Fields & { put(name: string, value: unknown): void };
  map.put = (name, value) => {
    map.set(name, canonical(value));
  };
  return map;
}

/** A block time when the events carried it; undefined leaves the field out. */
const putTime = (
  f: ReturnType<typeof fields>,
  name: string,
  seconds: number | null | undefined,
) => {
  if (seconds !== undefined) f.put(name, seconds);
};

function putPosition(f: ReturnType<typeof fields>, name: string, p: ChainPosition | null) {
  f.put(`${name}.txHash`, p?.transactionHash ?? null);
  f.put(`${name}.blockNumber`, p?.blockNumber ?? null);
  f.put(`${name}.logIndex`, p?.logIndex ?? null);
  if (p !== null) putTime(f, `${name}.blockTime`, p.blockTime);
}

/** The key of a history entry: where it is and which event. */
export const historyKey = (e: { blockNumber: bigint | number; logIndex: number; event: string }) =>
  `${e.blockNumber}/${e.logIndex} ${e.event}`;

function putHistory(f: ReturnType<typeof fields>, history: readonly HistoryEntry[]) {
  f.put("history.length", history.length);
  for (const e of history) f.put(`history[${historyKey(e)}]`, e.transactionHash);
}

const timeOf = (p: ChainPosition) => p.blockTime;

/**
 * The sale page's fields: the sale, its settlement, payments and history. `county` is the
 * varieties its 시군 designated for the programme (VarietiesDesignated), undefined when none.
 */
export function saleFields(
  sale: SaleRecord,
  programme: ProgrammeRecord | undefined,
  county: VarietyPair | undefined,
): Fields {
  const f = fields();
  const last = sale.history.at(-1) ?? sale.history[0];
  const first = sale.history[0];
  f.put("id", sale.id);
  f.put("programId", sale.programId);
  f.put("region", sale.region);
  f.put("seq", sale.seq);
  f.put("farmer", sale.farmer);
  f.put("units", sale.units);
  f.put("packaging", PackagingNames[sale.packaging]);
  f.put("variety", sale.variety);
  f.put("designatedVariety", isDesignatedVariety(sale.variety, programme?.varieties, county));
  f.put("collectionPoint", sale.collectionPoint);
  f.put("state", SaleStateNames[sale.state]);
  if (sale.grades === null) f.put("grades", null);
  else {
    f.put("grades.special", sale.grades[0]);
    f.put("grades.first", sale.grades[1]);
    f.put("grades.second", sale.grades[2]);
    f.put("grades.third", sale.grades[3]);
  }
  f.put("rejectedUnits", sale.rejectedUnits);
  f.put("acceptedUnits", sale.acceptedUnits);
  f.put("moisturePermille", sale.moisturePermille);
  f.put("certificateHash", sale.certificateHash);
  f.put("inspector", sale.inspector);
  f.put("inspections", sale.inspections);
  f.put("disputeReasonHash", sale.disputeReasonHash);
  f.put("approver", sale.approver);
  f.put("interimAmount", sale.interimAmount);
  f.put("clawbackAmount", sale.clawbackAmount);
  f.put("paidAmount", sale.paidAmount);
  f.put("repaidAmount", sale.repaidAmount);
  if (first !== undefined) putTime(f, "submittedAt", timeOf(first));
  if (last !== undefined) putTime(f, "updatedAt", timeOf(last));
  putPosition(f, "provenance.created", first ?? null);
  putPosition(f, "provenance.updated", last ?? null);
  const settlement = settlementOf(sale, programme);
  f.put("settlement.interim", settlement.interim);
  f.put("settlement.finalAmount", settlement.finalAmount);
  f.put("settlement.balance", settlement.balance);
  f.put("payments.length", sale.payments.length);
  for (const p of sale.payments) {
    const at = `payments[${p.blockNumber}/${p.logIndex}]`;
    f.put(`${at}.kind`, PaymentKindNames[p.kind]);
    f.put(`${at}.amount`, p.amount);
    f.put(`${at}.transferRefHash`, p.transferRefHash);
    f.put(`${at}.official`, p.official);
    f.put(`${at}.txHash`, p.transactionHash);
    putTime(f, `${at}.blockTime`, p.blockTime);
  }
  putHistory(f, sale.history);
  return f;
}

/** The programme page's fields, grade prices re-derived from the published inputs. */
export function programmeFields(programme: ProgrammeRecord): Fields {
  const f = fields();
  const first = programme.history[0];
  const last = programme.history.at(-1);
  f.put("id", programme.id);
  f.put("official", programme.official);
  f.put("cropYear", programme.cropYear);
  f.put("nationalQuota", programme.nationalQuota);
  f.put("interimPerUnit", programme.interimPerUnit);
  f.put("bulkDeduction", programme.bulkDeduction);
  f.put("deliveryStart", programme.deliveryStart);
  f.put("deliveryEnd", programme.deliveryEnd);
  f.put(
    "varieties",
    programme.varieties.filter((v) => v !== 0),
  );
  f.put("finalPricesSet", programme.priceInputs !== null);
  if (programme.priceInputs === null) f.put("finalPrices", null);
  else {
    const derived = gradePricesOf(programme.priceInputs);
    f.put("finalPrices.farmGatePer80kg", programme.priceInputs.farmGatePer80kg);
    f.put("finalPrices.millingFee", programme.priceInputs.millingFee);
    f.put("finalPrices.millingYieldBps", programme.priceInputs.millingYieldBps);
    f.put("finalPrices.special", derived.special);
    f.put("finalPrices.first", derived.first);
    f.put("finalPrices.second", derived.second);
    f.put("finalPrices.third", derived.third);
  }
  if (first !== undefined) putTime(f, "createdAt", timeOf(first));
  putPosition(f, "provenance.created", first ?? null);
  putPosition(f, "provenance.updated", last ?? null);
  f.put("quotas.length", programme.quotas.size);
  for (const q of programme.quotas.values()) {
    const at = `quotas[${q.region}]`;
    f.put(`${at}.parentRegion`, q.parentRegion);
    f.put(`${at}.units`, q.units);
    f.put(`${at}.distributed`, distributedOf(programme, q.region));
    f.put(`${at}.official`, q.official);
  }
  putHistory(f, programme.history);
  return f;
}

/** The tender page's fields; reserve, floor, candidates and winner from the recomputed draw. */
export function tenderFields(tender: TenderRecord, draw: RecomputedDraw | undefined): Fields {
  const f = fields();
  f.put("id", tender.id);
  f.put("region", tender.region);
  f.put("official", tender.official);
  f.put("title", tender.title);
  f.put("specHash", tender.specHash);
  f.put("quantity", tender.quantity);
  f.put("unit", tender.unit);
  f.put("basePrice", tender.basePrice);
  f.put("floorRate", tender.floorRate);
  f.put("bidDeadline", tender.bidDeadline);
  f.put("revealDeadline", tender.revealDeadline);
  f.put("bond", tender.bond);
  f.put("seedCommitment", tender.seedCommitment);
  f.put("version", tender.version);
  f.put("state", TenderStateNames[tender.state]);
  f.put("commitCount", tender.commitCount);
  f.put("revealedCount", tender.revealedCount);
  // Decided tenders: the figures anyone recomputes, not the ones the event states.
  const decided = tender.outcome !== null;
  f.put("reserve", decided && draw !== undefined ? draw.reserve : tender.reserve);
  f.put("floor", decided && draw !== undefined ? draw.floor : tender.floor);
  f.put(
    "winner",
    tender.outcome?.outcome === "awarded" && draw !== undefined
      ? (draw.winner?.bidder ?? null)
      : tender.winner,
  );
  f.put(
    "contractAmount",
    tender.outcome?.outcome === "awarded" && draw !== undefined
      ? (draw.winner?.price ?? null)
      : tender.contractAmount,
  );
  f.put("cancelReason", tender.cancelReason);
  f.put("bondsReleased", tender.bondsReleased);
  f.put("deliveryDocHash", tender.deliveryDocHash);
  f.put("acceptor", tender.acceptor);
  f.put("acceptorRole", tender.acceptorRole === null ? null : RoleNames[tender.acceptorRole]);
  f.put("inspectionDocHash", tender.inspectionDocHash);
  f.put("paidAmount", tender.paidAmount);
  f.put("transferRefHash", tender.transferRefHash);
  f.put("drawBlock", tender.drawBlock);
  f.put("deliveryDeadline", tender.deliveryDeadline);
  f.put("refusals", tender.refusals);
  f.put("refusalReason", tender.refusalReason);
  f.put("terminationReason", tender.terminationReason);
  if (tender.created.blockTime !== undefined) {
    putTime(f, "deliveredAt", tender.deliveredTime);
    putTime(f, "acceptedAt", tender.acceptedTime);
    putTime(f, "paidAt", tender.paidTime);
    putTime(f, "refusedAt", tender.refusedTime);
    putTime(f, "terminatedAt", tender.terminatedTime);
    putTime(f, "lapsedAt", tender.lapsedTime);
    putTime(f, "createdAt", tender.created.blockTime);
    putTime(f, "updatedAt", tender.updated.blockTime);
  }
  putPosition(f, "provenance.created", tender.created);
  putPosition(f, "provenance.updated", tender.updated);
  f.put("amendments.length", tender.amendments.length);
  for (const a of tender.amendments) {
    const at = `amendments[${a.version}]`;
    for (const key of [
      "official",
      "title",
      "specHash",
      "quantity",
      "unit",
      "basePrice",
      "floorRate",
      "bidDeadline",
      "revealDeadline",
      "reason",
    ] as const)
      f.put(`${at}.${key}`, a[key]);
    f.put(`${at}.txHash`, a.transactionHash);
    f.put(`${at}.blockNumber`, a.blockNumber);
  }
  f.put("bids.length", tender.bids.size);
  for (const [key, b] of tender.bids) {
    const at = `bids[${key.toLowerCase()}]`;
    f.put(`${at}.seq`, b.seq);
    f.put(`${at}.commitment`, b.commitment);
    f.put(`${at}.bondAmount`, b.bondAmount);
    f.put(`${at}.bondDocHash`, b.bondDocHash);
    f.put(`${at}.status`, BidStatusNames[b.status]);
    f.put(
      `${at}.releaseReason`,
      b.releaseReason === null ? null : ReleaseReasonNames[b.releaseReason],
    );
    f.put(`${at}.price`, b.price);
    f.put(`${at}.picks`, b.picks);
    f.put(`${at}.docHash`, b.docHash);
    f.put(`${at}.salt`, b.salt);
    f.put(`${at}.passedOver`, b.passedOver);
    putTime(f, `${at}.committedAt`, b.committed.blockTime);
    if (b.revealed !== null) putTime(f, `${at}.revealedAt`, b.revealed.blockTime);
  }
  const o = tender.outcome;
  const d = tender.drawn;
  if (o === null) f.put("award", null);
  else {
    f.put("award.outcome", o.outcome);
    f.put("award.official", o.official);
    f.put("award.winner", o.outcome === "awarded" ? (draw?.winner?.bidder ?? o.winner) : null);
    f.put("award.price", o.outcome === "awarded" ? (draw?.winner?.price ?? o.price) : null);
    f.put("award.seq", o.outcome === "awarded" ? (draw?.winner?.seq ?? o.seq) : null);
    f.put("award.reserve", draw?.reserve ?? o.reserve);
    f.put("award.floor", draw?.floor ?? o.floor);
    f.put("award.revealedCount", o.revealedCount);
    f.put("award.seed", d?.seed ?? null);
    f.put("award.saltMix", draw?.saltMix ?? d?.saltMix ?? null);
    f.put("award.finalSeed", draw?.finalSeed ?? d?.finalSeed ?? null);
    f.put("award.drawBlock", d?.drawBlock ?? null);
    f.put("award.drawBlockHash", d?.drawBlockHash ?? null);
    f.put("award.candidates", draw?.candidates ?? d?.candidates ?? null);
    f.put("award.pickCounts", draw?.pickCounts ?? d?.pickCounts ?? null);
    f.put("award.chosen", draw?.chosen ?? d?.chosen ?? null);
    f.put("award.txHash", o.transactionHash);
  }
  putHistory(f, tender.history);
  return f;
}

/** The credential page's fields, with its status as `isValid` decides it. */
export function credentialFields(credential: CredentialRecord, status: CredentialStatus): Fields {
  const f = fields();
  f.put("id", credential.id);
  f.put("subject", credential.subject);
  f.put("role", RoleNames[credential.role]);
  f.put("region", credential.region);
  f.put("serial", credential.serial);
  f.put("issuer", credential.issuer);
  f.put("claimsHash", credential.claimsHash);
  putTime(f, "issuedAt", credential.issued.blockTime);
  f.put("expiresAt", credential.expiresAt);
  f.put("status", status);
  f.put("revoked", credential.revoked);
  if (credential.issued.blockTime !== undefined) f.put("revokedAt", credential.revokedAt);
  f.put("revokedBy", credential.revokedBy);
  f.put("revokeReasonHash", credential.revokeReasonHash);
  f.put("txHash", credential.issued.transactionHash);
  f.put("blockNumber", credential.issued.blockNumber);
  putPosition(f, "provenance.created", credential.issued);
  putPosition(f, "provenance.updated", credential.updated);
  putHistory(f, credential.history);
  return f;
}

/** An API event of a record's history, as the API lists it. */
interface ApiHistoryEvent {
  event: string;
  blockNumber: number;
  logIndex: number;
  txHash: string;
}

/**
 * Flattens an API record into the same field names: nested objects by dot, and the keyed lists
 * (payments by position, quotas by region, amendments by version, bids by bidder|version,
 * history by position and event).
 */
export function apiFields(record: Record<string, unknown>): Fields {
  const f = fields();
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix === "" ? k : `${prefix}.${k}`, v);
    } else f.put(prefix, value);
  };
  for (const [key, value] of Object.entries(record)) {
    const list = Array.isArray(value) ? (value as Record<string, unknown>[]) : undefined;
    const keyed = (keyOf: (item: Record<string, unknown>) => string) => {
      f.put(`${key}.length`, list?.length ?? 0);
      for (const item of list ?? []) walk(`${key}[${keyOf(item)}]`, item);
    };
    if (key === "history" && list !== undefined) {
      f.put("history.length", list.length);
      for (const e of list as unknown as ApiHistoryEvent[])
        f.put(`history[${historyKey(e)}]`, e.txHash);
    } else if (key === "payments" && list !== undefined)
      keyed((p) => {
        const tx = p as { blockNumber?: number; id?: string };
        // A payment's id is its event position: blockNumber × 2^20 + logIndex.
        return `${tx.blockNumber}/${Number(BigInt(String(tx.id ?? 0)) % 2n ** 20n)}`;
      });
    else if (key === "quotas" && list !== undefined) keyed((q) => String(q.region));
    else if (key === "amendments" && list !== undefined) keyed((a) => String(a.version));
    else if (key === "bids" && list !== undefined)
      keyed((b) => `${String(b.bidder).toLowerCase()}|${b.version}`);
    else if (key === "varieties" || key === "picks") f.put(key, value);
    else if (key === "award" && value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) f.put(`award.${k}`, v);
    } else walk(key, value);
  }
  return f;
}

/** One difference between the API and the chain. */
export interface FieldMismatch {
  readonly field: string;
  readonly api: FieldValue | undefined;
  readonly chain: FieldValue | undefined;
}

/**
 * Every field of `chain` whose API value differs (undefined: the API has no such field), and
 * every keyed list entry or history event the API has and the chain does not.
 */
export function compareFields(api: Fields, chain: Fields): FieldMismatch[] {
  const out: FieldMismatch[] = [];
  for (const [field, value] of chain) {
    // A null object on one side and its fields on the other compare field by field.
    if (!api.has(field)) {
      const nested = [...api.keys()].some((k) => k.startsWith(`${field}.`));
      out.push({ field, api: nested ? "{…}" : undefined, chain: value });
      continue;
    }
    if (api.get(field) !== value) out.push({ field, api: api.get(field), chain: value });
  }
  for (const [field, value] of api) {
    if (chain.has(field) || !/^(history|payments|quotas|amendments|bids)\[/.test(field)) continue;
    const entry = field.replace(/\].*$/, "]");
    if ([...chain.keys()].some((k) => k.startsWith(entry))) continue;
    if (out.some((m) => m.field === entry)) continue;
    out.push({ field: entry, api: value, chain: undefined });
  }
  return out;
}
