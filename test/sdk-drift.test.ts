import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkAbis, checkEnums, collectEnums, driftedAbis } from "../scripts/gen-sdk.ts";
import { SaleState, SaleStateNames } from "../sdk/index.ts";

describe("sdk/generated/abis.ts", () => {
  it("matches the compiled artifacts", () => {
    assert.equal(checkAbis(), undefined);
  });

  it("has enums that match the contracts' declarations", () => {
    assert.equal(checkEnums(), undefined);
    const saleState = collectEnums().find((e) => e.canonicalName === "IRicePurchase.SaleState");
    assert.deepEqual(saleState?.members, [...SaleStateNames]);
    assert.equal(SaleState.Settled, SaleStateNames.indexOf("Settled"));
  });

  it("reports which ABIs drifted", () => {
    const block = (name: string, abi: string) =>
      `/** contracts/${name}.sol:${name} */\nexport const ${name}Abi = ${abi} as const;\n`;
    const expected = `// header\n\n${block("A", "[1]")}\n${block("B", "[2]")}`;
    const actual = `// header\n\n${block("B", "[3]")}\n${block("C", "[4]")}`;
    assert.deepEqual(driftedAbis(expected, actual), [
      "AAbi: new in the artifacts",
      "BAbi: ABI changed",
      "CAbi: no longer in the artifacts",
    ]);
  });
});
