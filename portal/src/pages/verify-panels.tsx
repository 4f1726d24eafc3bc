import { type DragEvent, type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { getConfig, type HistoryEvent, type Json, type PortalConfig } from "../api/client.ts";
import { type AuditPage, describeDifference } from "../chain/audit-labels.ts";
import {
  hostOf,
  type NodeInfo,
  NodeProblem,
  parseNodeUrl,
  probeNode,
  savedNode,
  saveNode,
} from "../chain/audit-node.ts";
import type { AuditResult, ShownLog } from "../chain/rebuild.ts";
import { Hex } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { auditKo } from "../i18n/ko-audit.ts";
import { checkLabel } from "../lib/labels.ts";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("audit", auditKo);

type Rebuild = typeof import("../chain/rebuild.ts");
type TFn = ReturnType<typeof useTranslation>["t"];

/** A node problem (or any failure) as one Korean sentence. */
export function problemMessage(t: TFn, e: unknown): string {
  if (e instanceof NodeProblem) return t(`audit.problem.${e.kind}`, { host: e.host, ...e.detail });
  return t("audit.problem.other", { message: e instanceof Error ? e.message : String(e) });
}

/**
 * "체인과 직접 대조": which node it reads (host and chain id, and who chose it), a field to use
 * another node (kept in this browser), and the comparison `run` makes with the rebuild module,
 * which is loaded only when the auditor asks.
 */
export function ChainAudit({
  page,
  run,
}: {
  page: AuditPage;
  run: (lib: Rebuild, node: NodeInfo, cfg: PortalConfig) => Promise<AuditResult>;
}) {
  const { t } = useTranslation();
  const [cfg, setCfg] = useState<PortalConfig | null>(null);
  const [custom, setCustom] = useState<string | null>(() => savedNode());
  const [typed, setTyped] = useState("");
  const [node, setNode] = useState<NodeInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    getConfig().then(
      (c) => live && setCfg(c),
      (e: unknown) => live && setProblem(problemMessage(t, e)),
    );
    return () => {
      live = false;
    };
  }, [t]);
  const url = custom ?? cfg?.rpcUrl ?? null;
  // Which chain the node is on, said before anything is compared.
  useEffect(() => {
    if (url === null || cfg === null) return;
    let live = true;
    setNode(null);
    setProblem(null);
    setResult(null);
    probeNode(url, cfg.chainId).then(
      (n) => live && setNode(n),
      (e: unknown) => live && setProblem(problemMessage(t, e)),
    );
    return () => {
      live = false;
    };
  }, [url, cfg, t]);

  const start = async () => {
    if (url === null || cfg === null) return;
    setBusy(true);
    setResult(null);
    setProblem(null);
    try {
      const fresh = await probeNode(url, cfg.chainId);
      setNode(fresh);
      const lib = await import("../chain/rebuild.ts");
      setResult(await run(lib, fresh, cfg));
    } catch (e) {
      setProblem(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  };
  const choose = (e: FormEvent) => {
    e.preventDefault();
    try {
      const next = parseNodeUrl(typed);
      saveNode(next);
      setCustom(next);
      setTyped("");
    } catch (error) {
      setProblem(problemMessage(t, error));
    }
  };
  const source =
    custom !== null
      ? t("audit.sourceSaved")
      : cfg?.rpcSource === "address"
        ? t("audit.sourceAddress")
        : t("audit.sourceServer");
  const bad = result?.mismatches ?? [];
  return (
    <div className="verify">
      <p>{t("audit.help")}</p>
      <p data-testid="audit-node">
        <strong>{t("audit.node")}:</strong>{" "}
        {url === null
          ? "…"
          : node !== null && node.url === url
            ? t("audit.nodeChecked", { host: node.host, chainId: node.chainId })
            : t("audit.nodeUnchecked", { host: hostOf(url) })}
        <br />
        <small>{source}</small>
      </p>
      <form className="field" onSubmit={choose} aria-label={t("audit.nodeInput")} noValidate>
        <label htmlFor="audit-node-url">{t("audit.nodeInput")}</label>
        <input
          id="audit-node-url"
          type="url"
          inputMode="url"
          placeholder="https://"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          data-testid="audit-node-url"
        />
        <p className="actions">
          <button type="submit" className="btn small secondary" data-testid="audit-node-save">
            {t("audit.nodeSave")}
          </button>
          {custom !== null && (
            <button
              type="button"
              className="btn small secondary"
              onClick={() => {
                saveNode(null);
                setCustom(null);
              }}
              data-testid="audit-node-reset"
            >
              {t("audit.nodeReset")}
            </button>
          )}
        </p>
      </form>
      <button
        type="button"
        className="btn"
        onClick={() => void start()}
        disabled={busy || url === null || cfg === null}
        data-testid="verify"
      >
        {busy ? t("audit.running") : t("audit.run")}
      </button>
      <div aria-live="polite" role="status" data-testid="verify-result">
        {result && bad.length === 0 && (
          <p className="alert ok check-ok">
            {t("audit.ok", { count: result.compared, events: result.events })}
          </p>
        )}
        {result && bad.length > 0 && (
          <div className="alert danger">
            <p className="check-bad">{t("audit.bad", { count: bad.length })}</p>
            <ul>
              {bad.map((d) => (
                <li key={d.field} className="check-bad" data-field={d.field}>
                  ✗ {describeDifference(t, page, d)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      {problem && (
        <p className="alert danger" role="alert" data-testid="verify-problem">
          {problem}
        </p>
      )}
    </div>
  );
}

/** The record page's audit: the record rebuilt from its own events. */
export function RecordAudit({
  kind,
  id,
  record,
}: {
  kind: "sale" | "programme" | "tender" | "credential";
  id: string;
  record: Json;
}) {
  return (
    <ChainAudit
      page={kind}
      run={(lib, node, cfg) =>
        lib.auditRecord(node, lib.contractsOf(cfg), kind, lib.idOf(id), record)
      }
    />
  );
}

/** The account page's audit: its credentials and sales, both ways. */
export function AccountAudit({
  address,
  credentials,
  sales,
  salesComplete,
}: {
  address: string;
  credentials: Json[];
  sales: Json[];
  salesComplete: boolean;
}) {
  return (
    <ChainAudit
      page="account"
      run={(lib, node, cfg) =>
        lib.auditAccount(node, lib.contractsOf(cfg), address, {
          credentials,
          sales,
          salesComplete,
        })
      }
    />
  );
}

/** The transaction page's audit: its block, result and logs from the auditor's node. */
export function TxAudit({
  hash,
  blockNumber,
  status,
  logs,
}: {
  hash: string;
  blockNumber: bigint;
  status: string;
  logs: ShownLog[];
}) {
  return (
    <ChainAudit
      page="tx"
      run={(lib, node) => lib.auditTx(node, hash, { blockNumber, status, logs })}
    />
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
