/**
 * The compiled contracts the benchmark groups deploy. A fresh checkout has none (`artifacts/` is
 * not committed): the run then compiles them first (`npx hardhat build`) and says so; a build that
 * fails stops the run with the command to run by hand.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CONTRACTS = ["JangbuForwarder", "CredentialRegistry", "RicePurchase", "TenderBoard"];
export const BUILD_COMMAND = "npx hardhat build";

/** Why the contracts must be compiled before a benchmark, or undefined when they are there. */
export function buildNeeded(root = ROOT): string | undefined {
  const missing = CONTRACTS.filter(
    (name) => !existsSync(join(root, "artifacts", "contracts", `${name}.sol`, `${name}.json`)),
  );
  return missing.length > 0 ? `no compiled artifact for ${missing.join(", ")}` : undefined;
}

/** `hardhat build` in a child process, its output passed through; resolves to its exit code. */
export function hardhatBuild(root = ROOT): Promise<number> {
  const pkg = createRequire(join(root, "package.json")).resolve("hardhat/package.json");
  const cli = join(dirname(pkg), "dist", "src", "cli.js");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "build"], { cwd: root, stdio: "inherit" });
    child.on("error", () => resolve(127));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

/** Compiles the contracts when `buildNeeded` says so; throws with the command to run otherwise. */
export async function ensureContracts({
  needed = buildNeeded,
  build = hardhatBuild,
  log = (line: string) => console.log(line),
}: {
  needed?: () => string | undefined;
  build?: () => Promise<number>;
  log?: (line: string) => void;
} = {}): Promise<void> {
  const reason = needed();
  if (reason === undefined) return;
  log(`${reason}: compiling the contracts first (${BUILD_COMMAND})`);
  const code = await build();
  const still = needed();
  if (code !== 0 || still !== undefined) {
    throw new Error(
      `the contracts could not be compiled (${BUILD_COMMAND} exited with ${code}` +
        `${still !== undefined ? `; ${still}` : ""}): run ${BUILD_COMMAND} to see why, then npm run bench again`,
    );
  }
}
