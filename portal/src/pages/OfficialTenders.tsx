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
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field } from "../components/ui.tsx";
import { download, textHash } from "../lib/docs.ts";
import { dateTime, secs, won } from "../lib/format.ts";
import { useAsync, useLive } from "../lib/hooks.ts";
import { tenderStateLabel, tenderStateName } from "../lib/labels.ts";
import { tenderPhaseOf } from "../lib/tender-phase.ts";
import { positiveInt } from "../lib/validate.ts";

const SEEDS = "jangbu.tenderSeeds";
const seeds = (): Record<string, Hex> => JSON.parse(localStorage.getItem(SEEDS) ?? "{}");

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
      const all = seeds();
      all[`tx:${r.txHash}`] = seed;
      // Tender ids come from the event; keep the seed by tx hash and by the next id guess.
      const board = (await getConfig()).contracts.TenderBoard?.toLowerCase();
      const id = r.receipt.logs.find((l) => l.address.toLowerCase() === board)?.topics[1];
      if (id) all[String(BigInt(id))] = seed;
      localStorage.setItem(SEEDS, JSON.stringify(all));
      download(
        `tender-seed-${r.txHash.slice(0, 10)}.json`,
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
        title: t(`actions.${fn}`, { id: String(x.id) }),
        details: [],
      });
    } else if (fn === "lapse") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "lapseTender",
        args: [id],
        title: t("actions.lapseTender", { id: String(x.id) }),
        details: [],
      });
    } else if (fn === "refuse") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "refuseDelivery",
        args: [id, reason || "반려", textHash(`검수 반려 ${x.id} ${Date.now()}`)],
        title: t("actions.refuseDelivery", { id: String(x.id) }),
        details: [[t("official.refuseReason"), reason || "—"]],
      });
    } else if (fn === "terminate") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "terminateForNonDelivery",
        args: [id, reason || "납품 불이행"],
        title: t("actions.terminateForNonDelivery", { id: String(x.id) }),
        details: [[t("official.terminateReason"), reason || "—"]],
      });
    } else if (fn === "cancel") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "cancelTender",
        args: [id, reason || "취소"],
        title: t("actions.cancelTender", { id: String(x.id) }),
        details: [[t("official.cancelReason"), reason || "—"]],
      });
    } else if (fn === "accept") {
      await requestSignature({
        contract: "TenderBoard",
        functionName: "acceptDelivery",
        args: [id, textHash(`검수 ${x.id} ${Date.now()}`)],
        title: t("actions.acceptDelivery", { id: String(x.id) }),
        details: [],
      });
    } else if (fn === "pay") {
      const amount = BigInt(String(x.contractAmount ?? 0));
      await requestSignature({
        contract: "TenderBoard",
        functionName: "recordPayment",
        args: [id, amount, textHash(`대금 ${x.id} ${Date.now()}`)],
        title: t("actions.tenderPayment", { id: String(x.id), amount: won(amount) }),
        details: [],
      });
    } else if (fn === "amend") {
      // Never earlier than the current bid deadline, and at least five days from now.
      const oldBid = secs(x.bidDeadline);
      const bid = earliestAmendedBidDeadline(oldBid, Math.ceil(now) + 60);
      const reveal = bid + (secs(x.revealDeadline) - oldBid);
      await requestSignature({
        contract: "TenderBoard",
        functionName: "amendTender",
        args: [
          id,
          String(x.title),
          String(x.specHash),
          BigInt(String(x.quantity)),
          String(x.unit),
          BigInt(String(x.basePrice)),
          Number(x.floorRate),
          bid,
          reveal,
          reason || "정정",
        ],
        title: t("actions.amendTender", { id: String(x.id) }),
        details: [
          [t("official.amendReason"), reason || "—"],
          [t("fields.bidDeadline"), dateTime(bid)],
        ],
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
          {f("bidHours", `${t("fields.bidDeadline")} (h)`)}
          {f("revealHours", `${t("fields.revealDeadline")} (h)`)}
        </div>
        <p>{t("official.seedSaved")}</p>
        <button type="submit" className="btn">
          {t("official.createTender")}
        </button>
      </form>
      <Field
        label={`${t("official.amendReason")} / ${t("official.cancelReason")} / ${t("official.refuseReason")}`}
      >
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <Async state={tenders} empty={(p) => p.items.length === 0}>
        {(p) => (
          <ul style={{ listStyle: "none", padding: 0 }}>
            {p.items.map((x) => {
              const st = tenderStateName(x.state);
              const phase = phaseOf(x);
              const button = (fn: string, label: string, tone = "") => (
                <button
                  type="button"
                  className={`btn small ${tone}`.trim()}
                  disabled={(fn === "revealSeed" || fn === "award") && !seeds()[String(x.id)]}
                  onClick={() => void act(x, fn)}
                >
                  {label}
                </button>
              );
              return (
                <li key={String(x.id)} className="card">
                  <strong>
                    #{String(x.id)} {String(x.title ?? "")}
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
                        {button("amend", t("official.amend"), "secondary")}
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
                </li>
              );
            })}
          </ul>
        )}
      </Async>
    </>
  );
}
