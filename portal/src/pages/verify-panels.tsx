import { type DragEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { getConfig, type HistoryEvent, type Json } from "../api/client.ts";
import type { Check, RecordSpec } from "../chain/verify.ts";
import { Hex } from "../components/ui.tsx";
import { checkLabel } from "../lib/labels.ts";

/** Re-reads every event of the record from the RPC and compares it with the API, field by field. */
export function VerifyPanel({
  events,
  record,
  extra,
  spec,
}: {
  events: HistoryEvent[];
  record: Json;
  extra?: Record<string, unknown>;
  spec: RecordSpec;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [rpc, setRpc] = useState("");

  const run = async () => {
    setBusy(true);
    setChecks(null);
    setProblem(null);
    try {
      const [cfg, { compareEvent, compareRecord, readEvent }] = await Promise.all([
        getConfig(),
        import("../chain/verify.ts"),
      ]);
      setRpc(cfg.rpcUrl);
      const chainEvents = [];
      const all: Check[] = [];
      for (const ev of events.filter((e) => e.txHash)) {
        const c = await readEvent(cfg.rpcUrl, ev);
        if (c.missing) {
          all.push({
            field: `${ev.event}·log`,
            api: `#${ev.logIndex ?? "?"}`,
            chain: "∅",
            ok: false,
          });
          continue;
        }
        chainEvents.push(c);
        all.push(...compareEvent(ev, c));
      }
      all.push(...compareRecord(record, chainEvents, spec, extra));
      setChecks(all);
    } catch (e) {
      setProblem((await import("../chain/errors.ts")).errorMessage(t, e));
    } finally {
      setBusy(false);
    }
  };
  const bad = checks?.filter((c) => !c.ok) ?? [];
  return (
    <div className="verify">
      <p>{t("record.verifyHelp", { rpc: rpc || "RPC" })}</p>
      <button
        type="button"
        className="btn"
        onClick={() => void run()}
        disabled={busy}
        data-testid="verify"
      >
        {busy ? t("record.verifying") : t("record.verify")}
      </button>
      <div aria-live="polite" role="status" data-testid="verify-result">
        {checks && bad.length === 0 && checks.length > 0 && (
          <p className="alert ok check-ok">{t("record.verifiedAll", { count: checks.length })}</p>
        )}
        {checks && bad.length > 0 && (
          <div className="alert danger">
            <p className="check-bad">{t("record.mismatch", { count: bad.length })}</p>
            <ul>
              {bad.map((c) => (
                <li key={c.field}>
                  {t("record.mismatchRow", {
                    field: checkLabel(t, c.field),
                    api: c.api,
                    chain: c.chain,
                  })}
                </li>
              ))}
            </ul>
          </div>
        )}
        {checks && checks.length > 0 && (
          <details>
            <summary>{t("record.raw")}</summary>
            <ul>
              {checks.map((c) => (
                <li key={c.field} className={c.ok ? "check-ok" : "check-bad"}>
                  {c.ok ? "✓ " : "✗ "}
                  {c.ok
                    ? t("record.matchRow", { field: checkLabel(t, c.field) })
                    : t("record.mismatchRow", { ...c })}
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
      {problem && (
        <p className="alert danger" role="alert">
          {t("record.verifyError", { message: problem })}
        </p>
      )}
    </div>
  );
}

/** All document hashes a record and its events commit to (fields named …Hash, except txHash). */
export function documentHashes(record: Json, events: HistoryEvent[]): [string, string][] {
  const out: [string, string][] = [];
  const add = (k: string, v: unknown) => {
    if (
      typeof v === "string" &&
      /^0x[0-9a-fA-F]{64}$/.test(v) &&
      /hash$/i.test(k) &&
      !/^(tx|transaction|block)/i.test(k)
    ) {
      if (!out.some(([, h]) => h.toLowerCase() === v.toLowerCase())) out.push([k, v]);
    }
  };
  for (const [k, v] of Object.entries(record)) add(k, v);
  for (const e of events)
    for (const [k, v] of Object.entries(e.args ?? {})) add(`${e.event}.${k}`, v);
  return out;
}

export async function hashFile(file: Blob): Promise<`0x${string}`> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const { keccak256, toHex } = await import("viem");
  return keccak256(toHex(bytes));
}

/** Drop a file: keccak256 of its bytes, computed here, compared with the on-chain hash. */
export function DocCheck({ hashes }: { hashes: [string, string][] }) {
  const { t } = useTranslation();
  const [target, setTarget] = useState(hashes[0]?.[1] ?? "");
  const [computed, setComputed] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const onFile = async (f: File | undefined) => {
    if (!f) return;
    setComputed(await hashFile(f));
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void onFile(e.dataTransfer.files[0]);
  };
  const match = computed && target && computed.toLowerCase() === target.toLowerCase();
  return (
    <div>
      <p>{t("record.docHelp")}</p>
      {hashes.length > 0 && (
        <div className="field">
          <label htmlFor="doc-target">{t("record.docField")}</label>
          <select id="doc-target" value={target} onChange={(e) => setTarget(e.target.value)}>
            {hashes.map(([k, h]) => (
              <option key={k} value={h}>
                {checkLabel(t, k)}: {h.slice(0, 12)}…
              </option>
            ))}
          </select>
        </div>
      )}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: drop target only; the file button inside is the keyboard path */}
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label className="btn secondary" htmlFor="doc-file">
          {t("record.docPick")}
        </label>
        <input
          id="doc-file"
          type="file"
          className="sr-only"
          onChange={(e) => void onFile(e.target.files?.[0])}
          data-testid="doc-file"
        />
      </div>
      <div aria-live="polite" role="status">
        {computed && (
          <>
            <p>
              {t("record.docHash")}: <Hex value={computed} copy />
            </p>
            <p className={`alert ${match ? "ok check-ok" : "danger check-bad"}`}>
              {match ? t("record.docMatch") : t("record.docNoMatch")}
            </p>
          </>
        )}
      </div>
    </div>
  );
}
