import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Address, toHex } from "viem";
import { bidCommitment } from "../../../sdk/tenders.ts";
import { getConfig, type Json, list } from "../api/client.ts";
import {
  type BidSecret,
  isBackedUp,
  loadSecrets,
  markBackedUp,
  saveSecrets,
} from "../chain/secrets.ts";
import type { Session } from "../chain/session.ts";
import { chainNow } from "../chain/verify.ts";
import { RequireSession } from "../components/RequireSession.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field, Section } from "../components/ui.tsx";
import { download, textHash } from "../lib/docs.ts";
import { dateTime, secs, won } from "../lib/format.ts";
import { href, useAsync, useLive } from "../lib/hooks.ts";
import { tenderStateLabel, tenderStateName } from "../lib/labels.ts";
import { positiveInt, validatePicks } from "../lib/validate.ts";

function BidForm({
  tender,
  session,
  onSealed,
}: {
  tender: Json;
  session: Session;
  onSealed: (s: BidSecret) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [price, setPrice] = useState("");
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const [bondDoc, setBondDoc] = useState("");
  const [errs, setErrs] = useState<Record<string, string>>({});
  const submit = async () => {
    const e: Record<string, string> = {};
    const p = positiveInt(price);
    if (p === null) e.price = t("supplier.errPrice");
    const pm = validatePicks(Number(a), Number(b));
    if (pm) e.picks = t(pm.key);
    setErrs(e);
    if (Object.keys(e).length || p === null) return;
    const cfg = await getConfig();
    const salt = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const docHash = textHash(`입찰서 ${tender.id} ${session.address} ${p}`);
    const picks: [number, number] = [Number(a) - 1, Number(b) - 1];
    const commitment = bidCommitment({
      chainId: cfg.chainId,
      board: cfg.contracts.TenderBoard as Address,
      tenderId: BigInt(String(tender.id)),
      bidder: session.address,
      price: BigInt(p),
      picks,
      docHash,
      salt,
    });
    const secret: BidSecret = {
      tenderId: String(tender.id),
      price: String(p),
      picks,
      salt,
      docHash,
      commitment,
      createdAt: Date.now(),
    };
    // Keep the secret BEFORE sending: losing it after commit forfeits the bond.
    await onSealed(secret);
    const bond = BigInt(String(tender.bond ?? 0));
    await requestSignature({
      contract: "TenderBoard",
      functionName: "commitBid",
      args: [
        BigInt(String(tender.id)),
        commitment,
        bond,
        textHash(bondDoc || `보증서 ${tender.id} ${session.address}`),
      ],
      title: t("actions.commitBid", { id: String(tender.id), bond: won(bond) }),
      details: [
        [t("supplier.price"), `${won(p)} (🔒)`],
        [t("fields.picks"), `${a}, ${b} (🔒)`],
        ["commitment", `${commitment.slice(0, 18)}…`],
      ],
    });
  };
  return (
    <form
      noValidate
      aria-label={t("supplier.bid")}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="row">
        <Field label={t("supplier.price")} error={errs.price} required>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={price}
              onChange={(e) => setPrice(e.target.value)}
            />
          )}
        </Field>
        <Field label={`${t("supplier.picks")} ①`} error={errs.picks} required>
          {(p) => (
            <input {...p} inputMode="numeric" value={a} onChange={(e) => setA(e.target.value)} />
          )}
        </Field>
        <Field label={`${t("supplier.picks")} ②`} required>
          {(p) => (
            <input {...p} inputMode="numeric" value={b} onChange={(e) => setB(e.target.value)} />
          )}
        </Field>
        <Field label={t("supplier.bondDoc")}>
          {(p) => <input {...p} value={bondDoc} onChange={(e) => setBondDoc(e.target.value)} />}
        </Field>
      </div>
      <button type="submit" className="btn">
        {t("supplier.commit")}
      </button>
    </form>
  );
}

