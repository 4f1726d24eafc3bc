import { lazy, type ReactNode, Suspense, useState } from "react";

const TxPage = lazy(() => import("./TxPage.tsx"));

import { useTranslation } from "react-i18next";
import {
  ApiError,
  asEvent,
  getConfig,
  getRecord,
  type HistoryEvent,
  type Json,
  list,
  provenanceOf,
  updatedOf,
} from "../api/client.ts";
import { recordExports } from "../api/exports.ts";
import { rpcCall } from "../chain/rpc-lite.ts";
import { PasskeyMark } from "../components/PasskeyMark.tsx";
import { Async, Badge, CopyButton, DL, Hex, Loading, Section, Who } from "../components/ui.tsx";
import { date, dateTime, num, percent, recordRef, tonnes, won } from "../lib/format.ts";
import { href, useAsync, useLive } from "../lib/hooks.ts";
import {
  eventLabel,
  gradeLabels,
  gradeUnitsOf,
  packagingLabel,
  paymentKindLabel,
  roleLabel,
  SALE_PATH,
  saleStateLabel,
  saleStateName,
  tenderStateLabel,
  toneOfSale,
} from "../lib/labels.ts";
import { COLLECTION_POINTS, programmeName, REGIONS, refName, VARIETIES } from "../lib/reference.ts";
import { SaleTable } from "./Search.tsx";
import { AccountAudit, DocCheck, documentHashes, RecordAudit } from "./verify-panels.tsx";

const API_KIND: Record<string, string> = {
  sale: "sales",
  programme: "programs",
  tender: "tenders",
  credential: "credentials",
  account: "accounts",
};

async function fetchRecord(kind: string, id: string): Promise<Json> {
  try {
    return await getRecord<Json>(
      API_KIND[kind] ?? kind,
      kind === "sale" && /^0x/.test(id) ? BigInt(id).toString() : id,
    );
  } catch (e) {
    if (kind === "programme" && e instanceof ApiError && e.status === 404)
      return getRecord<Json>("programmes", id);
    throw e;
  }
}

export function Provenance({ record }: { record: Json }) {
  const { t } = useTranslation();
  const p = provenanceOf(record);
  const head = useAsync(async () => {
    const cfg = await getConfig();
    return BigInt(await rpcCall<string>(cfg.rpcUrl, "eth_blockNumber"));
  }, [p.blockNumber]);
  if (!p.txHash) return null;
  const conf =
    head.data !== undefined && p.blockNumber ? head.data - BigInt(p.blockNumber) + 1n : null;
  return (
    <DL
      rows={[
        [
          t("record.txHash"),
          <span key="tx" className="hex-wrap">
            <a href={href(`/tx/${p.txHash}`)}>
              <code className="hex" style={{ wordBreak: "break-all" }}>
                {p.txHash}
              </code>
            </a>
            <CopyButton value={p.txHash} label={t("record.txHash")} />
          </span>,
        ],
        [t("record.block"), num(p.blockNumber)],
        [t("record.confirmations"), conf === null ? "—" : num(conf)],
        [t("fields.time"), dateTime(p.blockTime)],
        [t("record.logIndex"), p.logIndex === undefined ? "—" : String(p.logIndex)],
        [
          t("record.signer"),
          <Hex key="s" value={p.signer} to={p.signer ? `/account/${p.signer}` : undefined} copy />,
        ],
        [t("record.signerRole"), p.signerRole ? roleLabel(t, p.signerRole) : "—"],
        [t("record.contract"), p.contract ?? "—"],
        [t("record.event"), p.event ?? "—"],
      ]}
    />
  );
}

