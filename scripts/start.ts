/**
 * `npm start`: the whole of jangbu on this machine, for a demo or for development.
 *
 *   1. a local Hardhat node (127.0.0.1:RPC_PORT) as a child process,
 *   2. the contracts deployed with Ignition (scripts/deploy.ts),
 *   3. the demo season of 강진군 (scripts/seed/),
 *   4. the indexer with its API and the portal (indexer/src/main.ts) on HOST:PORT, once it has
 *      indexed the last seeded block (until the indexer exists, the chain alone keeps running),
 *
 * then prints the URLs and the demo sign-ins and runs until Ctrl-C (SIGINT) or SIGTERM, which stop
 * every child process group and wait for them. A Hardhat node keeps its chain in memory, so every
 * start is a new chain: the indexer's local store (DATA_DIR/indexer) is reset each time.
 *
 *   npm start                 start (ports and folders from PORT, RPC_PORT, HOST, DATA_DIR)
 *   npm start -- --fresh      discard DATA_DIR first
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "./lib/preflight.ts";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Address } from "viem";
import { MALLOC_ARENA_MAX } from "../indexer/src/internal/heap.ts";
import { deploy } from "./deploy.ts";
import { deploymentEnv, resolveDataDir } from "./lib/deployment.ts";
import { ROOT } from "./lib/hre.ts";
import { isPortFree, rpc, waitForRpc } from "./lib/net.ts";
import { freshLocalSchema, LOCAL_SCHEMA } from "./lib/postgres.ts";
import { ManagedProcess, recordProcesses, stopAll, stopLeftovers } from "./lib/processes.ts";
import { indexedBlockOf } from "./lib/status.ts";
import type { Persona } from "./seed/actors.ts";
import { seedDemo } from "./seed/index.ts";

const INDEXER_ENTRY = join(ROOT, "indexer", "src", "main.ts");
const PORTAL_CONFIG = join(ROOT, "portal", "vite.config.ts");
const PORTAL_DIST = join(ROOT, "portal", "dist");
const READY_TIMEOUT_MS = 120_000;

/** A failure the user can act on: printed as one message, without a stack trace. */
class StartError extends Error {}

interface Settings {
  host: string;
  port: number;
  rpcPort: number;
  dataDir: string;
  fresh: boolean;
  databaseUrl: string | undefined;
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new StartError(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return port;
}

function settings(args: string[]): Settings {
  const unknown = args.filter((a) => a !== "--fresh");
  if (unknown.length > 0) {
    throw new StartError(`unknown option ${unknown.join(" ")} (the only option is --fresh)`);
  }
  const port = portFrom("PORT", 8080);
  const rpcPort = portFrom("RPC_PORT", 8545);
  if (port === rpcPort) throw new StartError(`PORT and RPC_PORT are both ${port}: pick two ports`);
  return {
    host: process.env.HOST || "127.0.0.1",
    port,
    rpcPort,
    dataDir: resolveDataDir(),
    fresh: args.includes("--fresh"),
    databaseUrl: process.env.DATABASE_URL || undefined,
  };
}

/** Refuses to delete a folder that is clearly not a data folder. */
function discardDataDir(dataDir: string): void {
  const forbidden = [resolve("/"), resolve(ROOT), resolve(homedir())];
  const inside = (parent: string) => resolve(ROOT).startsWith(parent + sep);
  if (forbidden.includes(dataDir) || inside(dataDir)) {
    throw new StartError(`refusing to discard DATA_DIR=${dataDir}: it is not a data folder`);
  }
  rmSync(dataDir, { recursive: true, force: true });
}

async function checkPort(port: number, host: string, name: string): Promise<void> {
  if (await isPortFree(port, host)) return;
  throw new StartError(
    `port ${port} on ${host} is already in use (${name}). Is another jangbu (npm start) or ` +
      `Hardhat node running? Stop it, or pick another port: ${name}=${port + 1} npm start`,
  );
}

function hardhatCli(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("hardhat/package.json");
  const bin = (JSON.parse(readFileSync(pkg, "utf8")) as { bin: Record<string, string> }).bin
    .hardhat;
  return join(dirname(pkg), bin ?? "dist/src/cli.js");
}

/** The newest modification time of a file or of any file below a folder (node_modules, dist skipped). */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path)
    .filter((name) => name !== "node_modules" && name !== "dist")
    .reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** True when the portal's sources (or the SDK it bundles) are newer than its build. */
