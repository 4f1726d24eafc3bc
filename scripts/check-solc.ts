/**
 * Fails loudly unless the Solidity compiler version agrees everywhere:
 *   - SOLC_VERSION exported by hardhat.config.ts (what Hardhat labels the build with),
 *   - the exact pin of `solc` in package.json devDependencies (no ^ or ~),
 *   - node_modules/solc/package.json (what npm actually installed),
 *   - the version soljson.js itself reports (what really compiles).
 * Hardhat does not compare them: it would label another soljson's output as SOLC_VERSION.
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "./lib/preflight.ts";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { SOLC_VERSION } from "../hardhat.config.ts";

const require = createRequire(import.meta.url);
const readJson = (path: string | URL) => JSON.parse(readFileSync(path, "utf8"));

const pinned: string = readJson(new URL("../package.json", import.meta.url)).devDependencies?.solc;
const installed: string = readJson(require.resolve("solc/package.json")).version;
// e.g. "0.8.30+commit.73712a01.Emscripten.clang"
const soljson: string = require("solc").version();

const problems: string[] = [];
if (!/^\d+\.\d+\.\d+$/.test(pinned ?? "")) {
  problems.push(`package.json pins solc as "${pinned}": it must be an exact version (no ^ or ~)`);
}
const found = {
  "hardhat.config.ts SOLC_VERSION": SOLC_VERSION,
  "package.json devDependencies.solc": pinned,
  "node_modules/solc/package.json": installed,
  "soljson.js version()": soljson.split("+")[0],
};
for (const [where, version] of Object.entries(found)) {
  if (version !== SOLC_VERSION) problems.push(`${where} is ${version}, expected ${SOLC_VERSION}`);
}

if (problems.length > 0) {
  const bar = "!".repeat(78);
  console.error(`\n${bar}\n!! SOLIDITY COMPILER VERSION MISMATCH\n${bar}`);
  for (const p of problems) console.error(`!! ${p}`);
  console.error(`!!\n!! Found: ${JSON.stringify(found, null, 2).replaceAll("\n", "\n!! ")}`);
  console.error("!! Fix package.json / hardhat.config.ts, then run `npm install`.");
  console.error(`${bar}\n`);
  process.exit(1);
}
console.log(`solc ${soljson} matches SOLC_VERSION ${SOLC_VERSION} and the package.json pin`);
