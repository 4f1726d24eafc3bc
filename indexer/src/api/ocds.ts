/**
 * OCDS 1.1 releases built from the event history: one release per state change of a tender or a
 * purchase (a sale), each a full snapshot of the process after that change, with the tag of the
 * change (planning, tender, tenderAmendment, tenderUpdate, tenderCancellation, award, contract,
 * implementation, contractUpdate, contractTermination). Bids use the bids extension
 * (`bids.details[]`). A tender contract that ends early (termination for non-delivery) is
 * `contractTermination`; a tender that lapses without an award is `unsuccessful`.
 */
import { dateOfDeliveryDay } from "../../../sdk/variety.ts";
import { PaymentKind, RoleNames } from "../domain.ts";
import type { EventJson } from "./common.ts";

export const OCDS_BID_EXTENSION =
  "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";

type Json = Record<string, unknown>;
type Party = { id: string; name: string; roles: string[] };

const amount = (v: unknown) => ({ amount: Number(v), currency: "KRW" });

function partiesBook() {
  const parties = new Map<string, Party>();
  return {
    add(id: string, name: string, role: string) {
      const party = parties.get(id) ?? { id, name, roles: [] };
      if (!party.roles.includes(role)) party.roles.push(role);
      parties.set(id, party);
      return { id, name };
    },
    list: () => [...parties.values()].map((p) => ({ ...p, roles: [...p.roles] })),
  };
}

const buyerOf = (region: number) => ({ id: `KR-REGION-${region}`, name: `지방자치단체 ${region}` });

export type OcdsContext = { ocidPrefix: string };

const release = (ocid: string, ev: EventJson, tag: string[], body: Json) => ({
  ocid,
  id: `${ocid}-${ev.id}`,
  date: ev.blockTime,
  tag,
  initiationType: "tender",
  language: "ko",
  ...structuredClone(body),
});