function portalStale(): boolean {
  if (!existsSync(PORTAL_CONFIG)) return false;
  const built = join(PORTAL_DIST, "index.html");
  if (!existsSync(built)) return true;
  const sources = ["src", "index.html", "vite.config.ts"].map((f) => join(ROOT, "portal", f));
  const newest = Math.max(...[...sources, join(ROOT, "sdk")].map(newestMtime));
  return newest > statSync(built).mtimeMs;
}

function viteCli(): string {
  return join(
    dirname(createRequire(import.meta.url).resolve("vite/package.json")),
    "bin",
    "vite.js",
  );
}

function withoutKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of [
    "DEPLOYER_KEY",
    "RELAYER_PRIVATE_KEY",
    "RELAYER_KEYSTORE",
    "RELAYER_KEYSTORE_PASSWORD",
  ]) {
    delete copy[name];
  }
  return copy;
}

function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

async function waitForIndexer(
  statusUrl: string,
  lastBlock: number,
  indexer: ManagedProcess,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (!indexer.running) throw new StartError("the indexer exited while catching up");
    try {
      const response = await fetch(statusUrl, { signal: AbortSignal.timeout(5_000) });
      const status: unknown = await response.json();
      const indexed = indexedBlockOf(status);
      last = JSON.stringify(status);
      if (indexed !== undefined && indexed >= lastBlock) return;
    } catch (error) {
      last = String(error);
    }
    await sleep(250);
  }
  throw new StartError(
    `the indexer did not reach block ${lastBlock} in time (last status: ${last})`,
  );
}

function signIns(cast: { staff: Readonly<Record<string, Persona>>; farmers: readonly Persona[] }) {
  const farmers = cast.farmers;
  const people = [...Object.values(cast.staff), ...farmers.slice(0, 3)];
  const idWidth = Math.max(...people.map((p) => p.id.length));
  const roleWidth = Math.max(...people.map((p) => p.role.length));
  const lines = people.map(
    (p) =>
      `  ${p.id.padEnd(idWidth)}  ${p.role.padEnd(roleWidth)}  ${p.address}  ${p.organisation}`,
  );
  lines.push(`  … and ${farmers.length - 3} more farmers (farmer-04 … farmer-${farmers.length})`);
  return lines.join("\n");
}

