/**
 * 품종검정 (issue 24) for officials. A county official names the county's designated varieties
 * for a programme, commits to the secret of its draw before the delivery window closes (the
 * secret is made and kept on this device and offered as a backup file, as the tender seed is),
 * reveals it after the window closes and draws; the drawn farms are recomputed here with
 * sdk/variety.ts from the recorded seed, so anyone can check them. A national official records
 * the farm-gate price observations (산지쌀값) the final prices are fixed from.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Address, type Hex, toHex } from "viem";
import { isSurveyDate, surveyDates } from "../../../sdk/estimate.ts";
import {
  countyDrawPhase,
  drawSample,
  isCounty,
  varietySeedCommitment,
  varietySeedOf,
} from "../../../sdk/variety.ts";
import { API, getConfig, getJson, type Json, list } from "../api/client.ts";
import { chainNow } from "../chain/verify.ts";
import { SecretFileImport } from "../components/SecretFileImport.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field, Hex as HexText } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { officialKo } from "../i18n/ko-official.ts";
import { varietyKo } from "../i18n/ko-variety.ts";
import { download } from "../lib/docs.ts";
import { date, dateTime, secs, shortHex, won } from "../lib/format.ts";
import { useAsync, useLive } from "../lib/hooks.ts";
import { programmeName, REGIONS, refName, VARIETIES } from "../lib/reference.ts";
import { positiveInt } from "../lib/validate.ts";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("official", officialKo);
addKoSection("variety", varietyKo);

/** The draw secrets made on this device, by `programId:region`. */
const SECRETS = "jangbu.varietySecrets";
const secrets = (): Record<string, Hex> => JSON.parse(localStorage.getItem(SECRETS) ?? "{}");
const keyOf = (programId: number, region: number) => `${programId}:${region}`;
const keep = (programId: number, region: number, secret: Hex) => {
  const all = secrets();
  all[keyOf(programId, region)] = secret;
  localStorage.setItem(SECRETS, JSON.stringify(all));
};

