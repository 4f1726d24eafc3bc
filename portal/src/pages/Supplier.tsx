import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Address, toHex } from "viem";
import { BidStatus } from "../../../sdk/generated/enums.ts";
import { bidCommitment } from "../../../sdk/tenders.ts";
import { getConfig, type Json, list } from "../api/client.ts";
import { readChainBid } from "../chain/bids.ts";
import {
  BidAlreadyCommittedError,
  type BidSecret,
  type ChainBid,
  importSecrets,
  isBackedUp,
  keepNewSecret,
  loadSecrets,
  markBackedUp,
  secretForBid,
} from "../chain/secrets.ts";
import type { Session } from "../chain/session.ts";
import { chainNow } from "../chain/verify.ts";
import { RequireSession } from "../components/RequireSession.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field, Loading, Section } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { officialKo } from "../i18n/ko-official.ts";
import { supplierKo } from "../i18n/ko-supplier.ts";
import { download, textHash } from "../lib/docs.ts";
import { dateTime, recordRef, secs, won } from "../lib/format.ts";
import { href, useAsync, useLive } from "../lib/hooks.ts";
import { tenderStateLabel, tenderStateName } from "../lib/labels.ts";
import { tenderPhaseOf } from "../lib/tender-phase.ts";
import { positiveInt, validatePicks } from "../lib/validate.ts";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("official", officialKo);
addKoSection("supplier", supplierKo);

/** What the supplier's pages share: the stored secrets and the backup state. */
interface Vault {
  secrets: BidSecret[];
  backed: boolean;
  setSecrets: (s: BidSecret[]) => void;
  setBacked: (b: boolean) => void;
  exportAll: () => void;
}