async function main(): Promise<number> {
  const started = Date.now();
  const s = settings(process.argv.slice(2));
  const children: ManagedProcess[] = [];
  const pidFile = join(s.dataDir, "processes.json");
  let stopping: Promise<number> | undefined;

  const shutdown = (code: number, reason?: string): Promise<number> => {
    stopping ??= (async () => {
      if (reason) console.log(`\n${reason}: stopping…`);
      await stopAll(children);
      rmSync(pidFile, { force: true });
      if (reason) console.log("stopped: no jangbu process left running");
      return code;
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void shutdown(signal === "SIGINT" ? 130 : 143, signal).then((code) => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  try {
    const hasIndexer = existsSync(INDEXER_ENTRY);
    // Children of a run that was killed outright (SIGKILL) would hold the ports: stop them.
    await stopLeftovers(pidFile, (m) => console.log(m));
    await checkPort(s.rpcPort, "127.0.0.1", "RPC_PORT");
    if (hasIndexer) await checkPort(s.port, s.host, "PORT");
    if (s.fresh) discardDataDir(s.dataDir);
    const logDir = join(s.dataDir, "logs");
    mkdirSync(logDir, { recursive: true });
    const shown = relative(process.cwd(), s.dataDir) || ".";

    // 0. The portal build, when its sources changed (in the background, needed by step 4).
    let portalBuild: Promise<boolean> | undefined;
    if (hasIndexer && portalStale()) {
      const buildLog = join(logDir, "portal-build.log");
      rmSync(buildLog, { force: true });
      const build = new ManagedProcess(
        "portal-build",
        process.execPath,
        [viteCli(), "build", "--config", PORTAL_CONFIG],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, logFile: buildLog },
      );
      children.push(build);
      console.log(`building the portal (log: ${relative(process.cwd(), buildLog)})`);
      portalBuild = build.exited.then(({ code }) => {
        children.splice(children.indexOf(build), 1);
        if (code !== 0 && !stopping) {
          console.error(
            `  the portal build failed (see the log); the API runs without it\n${tail(buildLog, 8)}`,
          );
        }
        return code === 0;
      });
    }

    // 1. The chain.
    const rpcUrl = `http://127.0.0.1:${s.rpcPort}`;
    const chainLog = join(logDir, "chain.log");
    rmSync(chainLog, { force: true });
    const chain = new ManagedProcess(
      "chain",
      process.execPath,
      [hardhatCli(), "node", "--hostname", "127.0.0.1", "--port", String(s.rpcPort)],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, logFile: chainLog },
    );
    children.push(chain);
    recordProcesses(pidFile, children);
    console.log(
      `starting a local Hardhat chain on ${rpcUrl} (log: ${relative(process.cwd(), chainLog)})`,
    );
    try {
      await waitForRpc(rpcUrl, { timeoutMs: 60_000, isAlive: () => chain.running });
    } catch {
      throw new StartError(`the Hardhat node did not start:\n${tail(chainLog)}`);
    }

    // 2. The contracts. (hardhat.config.ts's `localhost` network reads RPC_PORT.)
    process.env.RPC_PORT = String(s.rpcPort);
    const deployed = await deploy({
      network: "localhost",
      nodeAccounts: true,
      dataDir: s.dataDir,
      log: (m) => console.log(`  ${m}`),
    });
    if (stopping) return await stopping;

    // 3. The demo season.
    console.log("seeding the demo season (강진군, crop year 2026)…");
    // The node's second default account relays (the indexer's relay uses its own dev account).
    const [, relayer] = await rpc<Address[]>(rpcUrl, "eth_accounts");
    const seeded = await seedDemo({
      rpcUrl,
      ...(relayer ? { relayer } : {}),
      dataDir: s.dataDir,
      deployment: deployed.deployment,
      log: (m) => console.log(`  ${m}`),
    });
    if (stopping) return await stopping;

    // 4. The indexer, API and portal.
    const apiUrl = `http://${s.host}:${s.port}`;
    // Passkeys (WebAuthn) need a secure context and a domain, not an IP: on this machine that is
    // http://localhost, which the service answers too (ALLOWED_HOSTS default).
    const portalUrl =
      s.host === "127.0.0.1" || s.host === "localhost" || s.host === "::1" || s.host === "0.0.0.0"
        ? `http://localhost:${s.port}`
        : apiUrl;
    let indexer: ManagedProcess | undefined;
    if (hasIndexer) {
      const indexerDir = join(s.dataDir, "indexer");
      // A new chain: the previous index describes a chain that no longer exists.
      rmSync(indexerDir, { recursive: true, force: true });
      mkdirSync(indexerDir, { recursive: true });
      let databaseUrl: string | undefined;
      if (s.databaseUrl !== undefined) {
        try {
          databaseUrl = await freshLocalSchema(s.databaseUrl);
        } catch (error) {
          throw new StartError((error as Error).message);
        }
      }
      if (portalBuild !== undefined) {
        await portalBuild;
        if (stopping) return await stopping;
      }
      const indexerLog = join(logDir, "indexer.log");
      rmSync(indexerLog, { force: true });
      indexer = new ManagedProcess("indexer", process.execPath, [INDEXER_ENTRY], {
        cwd: ROOT,
        env: {
          // Read by glibc at process start only (indexer/src/internal/heap.ts says why).
          MALLOC_ARENA_MAX,
          // Keys meant for a real chain have no place on the local one: the relay uses a dev account.
          ...withoutKeys(process.env),
          ...deploymentEnv(deployed.deployment),
          RPC_URL: rpcUrl,
          HOST: s.host,
          PORT: String(s.port),
          DATA_DIR: indexerDir,
          PORTAL_DIR: PORTAL_DIST,
          // Demo sign-ins for the portal (GET /api/v1/demo/personas): the local demo only.
          DEMO_ROSTER: join(s.dataDir, "demo-roster.json"),
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        },
        logFile: indexerLog,
      });
      children.push(indexer);
      recordProcesses(pidFile, children);
      const store = databaseUrl
        ? `PostgreSQL, schema ${LOCAL_SCHEMA} (recreated)`
        : `PGlite in ${relative(process.cwd(), indexerDir)}`;
      console.log(
        `starting the indexer on ${apiUrl}, store ${store} (log: ${relative(process.cwd(), indexerLog)})`,
      );
      try {
        await indexer.waitForLine(/jangbu indexer listening on/, READY_TIMEOUT_MS);
      } catch {
        throw new StartError(`the indexer did not start:\n${tail(indexerLog)}`);
      }
      await waitForIndexer(`${apiUrl}/api/v1/status`, seeded.lastBlock, indexer);
      if (stopping) return await stopping;
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`
jangbu is running (ready in ${seconds}s). Ctrl-C stops everything.

  Portal  ${indexer ? (existsSync(join(PORTAL_DIST, "index.html")) ? `${portalUrl}/` : "(not built: npm run build:portal)") : "(not started: indexer/src/main.ts is not in the tree yet)"}
  API     ${indexer ? `${apiUrl}/api/v1` : "(not started)"}
  RPC     ${rpcUrl}  (chain ${deployed.deployment.chainId}, a new chain at every start)

Contracts: ${Object.entries(deployed.deployment.addresses)
      .map(([name, address]) => `${name} ${address}`)
      .join(", ")}

Demo sign-ins (seed "${seeded.cast.seed}"; names, records and demo keys in ${join(shown, "demo-roster.json")}):
${signIns(seeded.cast)}

A credential presentation to try (${seeded.holders.presenter} shows a region and a farm registration number, not the name or bank account):
  ${join(shown, relative(s.dataDir, seeded.holders.presentationFile))}
  load it on ${indexer ? `${apiUrl}/#/verify?challenge=${seeded.holders.challenge}` : "the portal's verify page"}
  (the demo verifier's challenge; holders' credential files: ${join(shown, "demo-credentials")})
`);
    const pids = children.map((c) => `${c.name} ${c.pid}`).join(", ");
    console.log(`processes: ${pids}`);
    console.log(
      `jangbu ready: rpc ${rpcUrl}${indexer ? ` api ${apiUrl}/api/v1 portal ${portalUrl}/` : ""} block ${seeded.lastBlock}`,
    );

    // Run until a signal, or until a child dies on its own.
    const exited = await Promise.race(children.map((c) => c.exited.then(() => c)));
    if (stopping) return await stopping;
    console.error(
      `\n${exited.name} exited unexpectedly; see ${join(shown, "logs", `${exited.name}.log`)}`,
    );
    return await shutdown(1);
  } catch (error) {
    if (stopping) return await stopping;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\nnpm start failed: ${message}`);
    if (!(error instanceof StartError) && process.env.DEBUG && error instanceof Error) {
      console.error(error.stack);
    }
    return await shutdown(1);
  }
}

process.exit(await main());
