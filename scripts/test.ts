/**
 * `npm test`: every check of the project, in order, with streamed output.
 *
 * Preparatory steps (solc pin, build, SDK drift, tsc, Biome, solhint) count as one test each and
 * stop the run at the first failure. The two Hardhat test steps always both run; their
 * "N passing / N failing / N skipped" summaries are parsed into the counts. The last line printed
 * is always `N passed, N failed` (`, N skipped` when some were).
 *
 *   tsx scripts/test.ts          default Solidity test profile
 *   tsx scripts/test.ts --deep   `--test-profile deep` (more fuzz / invariant runs)
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "./lib/preflight.ts";
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const deep = process.argv.includes("--deep");

// No colours in the children (the output is parsed), and their binaries first on PATH.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: "1",
  PATH: [join(ROOT, "node_modules", ".bin"), process.env.PATH].join(delimiter),
};
delete env.FORCE_COLOR; // Node warns when both NO_COLOR and FORCE_COLOR are set

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}
interface Step {
  name: string;
  /** Commands run one after the other; the step fails at the first non-zero exit. */
  commands: () => string[][];
  /** A Hardhat test runner whose summary is parsed; otherwise the step is a single test. */
  testRunner?: boolean;
}

function solidityFiles(): { sources: string[]; tests: string[] } {
  const dir = join(ROOT, "contracts");
  const files = existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".sol"))
    : [];
  const isTest = (f: string) => f.startsWith("test/") || f.endsWith(".t.sol");
  return { sources: files.filter((f) => !isTest(f)), tests: files.filter(isTest) };
}

function nodeTestFiles(): string[] {
  const dir = join(ROOT, "test");
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((f) => join("test", f));
}

const solhint = ["solhint", "--disc", "--noPoster"];
const steps: Step[] = [
  { name: "check-solc", commands: () => [["tsx", "scripts/check-solc.ts"]] },
  { name: "hardhat build", commands: () => [["hardhat", "build"]] },
  { name: "gen-sdk --check", commands: () => [["tsx", "scripts/gen-sdk.ts", "--check"]] },
  { name: "tsc", commands: () => [["tsc", "-p", "tsconfig.json", "--noEmit"]] },
  { name: "biome check", commands: () => [["biome", "check", "."]] },
  {
    name: "solhint",
    // solhint exits non-zero on "No files to lint!", so only lint what exists.
    commands: () => {
      const { sources, tests } = solidityFiles();
      return [
        ...(sources.length > 0 ? [[...solhint, "contracts/**/*.sol"]] : []),
        ...(tests.length > 0
          ? [[...solhint, "-c", ".solhint.test.json", "contracts/test/**/*.sol"]]
          : []),
      ];
    },
  },
  { name: "tsc portal", commands: () => [["tsc", "-p", "portal/tsconfig.json", "--noEmit"]] },
  { name: "tsc e2e", commands: () => [["tsc", "-p", "test/e2e/tsconfig.json", "--noEmit"]] },
  { name: "vite build", commands: () => [["vite", "build", "--config", "portal/vite.config.ts"]] },
  // vitest's own summary is not the mocha format parseSummary reads: the suite counts as one.
  {
    name: "vitest portal",
    commands: () => [["vitest", "run", "--config", "portal/vite.config.ts"]],
  },
  {
    name: "hardhat test solidity",
    commands: () => [
      ["hardhat", "test", "solidity", "--no-compile", ...(deep ? ["--test-profile", "deep"] : [])],
    ],
    testRunner: true,
  },
  {
    name: "hardhat test nodejs",
    // Only *.test.ts: Hardhat's runner would also load helpers and test/e2e (run separately).
    commands: () => [["hardhat", "test", "nodejs", "--no-compile", ...nodeTestFiles()]],
    testRunner: true,
  },
  // Real Chromium against `npm start` on its own ports (needs portal/dist from "vite build").
  { name: "e2e chromium", commands: () => [["tsx", "test/e2e/run.ts"]], testRunner: true },
  // Issue 24: the farmer's settlement estimate at 360 px (a stack of its own, after run.ts's).
  {
    name: "e2e estimate",
    commands: () => [["tsx", "test/e2e/estimate.ts"]],
    testRunner: true,
  },
  // Issue 24's official screens: designation, draw, result at 360 px, farm-gate price.
  {
    name: "e2e variety",
    commands: () => [["tsx", "test/e2e/variety.ts"]],
    testRunner: true,
  },
  { name: "e2e passkey", commands: () => [["tsx", "test/e2e/passkey.ts"]], testRunner: true },
  // Issue 21's flows (tender delivery to payment, revocation, amendment, references, CLS, axe).
  { name: "e2e chromium flows", commands: () => [["tsx", "test/e2e/flows.ts"]], testRunner: true },
];

/** Runs a command, streaming its output through, and returns its exit code and plain output. */
function run([command, ...args]: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(command ?? "", args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      from.setEncoding("utf8");
      from.on("data", (chunk: string) => {
        to.write(chunk);
        output += chunk;
      });
    }
    child.on("error", (error) => {
      console.error(`cannot run ${command}: ${error.message}`);
    });
    child.on("close", (code) => {
      resolve({ code: code ?? 1, output: stripVTControlCharacters(output) });
    });
  });
}

/**
 * Counts from the closing summary of Hardhat's Solidity and node:test reporters, e.g.
 * "  12 passing (340ms)", "  1 failing", "  2 skipped", "  1 todo", "  1 cancelled".
 * The last occurrence of each wins (the summary comes last). No summary means no tests ran.
 */
function parseSummary(output: string): Counts {
  const last: Record<string, number> = {};
  for (const match of output.matchAll(
    /^ *(\d+) (passing|failing|skipped|todo|cancelled)(?: \(.*\))? *$/gm,
  )) {
    last[match[2] as string] = Number(match[1]);
  }
  const n = (key: string) => last[key] ?? 0;
  return {
    passed: n("passing"),
    failed: n("failing") + n("cancelled"),
    skipped: n("skipped") + n("todo"),
  };
}

async function main(): Promise<number> {
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const recap: string[] = [];
  for (const step of steps) {
    const started = Date.now();
    console.log(`\n━━ ${step.name} ━━`);
    let code = 0;
    let output = "";
    for (const command of step.commands()) {
      console.log(`$ ${command.join(" ")}`);
      ({ code, output } = await run(command));
      if (code !== 0) break;
    }
    const counts: Counts = step.testRunner
      ? parseSummary(output)
      : { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
    if (code !== 0 && counts.failed === 0) {
      // The runner failed outside any test (compile error, crash, setUp failure, ...).
      console.error(`${step.name} exited with code ${code} without reporting a failing test`);
      counts.failed = 1;
    }
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const detail = step.testRunner ? ` (${counts.passed} passed, ${counts.failed} failed)` : "";
    recap.push(`${counts.failed > 0 ? "✘" : "✔"} ${step.name}${detail} ${seconds}s`);
    if (counts.failed > 0 && !step.testRunner) {
      recap.push(`stopped: ${step.name} failed, later steps not run`);
      break;
    }
  }
  console.log(`\n${recap.join("\n")}\n`);
  const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : "";
  console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
  return total.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
