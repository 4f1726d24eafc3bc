/**
 * docs/threat-model.md names, for every threat, the tests that show its defence. This keeps the
 * document honest: every row names at least one test, every Solidity test it names
 * (`test_…`, `testFuzz_…`, `invariant_…`) is a function in contracts/test, and every quoted test
 * title is in the file the row names for it. (That those tests pass is the rest of `npm test`.)
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The "test" cell of each row of the threats table. */
function threatRows(markdown: string): { threat: string; tests: string }[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith("Threats, defences and tests"));
  assert.ok(section, 'docs/threat-model.md has a "Threats, defences and tests" section');
  return section
    .split("\n")
    .filter(
      (line) => line.startsWith("| ") && !line.startsWith("| threat") && !line.startsWith("| ---"),
    )
    .map((line) => {
      const cells = line.split(" | ");
      return { threat: (cells[0] ?? "").slice(2), tests: (cells.at(-1) ?? "").replace(/ \|$/, "") };
    });
}

/** Quoted titles and the file named after them: `"a", "b" (test/x.test.ts…)`. */
function titledTests(cell: string): { title: string; file: string }[] {
  const out: { title: string; file: string }[] = [];
  let pending: string[] = [];
  for (const match of cell.matchAll(/"([^"]+)"|\(((?:test|contracts|scripts|portal)\/[\w./-]+)/g)) {
    if (match[1] !== undefined) pending.push(match[1]);
    else if (match[2] !== undefined) {
      for (const title of pending) out.push({ title, file: match[2] });
      pending = [];
    }
  }
  assert.deepEqual(pending, [], `quoted titles without a file after them in: ${cell}`);
  return out;
}

const solidityTests = (() => {
  const dir = join(ROOT, "contracts", "test");
  const names = new Set<string>();
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".sol")) continue;
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(
      /function ((?:test|testFuzz|invariant)_\w+)\s*\(/g,
    ))
      if (m[1] !== undefined) names.add(m[1]);
  }
  return names;
})();

describe("threat model", () => {
  const rows = threatRows(read("docs/threat-model.md"));

  it("has threats, each naming at least one test", () => {
    assert.ok(rows.length >= 20, `${rows.length} threats`);
    for (const row of rows) {
      const named =
        [...row.tests.matchAll(/`((?:test|testFuzz|invariant)_\w+)`/g)].length +
        titledTests(row.tests).length;
      assert.ok(named > 0, `"${row.threat}" names no test`);
    }
  });

  it("names only Solidity tests that exist", () => {
    const missing = rows.flatMap((row) =>
      [...row.tests.matchAll(/`((?:test|testFuzz|invariant)_\w+)`/g)]
        .map((m) => m[1] ?? "")
        .filter((name) => !solidityTests.has(name)),
    );
    assert.deepEqual(missing, []);
  });

  it("names only test titles that are in the files it points to", () => {
    const missing: string[] = [];
    for (const row of rows) {
      for (const { title, file } of titledTests(row.tests)) {
        // "… for another forwarder" abbreviates a title given in full just before it; every
        // "refuses …" test stands for all the titles that begin so.
        const text = title.replace(/^… /, "").replace(/ …$/, "");
        if (!read(file).includes(text)) missing.push(`${file}: "${title}"`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
