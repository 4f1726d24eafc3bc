/**
 * The Node version check, imported first by every entry point run with tsx (`npm start`, deploy,
 * seed, bench, test, gen-sdk, the indexer). On a Node older than package.json's `engines.node` it
 * stops with one line naming the command that installs a suitable Node (README, Prerequisites),
 * before any module that needs the newer Node (Hardhat 3) is evaluated. It must itself run on old
 * Nodes: node:fs and plain syntax only.
 */
import { readFileSync } from "node:fs";

const PACKAGE_JSON = new URL("../../package.json", import.meta.url);

/** The lowest version `engines.node` allows, from a range of the form ">=MAJOR[.MINOR[.PATCH]]". */
export function minimumNode(range: string): [number, number, number] | undefined {
  const match = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/** The one command of README's Prerequisites, for this platform's Node package. */
export function installCommand(major: number, platform = `${process.platform}-${process.arch}`) {
  return (
    `npm install -g --prefix "$HOME/.node${major}" node-${platform}@${major} && ` +
    `export PATH="$HOME/.node${major}/bin:$PATH"`
  );
}

/** The line to stop with when `version` is older than `range` allows; undefined when it is not. */
export function nodeProblem(version: string, range: string): string | undefined {
  const minimum = minimumNode(range);
  if (minimum === undefined) return undefined;
  const have = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = minimum[i] ?? 0;
    if (a > b) return undefined;
    if (a < b) {
      return (
        `jangbu needs Node.js ${range.trim()}, this is v${version.replace(/^v/, "")}: ` +
        `install Node ${minimum[0]} with: ${installCommand(minimum[0])}`
      );
    }
  }
  return undefined;
}

function requiredRange(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { engines?: { node?: string } };
    return pkg.engines?.node;
  } catch {
    return undefined;
  }
}

const range = requiredRange();
const problem = range === undefined ? undefined : nodeProblem(process.versions.node, range);
if (problem !== undefined) {
  console.error(problem);
  process.exit(1);
}
