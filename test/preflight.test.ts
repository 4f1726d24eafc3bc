/**
 * An older Node fails at once with one line naming the install command of README's
 * Prerequisites: the preflight every tsx entry point imports first (scripts/lib/preflight.ts),
 * run for real under the system's Node 20 when there is one; and `npm run bench` in a checkout
 * without compiled contracts builds them first, or stops with the command to run.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BUILD_COMMAND, buildNeeded, ensureContracts } from "../scripts/bench/contracts.ts";
import { installCommand, minimumNode, nodeProblem } from "../scripts/lib/preflight.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OLD_NODE = "/usr/bin/node";
const TSX_CLI = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const ENGINES = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    engines: { node: string };
  }
).engines.node;

const versionOf = (node: string) =>
  spawnSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
const oldNodeVersion = existsSync(OLD_NODE) ? versionOf(OLD_NODE) : "";
const oldNodeIsOld = oldNodeVersion !== "" && nodeProblem(oldNodeVersion, ENGINES) !== undefined;

describe("Node preflight", () => {
  it("compares versions against package.json engines.node", () => {
    assert.deepEqual(minimumNode(">=22.22.2"), [22, 22, 2]);
    assert.deepEqual(minimumNode(">=22.13"), [22, 13, 0]);
    assert.equal(minimumNode("^22 || >=24"), undefined, "a range it cannot read checks nothing");
    const line = nodeProblem("20.20.2", ">=22.22.2");
    assert.equal(
      line,
      "jangbu needs Node.js >=22.22.2, this is v20.20.2: install Node 22 with: " +
        installCommand(22),
    );
    assert.ok(nodeProblem("22.22.1", ">=22.22.2"));
    assert.ok(nodeProblem("22.13.0", ">=22.22.2"));
    assert.equal(nodeProblem("22.22.2", ">=22.22.2"), undefined);
    assert.equal(nodeProblem("22.23.0", ">=22.22.2"), undefined);
    assert.equal(nodeProblem("24.0.0", ">=22.22.2"), undefined);
    assert.equal(nodeProblem(process.versions.node, ENGINES), undefined, "this Node passes");
  });

  it("names README's install command", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    assert.ok(
      readme.includes(installCommand(22, "linux-x64")),
      `README's Prerequisites give ${installCommand(22, "linux-x64")}`,
    );
  });

  const entryPoints = [
    "scripts/start.ts",
    "scripts/deploy.ts",
    "scripts/seed/index.ts",
    "scripts/bench/index.ts",
    "scripts/test.ts",
    "indexer/src/main.ts",
  ];
  it(`under ${OLD_NODE} (an older Node), every entry point stops with exit 1 and one line`, {
    skip: !oldNodeIsOld && `no Node older than ${ENGINES} at ${OLD_NODE}`,
  }, () => {
    for (const entry of entryPoints) {
      // What `npm start` (tsx scripts/start.ts) does when `node` on PATH is the old one.
      const run = spawnSync(OLD_NODE, [TSX_CLI, entry], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, NO_COLOR: "1" },
      });
      assert.equal(run.status, 1, `${entry}: exit code (stderr: ${run.stderr})`);
      assert.equal(run.stdout, "", `${entry}: nothing on stdout`);
      assert.equal(
        run.stderr,
        `jangbu needs Node.js ${ENGINES}, this is v${oldNodeVersion}: install Node 22 with: ` +
          `${installCommand(22)}\n`,
        `${entry}: one line on stderr`,
      );
    }
  });
});

describe("bench: compiled contracts", () => {
  it("finds the artifacts missing in a checkout without artifacts/", () => {
    const empty = mkdtempSync(join(tmpdir(), "jangbu-no-artifacts-"));
    try {
      assert.equal(
        buildNeeded(empty),
        "no compiled artifact for JangbuForwarder, CredentialRegistry, RicePurchase, TenderBoard",
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("builds them first and says so; a failing build stops with the command to run", async () => {
    const lines: string[] = [];
    let built = false;
    await ensureContracts({
      needed: () => (built ? undefined : "no compiled artifact for JangbuForwarder"),
      build: async () => {
        built = true;
        return 0;
      },
      log: (line) => lines.push(line),
    });
    assert.deepEqual(lines, [
      `no compiled artifact for JangbuForwarder: compiling the contracts first (${BUILD_COMMAND})`,
    ]);

    await assert.rejects(
      ensureContracts({
        needed: () => "no compiled artifact for JangbuForwarder",
        build: async () => 1,
        log: () => {},
      }),
      {
        message:
          `the contracts could not be compiled (${BUILD_COMMAND} exited with 1; no compiled ` +
          `artifact for JangbuForwarder): run ${BUILD_COMMAND} to see why, then npm run bench again`,
      },
    );

    let calls = 0;
    await ensureContracts({
      needed: () => undefined,
      build: async () => {
        calls++;
        return 0;
      },
    });
    assert.equal(calls, 0, "nothing is built when the artifacts are there");
  });
});
