/**
 * Start-up of a fresh PGlite indexer (issue 26, item 7): `npx tsx scripts/bench/startup.ts [runs]`
 * spawns `indexer/src/main.ts` on a new data folder, polls `GET /health` every 20 ms and prints,
 * per run, when the first HTTP answer came (503 starting) and when the store was ready (the
 * "listening on" line, /health 200). The RPC is a stub that answers `eth_chainId` (31337) and
 * `eth_blockNumber` (0): start-up, not indexing, is measured.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../lib/net.ts";

const MAIN = new URL("../../indexer/src/main.ts", import.meta.url).pathname;

const rpc = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    let call: { id?: unknown; method?: string } = {};
    try {
      call = JSON.parse(body);
    } catch {}
    const result =
      call.method === "eth_chainId" ? "0x7a69" : call.method === "eth_blockNumber" ? "0x0" : null;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id ?? null, result }));
  });
});
await new Promise<void>((resolve) => rpc.listen(0, "127.0.0.1", resolve));
const rpcUrl = `http://127.0.0.1:${(rpc.address() as AddressInfo).port}`;

const runs = Number(process.argv[2] ?? 3);
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), "jangbu-startup-"));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: "",
      DATA_DIR: dataDir,
      PORT: String(port),
      RPC_URL: rpcUrl,
      RPC_WS_URL: "off",
      CREDENTIAL_REGISTRY_ADDRESS: "0x0000000000000000000000000000000000000001",
      RICE_PURCHASE_ADDRESS: "0x0000000000000000000000000000000000000002",
      START_BLOCK: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let readyAt: number | undefined;
  let listeningAt: number | undefined;
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    if (listeningAt === undefined && c.includes("started on")) listeningAt = performance.now();
    if (readyAt === undefined && c.includes("listening on")) readyAt = performance.now();
  });
  let firstAnswer: number | undefined;
  let firstStatus = 0;
  while (readyAt === undefined && performance.now() - started < 120_000) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (firstAnswer === undefined) {
        firstAnswer = performance.now();
        firstStatus = res.status;
      }
      await res.body?.cancel();
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  rmSync(dataDir, { recursive: true, force: true });
  console.log(
    `run ${i + 1}: socket listening ${listeningAt === undefined ? "never" : `${Math.round(listeningAt - started)} ms`}, first HTTP answer ${firstAnswer === undefined ? "none" : `${Math.round(firstAnswer - started)} ms (${firstStatus})`}, store ready ${readyAt === undefined ? "never" : `${Math.round(readyAt - started)} ms`}`,
  );
}
rpc.close();