function BidForm({
  tender,
  session,
  vault,
  onCommitted,
  onRefused,
}: {
  tender: Json;
  session: Session;
  vault: Vault;
  onCommitted: () => void;
  onRefused: () => void;
}) {
  const { t } = useTranslation();
  const [price, setPrice] = useState("");
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const [bondDoc, setBondDoc] = useState("");
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
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
    const tenderId = String(tender.id);
    const commitment = bidCommitment({
      chainId: cfg.chainId,
      board: cfg.contracts.TenderBoard as Address,
      tenderId: BigInt(tenderId),
      bidder: session.address,
      price: BigInt(p),
      picks,
      docHash,
      salt,
    });
    const secret: BidSecret = {
      tenderId,
      price: String(p),
      picks,
      salt,
      docHash,
      commitment,
      createdAt: Date.now(),
    };
    // Keep the secret BEFORE sending (losing it after commit forfeits the bond), but only when
    // the chain holds no bid of ours yet: the stored secret of a committed bid is never replaced.
    try {
      vault.setSecrets(
        await keepNewSecret(session, secret, () => readChainBid(tenderId, session.address)),
      );
      vault.setBacked(false);
    } catch (err) {
      if (err instanceof BidAlreadyCommittedError) {
        setErrs({ form: t("supplier.alreadyCommitted") });
        onRefused();
        return;
      }
      throw err;
    }
    const bond = BigInt(String(tender.bond ?? 0));
    const sent = await requestSignature({
      contract: "TenderBoard",
      functionName: "commitBid",
      args: [
        BigInt(tenderId),
        commitment,
        bond,
        textHash(bondDoc || `보증서 ${tenderId} ${session.address}`),
      ],
      title: t("actions.commitBid", { id: tenderId, bond: won(bond) }),
      details: [
        [t("supplier.price"), `${won(p)} (🔒)`],
        [t("fields.picks"), `${a}, ${b} (🔒)`],
      ],
    });
    if (sent) onCommitted();
  };
  return (
    <form
      noValidate
      aria-label={t("supplier.bid")}
      onSubmit={(e) => {
        e.preventDefault();
        if (busy) return;
        setBusy(true);
        void submit().finally(() => setBusy(false));
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
      {errs.form && (
        <p className="alert warn" role="alert">
          {errs.form}
        </p>
      )}
      <button type="submit" className="btn" disabled={busy}>
        {t("supplier.commit")}
      </button>
    </form>
  );
}

/** The backup offer shown as soon as a bid is sealed and until the file is saved. */
function BackupOffer({ vault }: { vault: Vault }) {
  const { t } = useTranslation();
  if (vault.backed) return <p className="alert ok">{t("supplier.backedUp")}</p>;
  return (
    <div className="alert warn" role="alert" data-testid="backup-offer">
      <p style={{ marginTop: 0 }}>{t("supplier.backupNow")}</p>
      <button type="button" className="btn" onClick={vault.exportAll}>
        {t("supplier.exportSecrets")}
      </button>
    </div>
  );
}

/** One open tender: the bid form until the chain holds our bid, then that bid's status. */
function OpenTender({
  tender: x,
  session,
  vault,
  now,
}: {
  tender: Json;
  session: Session;
  vault: Vault;
  now: number;
}) {
  const { t } = useTranslation();
  const id = String(x.id);
  const phase = tenderPhaseOf(x, now);
  const [justCommitted, setJustCommitted] = useState(false);
  // A second commit refused (e.g. from a tab opened before the first): said above the status.
  const [refused, setRefused] = useState(false);
  // The chain, not the indexer, says whether we hold a bid: re-read on every change of the tender.
  const chain = useAsync(
    () => readChainBid(id, session.address),
    [id, x.updatedAt, x.commitCount, x.revealedCount, session.address],
  );
  const held: ChainBid | null =
    chain.data &&
    chain.data.bid.status !== BidStatus.None &&
    chain.data.bid.version === chain.data.tenderVersion
      ? chain.data.bid
      : null;
  const secret = secretForBid(vault.secrets, id, held);
  const reveal = async () => {
    if (!secret) return;
    const sent = await requestSignature({
      contract: "TenderBoard",
      functionName: "revealBid",
      args: [BigInt(id), BigInt(secret.price), secret.picks, secret.salt, secret.docHash],
      title: t("actions.revealBid", { id, price: won(secret.price) }),
      details: [[t("fields.picks"), `${secret.picks[0] + 1}, ${secret.picks[1] + 1}`]],
    });
    if (sent) chain.reload();
  };
  return (
    <li className="card" data-testid={`open-tender-${id}`}>
      <h3 style={{ marginTop: 0 }}>
        <a href={href(`/tender/${id}`)}>
          {recordRef(x)} {String(x.title ?? "")}
        </a>
      </h3>
      <p>
        {t(`supplier.phase.${phase}`)} · {t("fields.basePrice")} {won(x.basePrice as string)} ·{" "}
        {phase === "bidding" ? t("fields.bidDeadline") : t("fields.revealDeadline")}{" "}
        {dateTime((phase === "bidding" ? x.bidDeadline : x.revealDeadline) as string)}
      </p>
      {chain.data === undefined ? (
        chain.error ? (
          <p className="alert warn">{t("supplier.chainUnreadable")}</p>
        ) : null
      ) : held === null ? (
        phase === "bidding" ? (
          <BidForm
            tender={x}
            session={session}
            vault={vault}
            onCommitted={() => {
              setJustCommitted(true);
              chain.reload();
            }}
            onRefused={() => {
              setRefused(true);
              chain.reload();
            }}
          />
        ) : (
          <p>{t("supplier.noBid")}</p>
        )
      ) : (
        <div data-testid="bid-status">
          {refused && (
            <p className="alert warn" role="alert">
              {t("supplier.alreadyCommitted")}
            </p>
          )}
          <p>
            <strong>
              {t(
                `supplier.bidStatus.${held.status === BidStatus.Committed ? "Committed" : held.status === BidStatus.Revealed ? "Revealed" : "Closed"}`,
              )}
            </strong>
            {secret && ` · ${t("supplier.price")} ${won(secret.price)}`}
          </p>
          {held.status === BidStatus.Committed && (justCommitted || !vault.backed) && (
            <BackupOffer vault={vault} />
          )}
          {held.status === BidStatus.Committed &&
            phase === "reveal" &&
            (secret ? (
              <button type="button" className="btn" onClick={() => void reveal()}>
                {t("supplier.reveal")}
              </button>
            ) : (
              <p className="alert warn">{t("supplier.noSecret")}</p>
            ))}
          {held.status === BidStatus.Committed && phase === "bidding" && (
            <p>{t("supplier.revealLater", { at: dateTime(x.bidDeadline as string) })}</p>
          )}
        </div>
      )}
    </li>
  );
}

/** A tender we won: its delivery deadline and the delivery record while it is due. */
function WonTender({ tender: x, now }: { tender: Json; now: number }) {
  const { t } = useTranslation();
  const st = tenderStateName(x.state);
  const deliver = async () => {
    await requestSignature({
      contract: "TenderBoard",
      functionName: "recordDelivery",
      args: [BigInt(String(x.id)), textHash(`납품서 ${x.id} ${Date.now()}`)],
      title: t("actions.recordDelivery", { id: recordRef(x) }),
      details: [],
    });
  };
  return (
    <li className="card">
      <h3 style={{ marginTop: 0 }}>
        <a href={href(`/tender/${x.id}`)}>
          {recordRef(x)} {String(x.title ?? "")}
        </a>
      </h3>
      <p>
        {tenderStateLabel(t, x.state)} · {t("fields.amount")} {won(x.contractAmount as string)}
      </p>
      {st === "Refused" && x.refusalReason != null && (
        <p className="alert warn">
          {t("official.refuseReason")}: {String(x.refusalReason)}
        </p>
      )}
      {x.deliveryDeadline != null && (
        <p>
          {t("official.deliveryDeadline")} {dateTime(x.deliveryDeadline as string)}
        </p>
      )}
      {(st === "Awarded" || st === "Refused") &&
        (x.deliveryDeadline == null || now < secs(x.deliveryDeadline)) && (
          <button type="button" className="btn" onClick={() => void deliver()}>
            {t("supplier.deliver")}
          </button>
        )}
    </li>
  );
}

function SupplierHome({ session }: { session: Session }) {
  const { t } = useTranslation();
  const open = useAsync(() => list<Json>("tenders", { state: "Open", limit: 50 }), []);
  const wonTenders = useAsync(
    () => list<Json>("tenders", { winner: session.address, limit: 50 }),
    [session.address],
  );
  useLive(() => {
    open.reload();
    wonTenders.reload();
  }, 800);
  const [secrets, setSecrets] = useState<BidSecret[]>([]);
  const [backed, setBacked] = useState(() => isBackedUp(session));
  const [importErr, setImportErr] = useState<string | null>(null);
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
  const exportAll = () => {
    void loadSecrets(session).then((stored) => {
      download(
        `입찰-비밀값-백업-${session.address.slice(2, 8)}.json`,
        JSON.stringify({ address: session.address, secrets: stored }, null, 2),
        "application/json",
      );
      markBackedUp(session);
      setBacked(true);
    });
  };
  const vault: Vault = { secrets, backed, setSecrets, setBacked, exportAll };
  const importFile = async (f: File) => {
    try {
      const body = JSON.parse(await f.text()) as { secrets?: BidSecret[] };
      if (!Array.isArray(body.secrets)) throw new Error("no secrets");
      setSecrets(await importSecrets(session, body.secrets));
      setBacked(true);
      setImportErr(null);
    } catch {
      setImportErr(t("supplier.importBad"));
    }
  };
  const clock = useAsync(async () => chainNow((await getConfig()).rpcUrl), [open.data]);
  const now = clock.data ?? Date.now() / 1000;
  // The page appears once its lists and the chain's clock have arrived: sections filled in one
  // after the other would push each other down (CLS 0.55 measured on a phone).
  const waiting = (s: { data: unknown; error: unknown }) =>
    s.data === undefined && s.error === undefined;
  if (waiting(open) || waiting(wonTenders) || (open.data !== undefined && waiting(clock)))
    return <Loading />;
  return (
    <>
      <Section title={t("supplier.open")}>
        <Async
          state={open}
          empty={(p) =>
            p.items.filter((x) => ["bidding", "reveal"].includes(tenderPhaseOf(x, now))).length ===
            0
          }
        >
          {(p) => (
            <ul style={{ listStyle: "none", padding: 0 }}>
              {p.items
                .filter((x) => ["bidding", "reveal"].includes(tenderPhaseOf(x, now)))
                .map((x) => (
                  <OpenTender
                    key={String(x.id)}
                    tender={x}
                    session={session}
                    vault={vault}
                    now={now}
                  />
                ))}
            </ul>
          )}
        </Async>
      </Section>
      <Section title={t("supplier.won")}>
        <Async state={wonTenders} empty={(p) => p.items.length === 0}>
          {(p) => (
            <ul style={{ listStyle: "none", padding: 0 }}>
              {p.items.map((x) => (
                <WonTender key={String(x.id)} tender={x} now={now} />
              ))}
            </ul>
          )}
        </Async>
      </Section>
      <Section title={t("supplier.secrets")}>
        <p>{t("supplier.secretsHelp")}</p>
        {!backed && secrets.length > 0 && (
          <p className="alert warn" role="alert">
            {t("supplier.backupWarn")}
          </p>
        )}
        {importErr && (
          <p className="alert warn" role="alert">
            {importErr}
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
