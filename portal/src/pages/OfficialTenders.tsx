import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Hex, toHex } from "viem";
import {
  earliestAmendedBidDeadline,
  seedCommitmentOf,
  type TenderPhase,
} from "../../../sdk/tenders.ts";
import { getConfig, type Json, list } from "../api/client.ts";
import { chainNow } from "../chain/verify.ts";
import { SecretFileImport } from "../components/SecretFileImport.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field, Hex as HexText } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { officialKo } from "../i18n/ko-official.ts";
import { download, textHash } from "../lib/docs.ts";
import { dateTime, recordRef, secs, won } from "../lib/format.ts";
import { useAsync, useLive } from "../lib/hooks.ts";
import { tenderStateLabel, tenderStateName } from "../lib/labels.ts";
import { tenderPhaseOf } from "../lib/tender-phase.ts";
import { positiveInt } from "../lib/validate.ts";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("official", officialKo);

const SEEDS = "jangbu.tenderSeeds";
const seeds = (): Record<string, Hex> => JSON.parse(localStorage.getItem(SEEDS) ?? "{}");
const saveSeed = (key: string, seed: Hex) =>
  localStorage.setItem(SEEDS, JSON.stringify({ ...seeds(), [key]: seed }));

export default function OfficialTenders({ region }: { region: number }) {
  const { t } = useTranslation();
  const tenders = useAsync(() => list<Json>("tenders", { limit: 50 }), []);
  useLive(() => tenders.reload(), 800);
  const [v, setV] = useState({
    title: "",
    quantity: "",
    unit: "대",
    base: "",
    rate: "87.745",
    bidHours: "25",
    revealHours: "25",
    bond: "1000000",
  });
  const [err, setErr] = useState<Record<string, string>>({});
  const [reason, setReason] = useState("");
  const [amending, setAmending] = useState<string | null>(null);
  const create = async () => {
    const e: Record<string, string> = {};
    if (!v.title.trim()) e.title = t("official.errText");
    for (const k of ["quantity", "base", "bond", "bidHours", "revealHours"] as const)
      if (positiveInt(v[k]) === null) e[k] = t("official.errPositive");
    const rate = Number(v.rate);
    if (!(rate > 0 && rate <= 100)) e.rate = t("official.errRate");
    setErr(e);
    if (Object.keys(e).length) return;
    const seed = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const spec = `규격서: ${v.title}\n수량: ${v.quantity} ${v.unit}\n`;
    const now = await chainNow((await getConfig()).rpcUrl);
    const bid = now + Number(v.bidHours) * 3600;
    const reveal = bid + Number(v.revealHours) * 3600;
    const r = await requestSignature({
      contract: "TenderBoard",
      functionName: "createTender",
      args: [
        region,
        v.title.trim(),
        textHash(spec),
        BigInt(v.quantity),
        v.unit,
        BigInt(v.base),
        Math.round(rate * 1000),
        bid,
        reveal,
        BigInt(v.bond),
        seedCommitmentOf(seed),
      ],
      title: t("actions.createTender", { title: v.title, base: won(v.base) }),
      details: [
        [t("fields.quantity"), `${v.quantity} ${v.unit}`],
        [t("fields.floorRate"), `${v.rate}%`],
        [t("fields.bidDeadline"), dateTime(bid)],
        [t("fields.revealDeadline"), dateTime(reveal)],
        [t("fields.bond"), won(v.bond)],
      ],
    });
    if (r) {
      // Tender ids come from the event; keep the seed by tx hash and by the tender id.
      saveSeed(`tx:${r.txHash}`, seed);
      const board = (await getConfig()).contracts.TenderBoard?.toLowerCase();
      const id = r.receipt.logs.find((l) => l.address.toLowerCase() === board)?.topics[1];
      if (id) saveSeed(String(BigInt(id)), seed);
      download(
        `입찰-추첨시드-${r.txHash.slice(2, 10)}.json`,
        JSON.stringify({ txHash: r.txHash, seed }),
      );
    }
  };
  const clock = useAsync(async () => chainNow((await getConfig()).rpcUrl), [tenders.data]);
  const now = clock.data ?? Date.now() / 1000;
  const phaseOf = (x: Json): TenderPhase => tenderPhaseOf(x, now);
  const act = async (x: Json, fn: string) => {
    const id = BigInt(String(x.id));
    if (fn === "revealSeed" || fn === "award") {
      // Two steps: the seed's reveal fixes the next block as the draw block; the award follows
      // once that block exists.
      const seed = seeds()[String(x.id)];
      if (!seed) return;
      await requestSignature({
        contract: "TenderBoard",
        functionName: fn,
        args: [id, seed],
        title: t(`actions.${fn}`, { id: recordRef(x) }),
        details: [],
      });
    } else if (fn === "lapse") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "lapseTender",
        args: [id],
        title: t("actions.lapseTender", { id: recordRef(x) }),
        details: [],
      });
    } else if (fn === "refuse") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "refuseDelivery",
        args: [id, reason || "반려", textHash(`검수 반려 ${x.id} ${Date.now()}`)],
        title: t("actions.refuseDelivery", { id: recordRef(x) }),
        details: [[t("official.refuseReason"), reason || "—"]],
      });
    } else if (fn === "terminate") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "terminateForNonDelivery",
        args: [id, reason || "납품 불이행"],
        title: t("actions.terminateForNonDelivery", { id: recordRef(x) }),
        details: [[t("official.terminateReason"), reason || "—"]],
      });
    } else if (fn === "cancel") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "cancelTender",
        args: [id, reason || "취소"],
        title: t("actions.cancelTender", { id: recordRef(x) }),
        details: [[t("official.cancelReason"), reason || "—"]],
      });
    } else if (fn === "accept") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "acceptDelivery",
        args: [id, textHash(`검수 ${x.id} ${Date.now()}`)],
        title: t("actions.acceptDelivery", { id: recordRef(x) }),
        details: [],
      });
    } else if (fn === "pay") {
      const amount = BigInt(String(x.contractAmount ?? 0));
      await requestSignature({
        contract: "TenderBoard",
        functionName: "recordPayment",
        args: [id, amount, textHash(`대금 ${x.id} ${Date.now()}`)],
        title: t("actions.tenderPayment", { id: recordRef(x), amount: won(amount) }),
        details: [],
      });
    }
    tenders.reload();
  };
  const f = (k: keyof typeof v, label: string) => (
    <Field label={label} error={err[k]} required>
      {(p) => <input {...p} value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />}
    </Field>
  );
  return (
    <>
      <form
        aria-label={t("official.createTender")}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h3>{t("official.createTender")}</h3>
        {f("title", t("fields.title"))}
        <div className="row">
          {f("quantity", t("fields.quantity"))}
          {f("unit", t("fields.unit"))}
          {f("base", t("fields.basePrice"))}
          {f("rate", t("fields.floorRate"))}
          {f("bond", t("fields.bond"))}
          {f("bidHours", t("official.bidHours"))}
          {f("revealHours", t("official.revealHours"))}
        </div>
        <p>{t("official.seedSaved")}</p>
        <button type="submit" className="btn">
          {t("official.createTender")}
        </button>
      </form>
      <Field label={`${t("official.cancelReason")} / ${t("official.refuseReason")}`}>
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <Async state={tenders} empty={(p) => p.items.length === 0}>
        {(p) => (
          <ul style={{ listStyle: "none", padding: 0 }}>
            {p.items.map((x) => {
              const st = tenderStateName(x.state);
              const phase = phaseOf(x);
              const needsSeed = phase === "awaitingSeed" || phase === "awaitingAward";
              const noSeed = needsSeed && !seeds()[String(x.id)];
              const button = (fn: string, label: string, tone = "") => (
                <button
                  type="button"
                  className={`btn small ${tone}`.trim()}
                  disabled={(fn === "revealSeed" || fn === "award") && noSeed}
                  aria-describedby={
                    (fn === "revealSeed" || fn === "award") && noSeed
                      ? `no-seed-${String(x.id)}`
                      : undefined
                  }
                  onClick={() => void act(x, fn)}
                >
                  {label}
                </button>
              );
              return (
                <li key={String(x.id)} className="card">
                  <strong>
                    <span data-testid="tender-ref">{recordRef(x)}</span> {String(x.title ?? "")}
                  </strong>{" "}
                  · {tenderStateLabel(t, x.state)} · {won(x.basePrice as string)}
                  {x.deliveryDeadline != null && (st === "Awarded" || st === "Refused") && (
                    <div>
                      {t("official.deliveryDeadline")} {dateTime(x.deliveryDeadline as string)}
                    </div>
                  )}
                  <div className="actions">
                    {phase === "bidding" && (
                      <>
                        <button
                          type="button"
                          className="btn small secondary"
                          aria-expanded={amending === String(x.id)}
                          onClick={() =>
                            setAmending(amending === String(x.id) ? null : String(x.id))
                          }
                        >
                          {t("official.amend")}
                        </button>
                        {button("cancel", t("official.cancelTender"), "danger")}
                      </>
                    )}
                    {phase === "awaitingSeed" && button("revealSeed", t("official.revealSeed"))}
                    {phase === "awaitingAward" && button("award", t("official.award"))}
                    {phase === "lapsable" && button("lapse", t("official.lapse"), "secondary")}
                    {phase === "terminable" &&
                      button("terminate", t("official.terminate"), "danger")}
                    {phase === "inspection" && (
                      <>
                        {button("accept", t("official.acceptDelivery"))}
                        {button("refuse", t("official.refuseDelivery"), "danger")}
                      </>
                    )}
                    {noSeed && (
                      <SecretFileImport
                        field="seed"
                        opens={(seed) =>
                          seedCommitmentOf(seed).toLowerCase() ===
                          String(x.seedCommitment).toLowerCase()
                        }
                        onTaken={(seed) => {
                          saveSeed(String(x.id), seed);
                          tenders.reload();
                        }}
                        testId="seed-missing"
                        describedBy={`no-seed-${String(x.id)}`}
                        text={{
                          missing: t("official.seedMissing"),
                          label: t("official.seedImport"),
                          wrong: t("official.seedWrong", { ref: recordRef(x) }),
                          unreadable: t("official.seedUnreadable"),
                        }}
                      />
                    )}
                    {st === "Accepted" && (
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => void act(x, "pay")}
                      >
                        {t("official.pay")}
                      </button>
                    )}
                  </div>
                  {amending === String(x.id) && phase === "bidding" && (
                    <AmendForm
                      tender={x}
                      now={now}
                      onDone={() => {
                        setAmending(null);
                        tenders.reload();
                      }}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Async>
    </>
  );
}

/** "정정 공고": every term of the tender that may change, pre-filled, checked before signing. */
function AmendForm({ tender, now, onDone }: { tender: Json; now: number; onDone: () => void }) {
  const { t } = useTranslation();
  const oldBid = secs(tender.bidDeadline);
  const earliest = earliestAmendedBidDeadline(oldBid, Math.ceil(now) + 60);
  const [v, setV] = useState({
    title: String(tender.title ?? ""),
    quantity: String(tender.quantity ?? ""),
    unit: String(tender.unit ?? ""),
    base: String(tender.basePrice ?? ""),
    rate: String(Number(tender.floorRate ?? 0) / 1000),
    bidHours: String(Math.ceil((earliest - now) / 3600)),
    revealHours: String(Math.max(1, Math.round((secs(tender.revealDeadline) - oldBid) / 3600))),
    reason: "",
  });
  const [err, setErr] = useState<Record<string, string>>({});
  const submit = async () => {
    const e: Record<string, string> = {};
    if (!v.title.trim()) e.title = t("official.errText");
    if (!v.unit.trim()) e.unit = t("official.errText");
    if (!v.reason.trim()) e.reason = t("official.errReason");
    for (const k of ["quantity", "base", "bidHours", "revealHours"] as const)
      if (positiveInt(v[k]) === null) e[k] = t("official.errPositive");
    const rate = Number(v.rate);
    if (!(rate > 0 && rate <= 100)) e.rate = t("official.errRate");
    const bid = Math.ceil(now) + Number(v.bidHours) * 3600;
    if (!e.bidHours && bid < earliest)
      e.bidHours = t("official.errAmendDeadline", { date: dateTime(earliest) });
    setErr(e);
    if (Object.keys(e).length) return;
    const reveal = bid + Number(v.revealHours) * 3600;
    const sameSpec =
      v.title.trim() === String(tender.title) &&
      v.quantity === String(tender.quantity) &&
      v.unit.trim() === String(tender.unit);
    const spec = sameSpec
      ? String(tender.specHash)
      : textHash(`규격서: ${v.title.trim()}\n수량: ${v.quantity} ${v.unit.trim()}\n`);
    const r = await requestSignature({
      contract: "TenderBoard",
      functionName: "amendTender",
      args: [
        BigInt(String(tender.id)),
        v.title.trim(),
        spec,
        BigInt(v.quantity),
        v.unit.trim(),
        BigInt(v.base),
        Math.round(rate * 1000),
        bid,
        reveal,
        v.reason.trim(),
      ],
      title: t("actions.amendTender", { id: recordRef(tender) }),
      details: [
        [t("official.amendReason"), v.reason.trim()],
        [t("fields.title"), v.title.trim()],
        [t("fields.quantity"), `${v.quantity} ${v.unit.trim()}`],
        [t("fields.basePrice"), won(v.base)],
        [t("fields.floorRate"), `${v.rate}%`],
        [t("fields.bidDeadline"), dateTime(bid)],
        [t("fields.revealDeadline"), dateTime(reveal)],
      ],
    });
    if (r) onDone();
  };
  const f = (k: keyof typeof v, label: string, hint?: string) => (
    <Field label={label} hint={hint} error={err[k]} required>
      {(p) => <input {...p} value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />}
    </Field>
  );
  return (
    <form
      aria-label={t("official.amendForm", { ref: recordRef(tender) })}
      data-testid="amend-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h4>{t("official.amendForm", { ref: recordRef(tender) })}</h4>
      {f("reason", t("official.amendReason"))}
      {f("title", t("fields.title"))}
      <div className="row">
        {f("quantity", t("fields.quantity"))}
        {f("unit", t("fields.unit"))}
        {f("base", t("fields.basePrice"))}
        {f("rate", t("fields.floorRate"))}
        {f(
          "bidHours",
          t("official.bidHours"),
          t("official.amendEarliest", { date: dateTime(earliest) }),
        )}
        {f("revealHours", t("official.revealHours"))}
      </div>
      <p className="muted">
        {t("official.specHash")} <HexText value={String(tender.specHash)} />
      </p>
      <button type="submit" className="btn">
        {t("official.amendSubmit")}
      </button>
    </form>
  );
}
