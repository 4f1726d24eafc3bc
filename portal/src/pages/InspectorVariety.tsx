/**
 * 품종검정 결과 등록 (issue 24), for an inspector: the farms drawn in each county (as the API lists
 * them from the recorded seed) that have no result yet, each with the share of a non-designated
 * variety found (‰) and the test certificate, whose file is hashed on this device and only its
 * hash goes on chain. Shown only to an account that holds an Inspector credential: the contract
 * refuses the result from anyone else.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Address, keccak256 } from "viem";
import { excludes } from "../../../sdk/variety.ts";
import { type Json, list } from "../api/client.ts";
import type { Session } from "../chain/session.ts";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field, Hex as HexText, Section } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { varietyKo } from "../i18n/ko-variety.ts";
import { shortHex } from "../lib/format.ts";
import { useAsync, useLive } from "../lib/hooks.ts";
import { programmeName, REGIONS, refName } from "../lib/reference.ts";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("variety", varietyKo);

interface Pending {
  programId: number;
  cropYear: number | undefined;
  region: number;
  sellerIndex: number;
  farmer: Address;
}

export default function InspectorVariety({ session }: { session: Session }) {
  const { t } = useTranslation();
  const may = useAsync(async () => {
    if (session.role === "Inspector") return true;
    const valid = await list<Json>("credentials", {
      subject: session.address,
      role: "Inspector",
      status: "valid",
      limit: 1,
    });
    return valid.items.length > 0;
  }, [session.address, session.role]);
  const pending = useAsync(async () => {
    const [counties, results, programmes] = await Promise.all([
      list<Json>("variety/counties"),
      list<Json>("variety/results"),
      list<Json>("programs", { limit: 100 }),
    ]);
    const done = new Set(
      results.items.map((r) => `${String(r.programId)}:${String(r.farmer).toLowerCase()}`),
    );
    const years = new Map(programmes.items.map((p) => [Number(p.id), Number(p.cropYear)]));
    const out: Pending[] = [];
    for (const c of counties.items) {
      for (const s of (c.sampled as Json[]) ?? []) {
        const farmer = String(s.farmer) as Address;
        if (done.has(`${String(c.programId)}:${farmer.toLowerCase()}`)) continue;
        out.push({
          programId: Number(c.programId),
          cropYear: years.get(Number(c.programId)),
          region: Number(c.region),
          sellerIndex: Number(s.sellerIndex),
          farmer,
        });
      }
    }
    return out;
  }, []);
  useLive(() => pending.reload(), 800);
  if (may.data !== true) return null;
  return (
    <Section title={t("variety.inspectorTitle")}>
      <p>{t("variety.inspectorHelp")}</p>
      <Async state={pending} empty={(p) => p.length === 0}>
        {(items) => (
          <ul style={{ listStyle: "none", padding: 0 }}>
            {items.map((p) => (
              <ResultForm
                key={`${p.programId}:${p.farmer}`}
                item={p}
                onDone={() => pending.reload()}
              />
            ))}
          </ul>
        )}
      </Async>
    </Section>
  );
}

function ResultForm({ item, onDone }: { item: Pending; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const [permille, setPermille] = useState("");
  const [certificate, setCertificate] = useState<{ name: string; hash: `0x${string}` } | null>(
    null,
  );
  const [err, setErr] = useState<Record<string, string>>({});
  const submit = async () => {
    const e: Record<string, string> = {};
    const value = /^\d+$/.test(permille.trim()) ? Number(permille.trim()) : Number.NaN;
    if (!(value >= 0 && value <= 1000)) e.permille = t("variety.errPermille");
    if (certificate === null) e.certificate = t("variety.errCertificate");
    setErr(e);
    if (Object.keys(e).length || certificate === null) return;
    const r = await requestSignature({
      contract: "VarietyTesting",
      functionName: "recordResult",
      args: [item.programId, item.farmer, value, certificate.hash],
      title: t(excludes(value) ? "variety.resultTitleExcluded" : "variety.resultTitle", {
        farm: shortHex(item.farmer),
        share: value / 10,
      }),
      details: [
        [t("variety.programme"), programmeName(item.programId, item.cropYear, i18n.language)],
        [t("variety.certificate"), `${certificate.name} (${shortHex(certificate.hash)})`],
      ],
      gas: 400_000n,
    });
    if (r) onDone();
  };
  const id = `${item.programId}-${item.farmer}`;
  return (
    <li className="card" data-testid="variety-pending" data-farmer={item.farmer}>
      <form
        aria-label={t("variety.resultFor", { n: item.sellerIndex })}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p style={{ marginTop: 0 }}>
          <strong>
            {programmeName(item.programId, item.cropYear, i18n.language)} ·{" "}
            {refName(REGIONS, item.region, i18n.language)}
          </strong>
          <br />
          {t("variety.farmNumber", { n: item.sellerIndex })} · <HexText value={item.farmer} />
        </p>
        <Field
          label={t("variety.offTypePermille")}
          hint={t("variety.offTypeHint")}
          error={err.permille}
          required
        >
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={permille}
              onChange={(e) => setPermille(e.target.value)}
            />
          )}
        </Field>
        <Field label={t("variety.certificate")} error={err.certificate} required>
          {(p) => (
            <input
              {...p}
              name={`certificate-${id}`}
              type="file"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (!f) return setCertificate(null);
                const bytes = new Uint8Array(await f.arrayBuffer());
                setCertificate({ name: f.name, hash: keccak256(bytes) });
              }}
            />
          )}
        </Field>
        {certificate && (
          <p className="muted" data-testid="certificate-hash">
            {t("variety.certificateHash")} <HexText value={certificate.hash} />
          </p>
        )}
        <button type="submit" className="btn">
          {t("variety.recordResult")}
        </button>
      </form>
    </li>
  );
}
