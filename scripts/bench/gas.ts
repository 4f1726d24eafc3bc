/**
 * `npm run bench -- gas`: the gas table (total transaction gas from receipts) against the
 * targets. `npm run bench -- gas --update-snapshot` also rewrites bench/gas-snapshot.json, which
 * test/gas.test.ts holds the contracts to.
 */
import { writeFileSync } from "node:fs";
import { GAS_SNAPSHOT, GAS_TARGETS, measureGas } from "./gas-scenario.ts";
import type { Metrics } from "./index.ts";

export async function run(): Promise<Metrics> {
  const gas = await measureGas();
  const metrics: Metrics = {};
  console.log("\n  action                                       gas   target");
  for (const [name, value] of Object.entries(gas)) {
    const target = GAS_TARGETS[name];
    const verdict = target === undefined ? "" : value <= target ? "ok" : "OVER";
    console.log(
      `  ${name.padEnd(40)} ${String(value).padStart(8)} ${String(target ?? "").padStart(8)} ${verdict}`,
    );
    metrics[name] = { value, unit: "gas" };
  }
  if (process.argv.includes("--update-snapshot")) {
    writeFileSync(GAS_SNAPSHOT, `${JSON.stringify(gas, null, 2)}\n`);
    console.log(`  wrote ${GAS_SNAPSHOT}`);
  }
  return metrics;
}