function SupplierHome({ session }: { session: Session }) {
  const { t } = useTranslation();
  const tenders = useAsync(() => list<Json>("tenders", { limit: 50 }), []);
  useLive(() => tenders.reload(), 800);
  const [secrets, setSecrets] = useState<BidSecret[]>([]);
  const [backed, setBacked] = useState(() => isBackedUp(session));
  useEffect(() => {
    void loadSecrets(session).then(setSecrets, () => setSecrets([]));
  }, [session]);
  useEffect(() => {
    if (backed || secrets.length === 0) return;
    const h = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = t("supplier.backupWarn");
      return t("supplier.backupWarn");
    };
    window.addEventListener("beforeunload", h);
    return () => window.removeEventListener("beforeunload", h);
  }, [backed, secrets.length, t]);
  const onSealed = async (s: BidSecret) => {
    const next = [...secrets.filter((x) => x.tenderId !== s.tenderId), s];
    setSecrets(next);
    setBacked(false);
    await saveSecrets(session, next, false);
  };
  const exportAll = () => {
    download(
      `jangbu-bids-${session.address.slice(0, 8)}.json`,
      JSON.stringify({ address: session.address, secrets }, null, 2),
      "application/json",
    );
    markBackedUp(session);
    setBacked(true);
  };
  const importFile = async (f: File) => {
    const body = JSON.parse(await f.text()) as { secrets?: BidSecret[] };
    const merged = [...secrets];
    for (const s of body.secrets ?? [])
      if (!merged.some((m) => m.tenderId === s.tenderId)) merged.push(s);
    setSecrets(merged);
    await saveSecrets(session, merged, true);
    setBacked(true);
  };
  const reveal = async (x: Json) => {
    const s = secrets.find((m) => m.tenderId === String(x.id));
    if (!s) return;
    await requestSignature({
      contract: "TenderBoard",
      functionName: "revealBid",
      args: [BigInt(s.tenderId), BigInt(s.price), s.picks, s.salt, s.docHash],
      title: t("actions.revealBid", { id: s.tenderId, price: won(s.price) }),
      details: [[t("fields.picks"), `${s.picks[0] + 1}, ${s.picks[1] + 1}`]],
    });
  };
  const deliver = async (x: Json) => {
    await requestSignature({
      contract: "TenderBoard",
      functionName: "recordDelivery",
      args: [BigInt(String(x.id)), textHash(`납품서 ${x.id} ${Date.now()}`)],
      title: t("actions.recordDelivery", { id: String(x.id) }),
      details: [],
    });
  };
  const clock = useAsync(async () => chainNow((await getConfig()).rpcUrl), [tenders.data]);
  const now = clock.data ?? Date.now() / 1000;
  return (
    <>
      <Section title={t("supplier.secrets")}>
        <p>{t("supplier.secretsHelp")}</p>
        {!backed && secrets.length > 0 && (
          <p className="alert warn" role="alert">
            {t("supplier.backupWarn")}
          </p>
        )}
        <div className="actions">
          <button type="button" className="btn" onClick={exportAll} disabled={secrets.length === 0}>
            {t("supplier.exportSecrets")}
          </button>
          <label className="btn secondary" htmlFor="import-secrets">
            {t("supplier.importSecrets")}
          </label>
          <input
            id="import-secrets"
            type="file"
            className="sr-only"
            accept=".json"
            onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])}
          />
        </div>
      </Section>
      <Section title={t("supplier.open")}>
        <Async state={tenders} empty={(p) => p.items.length === 0}>
          {(p) => (
            <ul style={{ listStyle: "none", padding: 0 }}>
              {p.items.map((x) => {
                const st = tenderStateName(x.state);
                const bidding = st === "Open" && now < secs(x.bidDeadline);
                const revealing =
                  st === "Open" && now >= secs(x.bidDeadline) && now < secs(x.revealDeadline);
                const mine = secrets.find((m) => m.tenderId === String(x.id));
                return (
                  <li key={String(x.id)} className="card">
                    <h3 style={{ marginTop: 0 }}>
                      <a href={href(`/tender/${x.id}`)}>
                        #{String(x.id)} {String(x.title ?? "")}
                      </a>
                    </h3>
                    <p>
                      {tenderStateLabel(t, x.state)} · {t("fields.basePrice")}{" "}
                      {won(x.basePrice as string)} · {t("fields.bidDeadline")}{" "}
                      {dateTime(x.bidDeadline as string)}
                    </p>
                    {bidding && <BidForm tender={x} session={session} onSealed={onSealed} />}
                    {revealing &&
                      (mine ? (
                        <button type="button" className="btn" onClick={() => void reveal(x)}>
                          {t("supplier.reveal")}
                        </button>
                      ) : (
                        <p>{t("supplier.noSecret")}</p>
                      ))}
                    {st === "Refused" && x.refusalReason != null && (
                      <p className="alert warn">
                        {t("official.refuseReason")}: {String(x.refusalReason)}
                      </p>
                    )}
                    {(st === "Awarded" || st === "Refused") &&
                      String(x.winner ?? "").toLowerCase() === session.address.toLowerCase() &&
                      x.deliveryDeadline != null && (
                        <p>
                          {t("official.deliveryDeadline")} {dateTime(x.deliveryDeadline as string)}
                        </p>
                      )}
                    {(st === "Awarded" || st === "Refused") &&
                      String(x.winner ?? "").toLowerCase() === session.address.toLowerCase() &&
                      (x.deliveryDeadline == null || now < secs(x.deliveryDeadline)) && (
                        <button type="button" className="btn" onClick={() => void deliver(x)}>
                          {t("supplier.deliver")}
                        </button>
                      )}
                  </li>
                );
              })}
            </ul>
          )}
        </Async>
      </Section>
    </>
  );
}

export default function Supplier() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("supplier.title")}</h1>
      <RequireSession>{(s) => <SupplierHome session={s} />}</RequireSession>
    </>
  );
}