/** Releases of one tender, oldest first, from its history. */
export function tenderReleases(
  ctx: OcdsContext,
  tender: { id: string; region: number },
  history: readonly EventJson[],
) {
  const ocid = `${ctx.ocidPrefix}-${tender.region}-T-${tender.id}`;
  const book = partiesBook();
  const buyer = buyerOf(tender.region);
  book.add(buyer.id, buyer.name, "buyer");
  book.add(buyer.id, buyer.name, "procuringEntity");
  const t: Json = {
    id: tender.id,
    status: "active",
    procurementMethod: "open",
    mainProcurementCategory: "goods",
  };
  const bids = new Map<string, Json>();
  const amendments: Json[] = [];
  let award: Json | undefined;
  let contract: Json | undefined;
  let draw: Json | undefined;
  let deliveries = 0;
  let inspections = 0;
  const out: Json[] = [];
  const snapshot = (ev: EventJson, tag: string[]) => {
    const body: Json = {
      buyer,
      parties: book.list(),
      tender: { ...t, ...(amendments.length > 0 ? { amendments } : {}) },
    };
    if (bids.size > 0) body.bids = { details: [...bids.values()] };
    if (award !== undefined) body.awards = [award];
    if (contract !== undefined) body.contracts = [contract];
    out.push(release(ocid, ev, tag, body));
  };
  const terms = (a: Json) => {
    t.title = String(a.title);
    t.items = [
      {
        id: "1",
        description: String(a.title),
        quantity: Number(a.quantity),
        unit: { name: String(a.unit) },
      },
    ];
    t.value = amount(a.basePrice);
    t.tenderPeriod = { endDate: new Date(Number(a.bidDeadline) * 1000).toISOString() };
    t.awardPeriod = { startDate: new Date(Number(a.revealDeadline) * 1000).toISOString() };
    t.documents = [
      {
        id: String(a.specHash),
        documentType: "technicalSpecifications",
        title: "규격서 (hash of the specification)",
      },
    ];
  };
  for (const ev of history) {
    const a = ev.args as Json;
    switch (ev.event) {
      case "TenderCreated":
        terms(a);
        t.procurementMethodDetails = "복수예가 sealed-bid tender, reserve price drawn on chain";
        (t.tenderPeriod as Json).startDate = ev.blockTime;
        snapshot(ev, ["tender"]);
        break;
      case "TenderAmended":
        terms(a);
        (t.tenderPeriod as Json).startDate = history[0]?.blockTime ?? ev.blockTime;
        amendments.push({ id: String(a.version), date: ev.blockTime, rationale: String(a.reason) });
        snapshot(ev, ["tenderAmendment"]);
        break;
      case "BidCommitted": {
        const bidder = book.add(String(a.bidder), String(a.bidder), "tenderer");
        bids.set(`${a.bidder}-${a.version}`, {
          id: `${a.bidder}-v${a.version}`,
          date: ev.blockTime,
          status: "pending",
          tenderers: [bidder],
        });
        snapshot(ev, ["tenderUpdate"]);
        break;
      }
      case "BidRevealed": {
        const bid = bids.get(`${a.bidder}-${a.version}`);
        if (bid !== undefined) {
          bid.status = "valid";
          bid.value = amount(a.price);
        }
        snapshot(ev, ["tenderUpdate"]);
        break;
      }
      case "BondForfeited": {
        const bid = bids.get(`${a.bidder}-${a.version}`);
        if (bid !== undefined) bid.status = "disqualified";
        break;
      }
      case "BondReleased": {
        const bid = bids.get(`${a.bidder}-${a.version}`);
        if (bid !== undefined && bid.status === "pending") bid.status = "withdrawn";
        break;
      }
      case "BidPassedOver": {
        // The bidder's credential was no longer valid at the award.
        const bid = bids.get(`${a.bidder}-${a.version}`);
        if (bid !== undefined) bid.status = "disqualified";
        break;
      }
      case "ReserveDrawn":
        draw = {
          reserve: String(a.reserve),
          floor: String(a.floor),
          drawBlock: String(a.drawBlock),
        };
        break;
      case "TenderAwarded": {
        const supplier = book.add(String(a.winner), String(a.winner), "supplier");
        t.status = "complete";
        award = {
          id: `${tender.id}-award`,
          status: "active",
          date: ev.blockTime,
          value: amount(a.price),
          suppliers: [supplier],
          description: `reserve ${draw?.reserve ?? a.reserve}, floor ${draw?.floor ?? a.floor}, draw block ${draw?.drawBlock ?? "?"}`,
          relatedBids: [...bids.values()]
            .filter((b) => b.status === "valid" && (b.tenderers as Party[])[0]?.id === a.winner)
            .map((b) => String(b.id)),
        };
        contract = {
          id: `${tender.id}-contract`,
          awardID: award.id,
          status: "active",
          dateSigned: ev.blockTime,
          value: amount(a.price),
          period: {
            startDate: ev.blockTime,
            endDate: new Date(Number(a.deliveryDeadline) * 1000).toISOString(),
          },
        };
        snapshot(ev, ["award", "contract"]);
        break;
      }
      case "TenderFailed":
        t.status = "unsuccessful";
        snapshot(ev, ["tenderUpdate"]);
        break;
      case "TenderLapsed":
        t.status = "unsuccessful";
        t.statusDetails = "no award within the award period (유찰)";
        snapshot(ev, ["tenderUpdate"]);
        break;
      case "TenderTerminated": {
        if (contract === undefined) break;
        contract.status = "terminated";
        contract.statusDetails = `terminated for non-delivery: ${String(a.reason)}`;
        if (award !== undefined) award.status = "cancelled";
        snapshot(ev, ["contractTermination"]);
        break;
      }
      case "TenderCancelled":
        t.status = "cancelled";
        t.statusDetails = String(a.reason);
        snapshot(ev, ["tenderCancellation"]);
        break;
      case "DeliveryRecorded":
      case "DeliveryRefused":
      case "DeliveryAccepted":
      case "TenderPaid": {
        if (contract === undefined) break;
        const impl = (contract.implementation ?? { milestones: [], transactions: [] }) as {
          milestones: Json[];
          transactions: Json[];
        };
        if (ev.event === "DeliveryRecorded") {
          deliveries++;
          impl.milestones.push({
            id: deliveries === 1 ? "delivery" : `delivery-${deliveries}`,
            title: "납품",
            type: "delivery",
            status: "met",
            dateMet: ev.blockTime,
          });
        } else if (ev.event === "DeliveryRefused") {
          inspections++;
          impl.milestones.push({
            id: `inspection-${inspections}`,
            title: "검수 (반려)",
            type: "assessment",
            status: "notMet",
            description: String(a.reason),
            dueDate: new Date(Number(a.deliveryDeadline) * 1000).toISOString(),
          });
        } else if (ev.event === "DeliveryAccepted") {
          inspections++;
          impl.milestones.push({
            id: inspections === 1 ? "inspection" : `inspection-${inspections}`,
            title: `검수 (${RoleNames[Number(a.role)] ?? a.role})`,
            type: "assessment",
            status: "met",
            dateMet: ev.blockTime,
          });
        } else {
          impl.transactions.push({
            id: ev.id,
            date: ev.blockTime,
            value: amount(a.amount),
            payer: buyer,
            payee: { id: String(a.winner), name: String(a.winner) },
          });
          contract.status = "terminated";
        }
        contract.implementation = impl;
        snapshot(ev, ["implementation"]);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Releases of one purchase (a RicePurchase sale), oldest first. */
export function saleReleases(
  ctx: OcdsContext,
  sale: { id: string; region: number; programId: number; farmer: string },
  history: readonly EventJson[],
) {
  const ocid = `${ctx.ocidPrefix}-${sale.region}-R-${sale.id}`;
  const book = partiesBook();
  const buyer = buyerOf(sale.region);
  book.add(buyer.id, buyer.name, "buyer");
  const farmer = book.add(sale.farmer, sale.farmer, "tenderer");
  const t: Json = {
    id: sale.id,
    status: "active",
    procurementMethod: "direct",
    mainProcurementCategory: "goods",
  };
  let award: Json | undefined;
  let contract: Json | undefined;
  const out: Json[] = [];
  const snapshot = (ev: EventJson, tag: string[]) => {
    const body: Json = {
      buyer,
      parties: book.list(),
      planning: { rationale: `공공비축미곡 매입 (programme ${sale.programId})` },
      tender: { ...t },
    };
    if (award !== undefined) body.awards = [award];
    if (contract !== undefined) body.contracts = [contract];
    out.push(release(ocid, ev, tag, body));
  };
  for (const ev of history) {
    const a = ev.args as Json;
    switch (ev.event) {
      case "SaleSubmitted":
        t.title = `공공비축미 매입: ${a.units} units`;
        if (a.deliveryDay !== undefined) {
          // The day the farm will deliver (submitSale's deliveryDay), as a delivery milestone.
          t.milestones = [
            {
              id: "delivery",
              title: "출하 예정일",
              type: "delivery",
              dueDate: `${dateOfDeliveryDay(Number(a.deliveryDay))}T00:00:00+09:00`,
              status: "scheduled",
            },
          ];
        }
        t.items = [
          {
            id: "1",
            description: `벼 (paddy), variety ${a.variety}`,
            quantity: Number(a.units),
            unit: { name: "40 kg bag equivalent" },
          },
        ];
        t.tenderers = [farmer];
        t.tenderPeriod = { startDate: ev.blockTime };
        snapshot(ev, ["planning", "tender"]);
        break;
      case "VarietyTestRecorded": {
        if (Number(a.programId) !== sale.programId) break;
        const documents = (t.documents as Json[] | undefined) ?? [];
        t.documents = [
          ...documents,
          {
            id: String(a.certificateHash),
            documentType: "evaluationReports",
            title: `품종검정 certificate: non-designated variety ${Number(a.offTypePermille) / 10}%`,
          },
        ];
        snapshot(ev, ["tenderUpdate"]);
        break;
      }
      case "FarmExclusionRecorded":
        if (Number(a.programId) !== sale.programId) break;
        t.statusDetails = `farm excluded by variety test (${Number(a.offTypePermille) / 10}% non-designated variety > 20%): no allocation or sale in crop years ${a.fromYear}–${a.toYear}`;
        snapshot(ev, ["tenderUpdate"]);
        break;
      case "SaleCancelled":
        t.status = "cancelled";
        snapshot(ev, ["tenderCancellation"]);
        break;
      case "SaleInspected": {
        const accepted = (a.gradeUnits as number[]).reduce((x, y) => x + Number(y), 0);
        t.documents = [
          {
            id: String(a.certificateHash),
            documentType: "evaluationReports",
            title: a.reinspection === true ? "재검사 certificate" : "검사 certificate",
          },
        ];
        if (accepted === 0) t.status = "unsuccessful";
        else t.status = "active";
        snapshot(ev, ["tenderUpdate"]);
        break;
      }
      case "SaleDisputed":
        t.statusDetails = "inspection disputed by the farmer";
        snapshot(ev, ["tenderUpdate"]);
        break;
      case "PurchaseApproved": {
        book.add(sale.farmer, sale.farmer, "supplier");
        t.status = "complete";
        award = {
          id: `${sale.id}-award`,
          status: "active",
          date: ev.blockTime,
          value: amount(a.interimAmount),
          suppliers: [farmer],
        };
        contract = {
          id: `${sale.id}-contract`,
          awardID: award.id,
          status: "active",
          dateSigned: ev.blockTime,
          value: amount(a.interimAmount),
        };
        snapshot(ev, ["award", "contract"]);
        break;
      }
      case "ClawbackRecorded":
        if (contract !== undefined) {
          contract.description = `final price below the interim payment: ${a.amount} won to repay`;
          snapshot(ev, ["contractUpdate"]);
        }
        break;
      case "PaymentRecorded": {
        if (contract === undefined) break;
        const kind = Number(a.kind);
        const impl = (contract.implementation ?? { transactions: [] }) as { transactions: Json[] };
        const repayment = kind === PaymentKind.ClawbackRepayment;
        impl.transactions.push({
          id: ev.id,
          date: ev.blockTime,
          value: amount(a.amount),
          payer: repayment ? farmer : buyer,
          payee: repayment ? buyer : farmer,
        });
        contract.implementation = impl;
        if (kind !== PaymentKind.Interim) contract.status = "terminated";
        snapshot(ev, ["implementation"]);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

export function releasePackage(uri: string, releases: Json[]) {
  return {
    uri,
    version: "1.1",
    publishedDate: new Date().toISOString(),
    publisher: { name: "jangbu public-procurement ledger" },
    extensions: [OCDS_BID_EXTENSION],
    releases,
  };
}

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
/** An array OCDS merges item by item: every item an object with an `id`. */
const isIdentified = (v: unknown): v is Json[] =>
  Array.isArray(v) && v.length > 0 && v.every((item) => isObject(item) && "id" in item);

/**
 * OCDS merging (1.1 "Merging" of the standard): objects merge field by field, arrays of objects
 * with an `id` merge item by item on that id (new ids are appended in order), any other value
 * (strings, numbers, arrays of values) replaces the earlier one, and `null` removes the field.
 */
function mergeInto(target: Json, source: Json): Json {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (value === null || value === undefined) delete target[key];
    else if (isObject(value)) target[key] = mergeInto(isObject(current) ? current : {}, value);
    else if (isIdentified(value) && (current === undefined || isIdentified(current))) {
      const merged = ((current as Json[] | undefined) ?? []).map((item) => ({ ...item }));
      for (const item of value) {
        const at = merged.findIndex((m) => m.id === item.id);
        if (at === -1) merged.push(mergeInto({}, item));
        else merged[at] = mergeInto(merged[at] as Json, item);
      }
      target[key] = merged;
    } else target[key] = structuredClone(value);
  }
  return target;
}

/**
 * The compiled release of one process: its releases (oldest first) merged in order, tagged
 * `compiled`, dated by the newest release.
 */
export function compileReleases(releases: readonly Json[]): Json {
  const compiled: Json = {};
  for (const r of releases) {
    const { id: _id, tag: _tag, date: _date, ...fields } = r;
    mergeInto(compiled, fields);
  }
  const last = releases.at(-1);
  return {
    ocid: last?.ocid,
    id: `${String(last?.ocid)}-compiled`,
    date: last?.date,
    tag: ["compiled"],
    ...compiled,
  };
}

/**
 * An OCDS record package of one process (ocid): every release, embedded, and the compiled
 * release. `packageUri` names the release package the releases come from.
 */
export function recordPackage(uri: string, packageUri: string, releases: Json[]) {
  const ocid = String(releases[0]?.ocid ?? "");
  return {
    uri,
    version: "1.1",
    publishedDate: String(releases.at(-1)?.date ?? new Date().toISOString()),
    publisher: { name: "jangbu public-procurement ledger" },
    extensions: [OCDS_BID_EXTENSION],
    packages: [packageUri],
    records: [{ ocid, releases, compiledRelease: compileReleases(releases) }],
  };
}
