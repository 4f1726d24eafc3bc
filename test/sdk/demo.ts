/**
 * Test set-up shared by the reducer and verifier tests: the demo season on an in-process chain
 * over JSON-RPC HTTP, indexed into PGlite, and the indexer's API served over HTTP on a free port.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { startSeededChain, type TestChain } from "../indexer/helpers/chain.ts";
import { envFor, indexUntil } from "../indexer/helpers/indexer.ts";

export interface DemoApi {
  chain: TestChain & { lastBlock: number };
  db: Database;
  indexer: Indexer;
  /** The API's base URL (http://127.0.0.1:port). */
  apiUrl: string;
  /** A deployment JSON file for `npm run verify -- --deployment`. */
  deploymentFile: string;
  close(): Promise<void>;
}

export async function startDemoApi(): Promise<DemoApi> {
  const chain = await startSeededChain();
  const db = await createPgliteDatabase();
  const indexer = await indexUntil(
    envFor(chain.url, chain.deployment, { ALLOWED_HOSTS: "*" }),
    db,
    chain.lastBlock,
  );
  const server = serve({ fetch: indexer.app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deploymentFile = join(mkdtempSync(join(tmpdir(), "jangbu-verify-")), "deployment.json");
  writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
  return {
    chain,
    db,
    indexer,
    apiUrl,
    deploymentFile,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await indexer.close();
      await db.close();
      await chain.close();
    },
  };
}
