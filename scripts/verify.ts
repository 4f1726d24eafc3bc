/**
 * `npm run verify -- --rpc URL --api URL [--deployment FILE] [--json]`: rebuilds every programme,
 * sale, tender and credential from the chain alone (no database), re-derives every figure with the
 * SDK's rules and diffs the API both ways. Prints the records checked and each mismatch (record,
 * field, API value, chain value). Exit 0: no mismatch; 1: mismatches; 2: bad input (unreachable or
 * wrong node, an API answering garbage or 5xx, bad arguments), always as one line.
 */
import "./lib/preflight.ts";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isAddress } from "viem";
import type { Deployment } from "../sdk/deployments.ts";
import { oneLine, VerifyInputError } from "./verify/errors.ts";
import { formatReport } from "./verify/format.ts";
import { verify } from "./verify/index.ts";

const USAGE =
  "usage: npm run verify -- --rpc URL --api URL [--deployment FILE] [--json] [--concurrency N]";

function readDeployment(file: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new VerifyInputError(`--deployment ${file}: ${oneLine(error)}`);
  }
  const d = raw as Partial<Deployment>;
  const a = (d.addresses ?? {}) as Partial<Record<string, unknown>>;
  const ok =
    typeof d.chainId === "number" &&
    typeof d.startBlock === "number" &&
    ["CredentialRegistry", "RicePurchase", "TenderBoard"].every(
      (n) => typeof a[n] === "string" && isAddress(a[n] as string),
    );
  if (!ok)
    throw new VerifyInputError(
      `--deployment ${file}: needs chainId, startBlock and addresses of CredentialRegistry, RicePurchase, TenderBoard`,
    );
  return raw as Deployment;
}

async function main(): Promise<number> {
  let values: {
    rpc?: string;
    api?: string;
    deployment?: string;
    json?: boolean;
    concurrency?: string;
  };
  try {
    ({ values } = parseArgs({
      options: {
        rpc: { type: "string" },
        api: { type: "string" },
        deployment: { type: "string" },
        json: { type: "boolean" },
        concurrency: { type: "string" },
      },
    }));
  } catch (error) {
    console.error(`${oneLine(error)}\n${USAGE}`);
    return 2;
  }
  if (values.rpc === undefined || values.api === undefined) {
    console.error(USAGE);
    return 2;
  }
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    console.error(`--concurrency: a whole number from 1 to 64\n${USAGE}`);
    return 2;
  }
  // A progress line on stderr once a run is long (rewritten in place on a terminal, else every 5 s).
  const every = process.stderr.isTTY ? 200 : 5_000;
  let last = Date.now();
  let shown = false;
  const progress = (phase: string, done: number, total: number) => {
    const now = Date.now();
    if (now - last < every) return;
    last = now;
    shown = true;
    const line = `verify: ${phase} ${done}/${total}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
    else process.stderr.write(`${line}\n`);
  };
  try {
    const report = await verify({
      rpcUrl: values.rpc,
      apiUrl: values.api,
      ...(values.deployment === undefined ? {} : { deployment: readDeployment(values.deployment) }),
      progress,
      concurrency,
    });
    if (process.stderr.isTTY && shown) process.stderr.write("\r\x1b[K");
    if (values.json)
      console.log(
        JSON.stringify({ ok: report.mismatches.length === 0, ...report }, (_, v) =>
          v === undefined ? "(absent)" : v,
        ),
      );
    else console.log(formatReport(report));
    return report.mismatches.length === 0 ? 0 : 1;
  } catch (error) {
    if (process.stderr.isTTY && shown) process.stderr.write("\r\x1b[K");
    const message =
      error instanceof VerifyInputError ? error.message : `verify failed: ${oneLine(error)}`;
    if (values.json) console.log(JSON.stringify({ ok: false, error: message }));
    console.error(`verify: ${message}`);
    return 2;
  }
}

process.exitCode = await main();
