/**
 * `npm run bench` runs every benchmark group; `npm run bench -- gas api` runs only those.
 *
 * A group is a module scripts/bench/<group>.ts exporting
 *   `async function run(): Promise<Record<string, { value: number; unit: string }>>`;
 * groups without a module yet are skipped with a note. Results are printed as a table and
 * written to bench/results.json as one flat object keyed "<group>.<metric>". Running only some
 * groups keeps the other groups' entries already in that file.
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "../lib/preflight.ts";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureContracts } from "./contracts.ts";

export interface Metric {
  value: number;
  unit: string;
}
export type Metrics = Record<string, Metric>;

const GROUPS = ["gas", "indexer", "api", "relay", "portal", "verify"] as const;
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, "..", "..", "bench", "results.json");

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const unknown = requested.filter((g) => !(GROUPS as readonly string[]).includes(g));
if (unknown.length > 0) {
  console.error(`unknown benchmark group(s): ${unknown.join(", ")} (known: ${GROUPS.join(", ")})`);
  process.exit(2);
}
const groups = requested.length > 0 ? requested : [...GROUPS];

const isMetric = (m: unknown): m is Metric =>
  typeof m === "object" &&
  m !== null &&
  typeof (m as Metric).value === "number" &&
  Number.isFinite((m as Metric).value) &&
  typeof (m as Metric).unit === "string";

// Every group deploys the contracts (the portal's through npm start): compile them first if a
// fresh checkout has none, or if they changed since the last build.
try {
  await ensureContracts();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const results: Metrics = {};
let failed = false;
for (const group of groups) {
  const file = join(HERE, `${group}.ts`);
  if (!existsSync(file)) {
    console.log(`${group}: skipped (no scripts/bench/${group}.ts yet)`);
    continue;
  }
  const started = Date.now();
  try {
    const { run } = (await import(pathToFileURL(file).href)) as { run?: () => Promise<Metrics> };
    if (typeof run !== "function") throw new Error(`${file} does not export run()`);
    for (const [name, metric] of Object.entries(await run())) {
      if (!isMetric(metric)) throw new Error(`metric ${name}: ${JSON.stringify(metric)}`);
      results[`${group}.${name}`] = { value: metric.value, unit: metric.unit };
    }
    console.log(`${group}: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } catch (error) {
    failed = true;
    console.error(`${group}: FAILED`, error);
  }
}

const rows = Object.entries(results).map(([name, { value, unit }]) => [
  name,
  value.toLocaleString("en-US", { maximumFractionDigits: 3 }),
  unit,
]);
if (rows.length > 0) {
  const header = ["metric", "value", "unit"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows) console.log(line(row));
} else {
  console.log("\nno benchmark results");
}

// A partial run keeps the results of the groups it did not run.
const kept: Metrics =
  requested.length > 0 && existsSync(RESULTS)
    ? Object.fromEntries(
        Object.entries(JSON.parse(readFileSync(RESULTS, "utf8")) as Metrics).filter(
          ([key]) => !groups.some((g) => key.startsWith(`${g}.`)),
        ),
      )
    : {};
const all = Object.fromEntries(
  Object.entries({ ...kept, ...results }).sort(([a], [b]) => a.localeCompare(b, "en")),
);
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(all, null, 2)}\n`);
console.log(`\nwrote bench/results.json (${Object.keys(all).length} metrics)`);
process.exitCode = failed ? 1 : 0;