export default function OfficialVariety({ region }: { region: number }) {
  const { t, i18n } = useTranslation();
  const programmes = useAsync(() => list<Json>("programs", { limit: 50 }), []);
  const [picked, setPicked] = useState<string>("");
  const progs = programmes.data?.items ?? [];
  const program = progs.find((p) => String(p.id) === picked) ?? progs[0];
  return (
    <>
      <Field label={t("variety.programme")}>
        {(p) => (
          <select
            {...p}
            value={program ? String(program.id) : ""}
            onChange={(e) => setPicked(e.target.value)}
          >
            {progs.map((x) => (
              <option key={String(x.id)} value={String(x.id)}>
                {programmeName(x.id as number, x.cropYear as number, i18n.language)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {program &&
        (isCounty(region) ? (
          <CountyDraw key={String(program.id)} program={program} region={region} />
        ) : region === 0 ? (
          <FarmGatePrice key={String(program.id)} program={program} />
        ) : (
          <p className="status-msg">{t("variety.notCountyOrNation")}</p>
        ))}
    </>
  );
}

// ------------------------------------------------------------------ county: designation and draw

function CountyDraw({ program, region }: { program: Json; region: number }) {
  const { t, i18n } = useTranslation();
  const programId = Number(program.id);
  const county = useAsync(async () => {
    const [c, now] = await Promise.all([
      list<Json>("variety/counties", { program: programId, region }),
      getConfig().then((cfg) => chainNow(cfg.rpcUrl)),
    ]);
    return { row: c.items[0] ?? null, now };
  }, [programId, region]);
  useLive(() => county.reload(), 800);
  const [varieties, setVarieties] = useState<[string, string]>(["101", ""]);
  const [err, setErr] = useState<string | null>(null);
  const [, setStored] = useState(0);
  const row = county.data?.row ?? null;
  const deliveryEnd = secs(program.deliveryEnd);
  const phase = county.data
    ? countyDrawPhase(
        row && {
          varieties: (row.varieties as number[]) ?? [],
          commitment: (row.commitment as string | null) ?? null,
          anchorBlock: (row.anchorBlock as number | null) ?? null,
          seed: (row.seed as string | null) ?? null,
        },
        deliveryEnd,
        county.data.now,
      )
    : null;
  const regionName = refName(REGIONS, region, i18n.language);
  const name = (code: string | number) => refName(VARIETIES, code, i18n.language);
  const secret = secrets()[keyOf(programId, region)];

  const designate = async () => {
    const [a, b] = varieties;
    if (!a) return setErr(t("variety.errFirst"));
    if (a === b) return setErr(t("variety.errSame"));
    setErr(null);
    const r = await requestSignature({
      contract: "VarietyTesting",
      functionName: "designateVarieties",
      args: [programId, region, [Number(a), Number(b || 0)]],
      title: t("variety.designateTitle", {
        region: regionName,
        varieties: [a, b].filter(Boolean).map(name).join(", "),
      }),
      details: [[t("variety.programme"), String(programId)]],
    });
    if (r) county.reload();
  };
  const commit = async () => {
    const fresh = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const commitment = varietySeedCommitment(programId, region, fresh);
    const r = await requestSignature({
      contract: "VarietyTesting",
      functionName: "commitSeed",
      args: [programId, region, commitment],
      title: t("variety.commitTitle", { region: regionName }),
      details: [
        [t("variety.commitment"), shortHex(commitment)],
        [t("variety.windowEnds"), dateTime(deliveryEnd)],
      ],
    });
    if (r) {
      keep(programId, region, fresh);
      download(
        `variety-secret-${programId}-${region}.json`,
        JSON.stringify({ programId, region, secret: fresh, commitment, txHash: r.txHash }),
        "application/json",
      );
      county.reload();
    }
  };
  const reveal = async () => {
    if (!secret) return;
    const r = await requestSignature({
      contract: "VarietyTesting",
      functionName: "revealSeed",
      args: [programId, region, secret],
      title: t("variety.revealTitle", { region: regionName }),
      details: [[t("variety.secret"), shortHex(secret)]],
    });
    if (r) county.reload();
  };
  const draw = async () => {
    const r = await requestSignature({
      contract: "VarietyTesting",
      functionName: "draw",
      args: [programId, region],
      title: t("variety.drawTitle", { region: regionName }),
      details: [],
      gas: 200_000n,
    });
    if (r) county.reload();
  };

  return (
    <div data-testid="county-draw">
      <h3>{t("variety.countyHeading", { region: regionName })}</h3>
      {phase && (
        <p data-testid="draw-phase" className="status-msg">
          {t(`variety.phase.${phase}`, { date: dateTime(deliveryEnd) })}
        </p>
      )}
      {row && (row.varieties as number[]).length > 0 && (
        <p data-testid="designated">
          {t("variety.designated")}: {(row.varieties as number[]).map(name).join(", ")}
        </p>
      )}
      {(phase === "designate" || phase === "commit") && (
        <form
          aria-label={t("variety.designate")}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void designate();
          }}
        >
          <p>{t("variety.designateHelp")}</p>
          <div className="row">
            {([0, 1] as const).map((i) => (
              <Field
                key={i}
                label={t(i === 0 ? "variety.first" : "variety.second")}
                error={i === 0 ? err : undefined}
                required={i === 0}
              >
                {(p) => (
                  <select
                    {...p}
                    value={varieties[i]}
                    onChange={(e) => {
                      const next: [string, string] = [...varieties];
                      next[i] = e.target.value;
                      setVarieties(next);
                    }}
                  >
                    {i === 1 && <option value="">{t("variety.none")}</option>}
                    {Object.keys(VARIETIES).map((code) => (
                      <option key={code} value={code}>
                        {name(code)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            ))}
          </div>
          <button type="submit" className="btn">
            {t("variety.designate")}
          </button>
        </form>
      )}
      {phase === "commit" && (
        <div className="actions">
          <p>{t("variety.commitHelp")}</p>
          <button type="button" className="btn" onClick={() => void commit()}>
            {t("variety.commit")}
          </button>
        </div>
      )}
      {phase === "reveal" && (
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={!secret}
            aria-describedby={secret ? undefined : "variety-no-secret"}
            onClick={() => void reveal()}
          >
            {t("variety.reveal")}
          </button>
          {!secret && row && (
            <SecretFileImport
              field="secret"
              opens={(secret) =>
                varietySeedCommitment(programId, region, secret).toLowerCase() ===
                String(row.commitment).toLowerCase()
              }
              onTaken={(secret) => {
                keep(programId, region, secret);
                setStored((n) => n + 1);
              }}
              testId="secret-missing"
              describedBy="variety-no-secret"
              text={{
                missing: t("variety.secretMissing"),
                label: t("variety.secretImport"),
                wrong: t("variety.secretWrong"),
                unreadable: t("variety.secretUnreadable"),
              }}
            />
          )}
        </div>
      )}
      {phase === "draw" && (
        <div className="actions">
          <p>{t("variety.drawHelp", { block: Number(row?.anchorBlock ?? 0) })}</p>
          <button type="button" className="btn" onClick={() => void draw()}>
            {t("variety.draw")}
          </button>
        </div>
      )}
      {phase === "drawn" && row && <DrawnFarms row={row} />}
    </div>
  );
}

/**
 * The drawn farms, recomputed in this browser: the seed from the revealed secret and the anchor
 * block's hash, then the farm numbers from the seed (sdk/variety.ts). Both are compared with what
 * the chain recorded and what the API lists, and any difference is said plainly.
 */
function DrawnFarms({ row }: { row: Json }) {
  const { t } = useTranslation();
  const check = useAsync(async () => {
    const cfg = await getConfig();
    const seed = varietySeedOf({
      chainId: cfg.chainId,
      varietyTesting: cfg.contracts.VarietyTesting as Address,
      programId: Number(row.programId),
      region: Number(row.region),
      secret: row.secret as Hex,
      anchorHash: row.anchorHash as Hex,
    });
    const numbers = drawSample(row.seed as Hex, Number(row.sellers));
    const listed = ((row.sampled as Json[]) ?? []).map((s) => Number(s.sellerIndex));
    return {
      seedMatches: seed.toLowerCase() === String(row.seed).toLowerCase(),
      numbers,
      listMatches: numbers.join(",") === [...listed].sort((a, b) => a - b).join(","),
    };
  }, [String(row.seed)]);
  const results = useAsync(
    () =>
      list<Json>("variety/results", { program: Number(row.programId), region: Number(row.region) }),
    [String(row.seed)],
  );
  useLive(() => results.reload(), 800);
  const byFarm = new Map(
    (results.data?.items ?? []).map((r) => [String(r.farmer).toLowerCase(), r]),
  );
  return (
    <div data-testid="drawn-farms">
      <p>
        {t("variety.drawnSummary", {
          sellers: Number(row.sellers),
          size: Number(row.sampleSize),
        })}
      </p>
      <p className="muted">
        {t("variety.seed")} <HexText value={String(row.seed)} />
      </p>
      <Async state={check}>
        {(c) => (
          <p
            data-testid="draw-check"
            className={`alert ${c.seedMatches && c.listMatches ? "ok" : "danger"}`}
          >
            {c.seedMatches && c.listMatches
              ? t("variety.checkOk", { numbers: c.numbers.join(", ") })
              : t("variety.checkFailed")}
          </p>
        )}
      </Async>
      <ul style={{ listStyle: "none", padding: 0 }}>
        {((row.sampled as Json[]) ?? []).map((s) => {
          const r = byFarm.get(String(s.farmer).toLowerCase());
          return (
            <li key={String(s.sellerIndex)} className="card" data-testid="drawn-farm">
              {t("variety.farmNumber", { n: Number(s.sellerIndex) })} ·{" "}
              <HexText value={String(s.farmer)} /> ·{" "}
              {r
                ? t(r.excluded ? "variety.resultExcluded" : "variety.resultPassed", {
                    share: Number(r.offTypePermille) / 10,
                  })
                : t("variety.resultPending")}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// ------------------------------------------------------------------ nation: farm-gate prices

/** `yyyymmdd` as `yyyy-mm-dd`. */
const isoOf = (code: number) =>
  `${String(code).slice(0, 4)}-${String(code).slice(4, 6)}-${String(code).slice(6, 8)}`;

function FarmGatePrice({ program }: { program: Json }) {
  const { t } = useTranslation();
  const programId = Number(program.id);
  const cropYear = Number(program.cropYear);
  const series = useAsync(
    () => getJson<Json>(`${API}/programs/${programId}/farm-gate-prices`),
    [programId],
  );
  useLive(() => series.reload(), 800);
  const observed = ((series.data?.observations as Json[] | undefined) ?? []).map((o) =>
    String(o.date),
  );
  const open = surveyDates(cropYear).filter((d) => !observed.includes(isoOf(d)));
  const [v, setV] = useState({ date: "", price: "" });
  const [err, setErr] = useState<Record<string, string>>({});
  const chosen = Number(v.date || open[0] || 0);
  const submit = async () => {
    const e: Record<string, string> = {};
    if (!isSurveyDate(chosen, cropYear)) e.date = t("variety.errSurveyDate");
    if (positiveInt(v.price) === null) e.price = t("official.errPositive");
    setErr(e);
    if (Object.keys(e).length) return;
    const r = await requestSignature({
      contract: "FarmGatePrices",
      functionName: "recordObservation",
      args: [programId, chosen, Number(v.price)],
      title: t("variety.priceTitle", {
        date: date(`${isoOf(chosen)}T00:00:00+09:00`),
        price: won(v.price),
      }),
      details: [[t("variety.programme"), String(programId)]],
    });
    if (r) {
      setV({ date: "", price: "" });
      series.reload();
    }
  };
  return (
    <div data-testid="farm-gate-prices">
      <h3>{t("variety.pricesHeading")}</h3>
      <p>{t("variety.pricesHelp")}</p>
      <form
        aria-label={t("variety.recordPrice")}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          <Field label={t("variety.surveyDate")} error={err.date} required>
            {(p) => (
              <select
                {...p}
                value={String(chosen || "")}
                onChange={(e) => setV({ ...v, date: e.target.value })}
              >
                {surveyDates(cropYear).map((d) => (
                  <option key={d} value={String(d)}>
                    {date(`${isoOf(d)}T00:00:00+09:00`)}
                    {observed.includes(isoOf(d)) ? ` (${t("variety.alreadyRecorded")})` : ""}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("variety.pricePer80kg")} error={err.price} required>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                value={v.price}
                onChange={(e) => setV({ ...v, price: e.target.value })}
              />
            )}
          </Field>
        </div>
        <button type="submit" className="btn">
          {t("variety.recordPrice")}
        </button>
      </form>
      <Async state={series}>
        {(s) => (
          <table className="data" data-testid="price-series">
            <caption>{t("variety.seriesCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("variety.surveyDate")}</th>
                <th scope="col">{t("variety.pricePer80kg")}</th>
              </tr>
            </thead>
            <tbody>
              {((s.observations as Json[]) ?? []).map((o) => (
                <tr key={String(o.date)}>
                  <td>{date(`${String(o.date)}T00:00:00+09:00`)}</td>
                  <td>{won(o.pricePer80kg as number)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </div>
  );
}