function History({ events }: { events: HistoryEvent[] }) {
  const { t } = useTranslation();
  if (events.length === 0) return null;
  return (
    <ol className="history">
      {events.map((e) => (
        <li key={`${e.txHash}-${e.logIndex}`}>
          <strong>{eventLabel(t, e.event)}</strong> · {dateTime(e.blockTime)} · {t("record.block")}{" "}
          {num(e.blockNumber)} · <Hex value={e.txHash} to={`/tx/${e.txHash}`} />
          <details>
            <summary>{t("record.raw")}</summary>
            <pre style={{ whiteSpace: "pre-wrap" }}>{JSON.stringify(e.args, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ol>
  );
}

export function SaleTimeline({ state }: { state: unknown }) {
  const { t } = useTranslation();
  const s = saleStateName(state);
  const idx = SALE_PATH.indexOf(s as (typeof SALE_PATH)[number]);
  const order = [
    "Submitted",
    "Inspected",
    "Reinspected",
    "Disputed",
    "Approved",
    "InterimPaid",
    "ClawbackDue",
    "Settled",
  ];
  const reached = (step: string) => {
    if (idx >= 0) return SALE_PATH.indexOf(step as (typeof SALE_PATH)[number]) <= idx;
    return order.indexOf(step) <= order.indexOf(s);
  };
  return (
    <ol className="timeline" aria-label={t("record.timeline")}>
      {SALE_PATH.map((step) => (
        <li
          key={step}
          className={step === s ? "current" : reached(step) ? "done" : ""}
          aria-current={step === s ? "step" : undefined}
        >
          {reached(step) ? "✓ " : ""}
          {t(`saleState.${step}`)}
        </li>
      ))}
      {!SALE_PATH.includes(s as (typeof SALE_PATH)[number]) && (
        <li className="current">{saleStateLabel(t, state)}</li>
      )}
    </ol>
  );
}

function SaleBusiness({ r }: { r: Json }) {
  const { t, i18n } = useTranslation();
  const grades = gradeUnitsOf(r);
  const labels = gradeLabels(t);
  const payments = useAsync(
    async () =>
      Array.isArray(r.payments)
        ? { items: r.payments as Json[], nextCursor: null }
        : list("payments", { sale: String(r.id) }),
    [r.id, r.payments],
  );
  const st = (r.settlement ?? {}) as Json;
  return (
    <>
      <SaleTimeline state={r.state} />
      <DL
        rows={[
          [
            t("fields.state"),
            <Badge key="s" tone={toneOfSale(r.state)}>
              {saleStateLabel(t, r.state)}
            </Badge>,
          ],
          [t("fields.ref"), <strong key="r">{recordRef(r)}</strong>],
          [
            t("fields.programme"),
            <a key="p" href={href(`/programme/${r.programId}`)}>
              {programmeName(r.programId as number, undefined, i18n.language)}
            </a>,
          ],
          [t("fields.region"), refName(REGIONS, r.region as number, i18n.language)],
          [
            t("fields.farmer"),
            <span key="f">
              <Who
                address={r.farmer as string}
                holderRole="Farmer"
                region={r.region as number}
                copy
              />{" "}
              <PasskeyMark address={r.farmer as string} />
            </span>,
          ],
          [t("fields.units"), `${num(r.units as number)} (${tonnes(r.units as number)})`],
          [t("fields.packaging"), packagingLabel(t, r.packaging)],
          [t("fields.variety"), refName(VARIETIES, r.variety as number, i18n.language)],
          [
            t("fields.collectionPoint"),
            refName(COLLECTION_POINTS, r.collectionPoint as number, i18n.language),
          ],
          [
            t("fields.deliveryDate"),
            typeof r.deliveryDate === "string" ? date(`${r.deliveryDate}T00:00:00+09:00`) : "—",
          ],
          [
            t("fields.grades"),
            grades.some((g) => g > 0)
              ? grades.map((g, i) => `${labels[i]} ${num(g)}`).join(" · ")
              : "—",
          ],
          [t("fields.rejectedUnits"), num(r.rejectedUnits as number)],
          [
            t("fields.moisture"),
            r.moisturePermille ? `${(Number(r.moisturePermille) / 10).toFixed(1)}%` : "—",
          ],
          [
            t("fields.inspector"),
            <Who
              key="i"
              address={r.inspector as string | null}
              holderRole="Inspector"
              region={r.region as number}
            />,
          ],
          [t("fields.acceptedUnits"), num(r.acceptedUnits as number)],
          [t("fields.interim"), won(r.interimAmount as string)],
          [t("fields.clawback"), won(r.clawbackAmount as string)],
          [t("fields.paid"), won(r.paidAmount as string)],
          ...(st.finalAmount
            ? ([
                [
                  t("fields.finalPrices"),
                  `${won(st.finalAmount as string)} (${won(st.balance as string)})`,
                ],
              ] as [string, string][])
            : []),
        ]}
      />
      <h3>{t("search.payments")}</h3>
      <Async state={payments} empty={(p) => p.items.length === 0}>
        {(p) => (
          <ul>
            {p.items.map((x: Json) => (
              <li key={`${x.txHash ?? x.pos}`}>
                {paymentKindLabel(t, x.kind)} {won(x.amount as string)} ·{" "}
                {date(x.blockTime as number)}
              </li>
            ))}
          </ul>
        )}
      </Async>
      <p>
        <a className="btn secondary" href={href(`/receipt/${r.id}`)}>
          {t("record.receipt")}
        </a>
      </p>
    </>
  );
}

function ProgrammeBusiness({ r }: { r: Json }) {
  const { t, i18n } = useTranslation();
  const v = (Array.isArray(r.varieties) ? r.varieties : [r.varietyA, r.varietyB]).filter(
    (x) => Number(x) > 0,
  );
  const fp = (r.finalPrices ?? {}) as Json;
  const prices = [
    fp.special ?? r.priceSpecial,
    fp.first ?? r.priceFirst,
    fp.second ?? r.priceSecond,
    fp.third ?? r.priceThird,
  ];
  const labels = gradeLabels(t);
  return (
    <DL
      rows={[
        [t("fields.cropYear"), String(r.cropYear ?? "—")],
        [
          t("fields.nationalQuota"),
          `${num(r.nationalQuota as string)} (${tonnes(r.nationalQuota as string)})`,
        ],
        [t("fields.interimPerUnit"), won(r.interimPerUnit as string)],
        [t("fields.bulkDeduction"), won(r.bulkDeduction as string)],
        [
          t("fields.deliveryWindow"),
          `${date(r.deliveryStart as number)} ~ ${date(r.deliveryEnd as number)}`,
        ],
        [
          t("fields.varieties"),
          v.map((x) => refName(VARIETIES, x as number, i18n.language)).join(", ") || "—",
        ],
        [
          t("fields.finalPrices"),
          r.finalPricesSet
            ? prices.map((p, i) => `${labels[i]} ${won(p as string)}`).join(" · ")
            : "—",
        ],
      ]}
    />
  );
}

function TenderBusiness({ r, events }: { r: Json; events: HistoryEvent[] }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <DL
        rows={[
          [t("fields.ref"), <strong key="r">{recordRef(r)}</strong>],
          [t("fields.state"), <Badge key="s">{tenderStateLabel(t, r.state)}</Badge>],
          [t("fields.title"), String(r.title ?? "—")],
          [t("fields.region"), refName(REGIONS, r.region as number, i18n.language)],
          [t("fields.quantity"), `${num(r.quantity as string)} ${r.unit ?? ""}`],
          [t("fields.basePrice"), won(r.basePrice as string)],
          [t("fields.floorRate"), r.floorRate ? percent(Number(r.floorRate), 100_000) : "—"],
          [t("fields.bidDeadline"), dateTime(r.bidDeadline as number)],
          [t("fields.revealDeadline"), dateTime(r.revealDeadline as number)],
          [t("fields.bond"), won(r.bond as string)],
          [t("fields.reserve"), won(r.reserve as string)],
          [t("fields.floor"), won(r.floor as string)],
          [
            t("fields.winner"),
            <Who key="w" address={r.winner as string | null} holderRole="Supplier" />,
          ],
          [t("fields.price"), won((r.contractAmount ?? r.price) as string)],
          [
            t("fields.bidders"),
            `${num(r.commitCount as number)} / ${num(r.revealedCount as number)}`,
          ],
        ]}
      />
      <ReserveCheck r={r} events={events} />
    </>
  );
}

/** Recomputes the 복수예가 draw from the seed and the revealed bids, in the browser. */
function ReserveCheck({ r, events }: { r: Json; events: HistoryEvent[] }) {
  const { t } = useTranslation();
  const award = (r.award ?? null) as Json | null;
  const drawnEv = events.find((e) => e.event === "ReserveDrawn");
  const drawn = award?.seed ? award : drawnEv ? (drawnEv.args as Json) : null;
  const result = useAsync(async () => {
    if (!drawn) return null;
    const [cfg, { drawReserve, finalSeedOf, pickCountsOf, saltMixOf }] = await Promise.all([
      getConfig(),
      import("../../../sdk/tenders.ts"),
    ]);
    const bids = Array.isArray(r.bids) ? (r.bids as Json[]) : [];
    const revealed = bids.filter((b) => b.salt && Array.isArray(b.picks));
    const fromEvents = events.filter((e) => e.event === "BidRevealed").map((e) => e.args as Json);
    const source = revealed.length > 0 ? revealed : fromEvents;
    const salts = source.map((b) => String(b.salt) as `0x${string}`);
    const picks = source.map(
      (b) => (b.picks as unknown[]).map(Number) as unknown as [number, number],
    );
    const mix = saltMixOf(salts);
    const board = (cfg.contracts.TenderBoard ??
      "0x0000000000000000000000000000000000000000") as `0x${string}`;
    const fs = finalSeedOf(
      cfg.chainId,
      board,
      BigInt(String(r.id)),
      String(drawn.seed) as `0x${string}`,
      mix,
      // The hash of the draw block, mixed in since issue 19 (ReserveDrawn and the award row).
      String(drawn.drawBlockHash) as `0x${string}`,
    );
    const d = drawReserve(
      BigInt(String(r.basePrice)),
      BigInt(String(r.floorRate)),
      fs,
      pickCountsOf(picks),
    );
    return {
      d,
      recorded: BigInt(String(drawn.reserve ?? r.reserve)),
      recordedFloor: BigInt(String(drawn.floor ?? r.floor)),
      fsOk: !drawn.finalSeed || fs.toLowerCase() === String(drawn.finalSeed).toLowerCase(),
    };
  }, [drawn?.seed, events.length]);
  return (
    <section aria-labelledby="reserve-h">
      <h3 id="reserve-h">{t("record.recomputed")}</h3>
      {!drawn ? (
        <p>{t("record.noDraw")}</p>
      ) : (
        <Async state={result}>
          {(x) =>
            x && (
              <div data-testid="reserve-check">
                <p
                  className={`alert ${x.d.reserve === x.recorded && x.d.floor === x.recordedFloor && x.fsOk ? "ok check-ok" : "danger check-bad"}`}
                >
                  {x.d.reserve === x.recorded && x.d.floor === x.recordedFloor && x.fsOk
                    ? t("record.recomputeOk", { reserve: won(x.d.reserve), floor: won(x.d.floor) })
                    : t("record.recomputeBad", {
                        reserve: won(x.d.reserve),
                        recorded: won(x.recorded),
                      })}
                </p>
                <p>
                  {t("record.candidates")}:{" "}
                  {x.d.candidates.map((c, i) => `${i + 1}) ${won(c)}`).join(", ")}
                </p>
                <p>
                  {t("record.chosen")}: {x.d.chosen.map((i) => i + 1).join(", ")}
                </p>
              </div>
            )
          }
        </Async>
      )}
    </section>
  );
}

function CredentialBusiness({ r }: { r: Json }) {
  const { t, i18n } = useTranslation();
  return (
    <DL
      rows={[
        [t("fields.role"), roleLabel(t, r.role)],
        [
          t("fields.subject"),
          <Hex key="s" value={r.subject as string} to={`/account/${r.subject}`} copy />,
        ],
        [t("fields.region"), refName(REGIONS, r.region as number, i18n.language)],
        [
          t("fields.issuer"),
          <Hex key="i" value={r.issuer as string} to={`/account/${r.issuer}`} />,
        ],
        [t("fields.expiresAt"), date(r.expiresAt as number)],
        [
          t("fields.state"),
          r.revoked ? (
            <Badge key="r" tone="danger">
              {t("fields.revoked")}
            </Badge>
          ) : (
            <Badge key="v" tone="ok">
              {t("fields.valid")}
            </Badge>
          ),
        ],
      ]}
    />
  );
}

function AccountPage({ address }: { address: string }) {
  const { t, i18n } = useTranslation();
  const creds = useAsync(() => list("credentials", { subject: address }), [address]);
  const sales = useAsync(() => list("sales", { farmer: address, limit: 50 }), [address]);
  return (
    <>
      <h1>
        {t("record.account")} <Hex value={address} copy /> <PasskeyMark address={address} />
      </h1>
      <Section title={t("search.credentials")}>
        <Async state={creds} empty={(p) => p.items.length === 0}>
          {(p) => (
            <ul>
              {p.items.map((c: Json) => (
                <li key={String(c.id)}>
                  <a href={href(`/credential/${c.id}`)}>{roleLabel(t, c.role)}</a> ·{" "}
                  {refName(REGIONS, c.region as number, i18n.language)} ·{" "}
                  {c.revoked ? t("fields.revoked") : t("fields.valid")}
                </li>
              ))}
            </ul>
          )}
        </Async>
      </Section>
      <Section title={t("search.sales")}>
        <Async state={sales} empty={(p) => p.items.length === 0}>
          {(p) => <SaleTable items={p.items as Json[]} />}
        </Async>
      </Section>
      {creds.data && sales.data && (
        <Section title={t("record.verify")}>
          <AccountAudit
            address={address}
            credentials={creds.data.items as Json[]}
            sales={sales.data.items as Json[]}
            salesComplete={sales.data.nextCursor === null}
          />
        </Section>
      )}
    </>
  );
}

export function RecordPage({ kind, id }: { kind: string; id: string }) {
  if (kind === "tx")
    return (
      <Suspense fallback={<Loading />}>
        <TxPage hash={id} />
      </Suspense>
    );
  if (kind === "account") return <AccountPage address={id} />;
  return <RecordView kind={kind} id={id} />;
}

function RecordView({ kind, id }: { kind: string; id: string }) {
  const { t } = useTranslation();
  const rec = useAsync(() => fetchRecord(kind, id), [kind, id]);
  const hist = useAsync(
    async () =>
      rec.data && Array.isArray(rec.data.history)
        ? (rec.data.history as unknown[]).map(asEvent)
        : ([] as HistoryEvent[]),
    [rec.data],
  );
  const [showRaw, setShowRaw] = useState(false);
  useLive(() => {
    rec.reload();
    hist.reload();
  }, 800);
  const title = t(`record.${kind}`);
  return (
    <>
      <h1>
        {title}{" "}
        <span className="hex">
          {typeof rec.data?.ref === "string"
            ? rec.data.ref
            : `#${id.length > 20 ? `0x${BigInt(id).toString(16).slice(0, 8)}…` : id}`}
        </span>
      </h1>
      <Async state={rec}>
        {(r) => {
          const events = hist.data ?? [];
          let business: ReactNode = null;
          if (kind === "sale") business = <SaleBusiness r={r} />;
          else if (kind === "programme") business = <ProgrammeBusiness r={r} />;
          else if (kind === "tender") business = <TenderBusiness r={r} events={events} />;
          else if (kind === "credential") business = <CredentialBusiness r={r} />;
          const up = updatedOf(r);
          return (
            <div data-testid="record-ready">
              <Section title={t("record.business")}>{business}</Section>
              <Section title={t("record.provenance")}>
                <Provenance record={r} />
                {up && up.txHash !== provenanceOf(r).txHash && (
                  <p>
                    {t("record.history")}: <Hex value={up.txHash} to={`/tx/${up.txHash}`} /> ·{" "}
                    {t("record.block")} {num(up.blockNumber)} · {dateTime(up.blockTime)}
                  </p>
                )}
                <button
                  type="button"
                  className="btn small secondary"
                  aria-expanded={showRaw}
                  onClick={() => setShowRaw(!showRaw)}
                >
                  {t("record.raw")}
                </button>
                {showRaw && (
                  <pre style={{ whiteSpace: "pre-wrap" }}>{JSON.stringify(r, null, 2)}</pre>
                )}
              </Section>
              {(kind === "sale" ||
                kind === "programme" ||
                kind === "tender" ||
                kind === "credential") && (
                <Section title={t("record.verify")}>
                  <RecordAudit kind={kind} id={id} record={r} />
                </Section>
              )}
              <Section title={t("record.docCheck")}>
                <DocCheck hashes={documentHashes(r, events)} />
              </Section>
              <Section title={t("record.history")}>
                <History events={events} />
                <p className="actions">
                  {recordExports(kind, String(r.id ?? id), r).map((x) => (
                    <a
                      key={x.href}
                      className="btn small secondary"
                      href={x.href}
                      download
                      data-export={x.format}
                    >
                      {t(x.label)}
                    </a>
                  ))}
                </p>
              </Section>
            </div>
          );
        }}
      </Async>
    </>
  );
}
