import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { GAS_SNAPSHOT, GAS_TARGETS, measureGas } from "../scripts/bench/gas-scenario.ts";

describe("gas table", async () => {
  const measured = await measureGas();
  const snapshot = JSON.parse(readFileSync(GAS_SNAPSHOT, "utf8")) as Record<string, number>;

  it("meets every target from the issues", () => {
    for (const [name, target] of Object.entries(GAS_TARGETS)) {
      const value = measured[name];
      assert.ok(value !== undefined, `${name} was not measured`);
      assert.ok(value <= target, `${name}: ${value} gas is over the target of ${target}`);
    }
  });

  it("matches the committed snapshot (run `npm run bench -- gas --update-snapshot` after a deliberate change)", () => {
    assert.deepEqual(measured, snapshot);
  });
});
