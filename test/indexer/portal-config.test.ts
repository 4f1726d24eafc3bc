/** GET /api/v1/config and the demo-only GET /api/v1/demo/personas (indexer/src/api/routes/portal.ts). */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createApp } from "../../indexer/src/api/app.ts";
import { createPortalModule } from "../../indexer/src/api/routes/portal.ts";
import { createPgliteDatabase } from "../../indexer/src/store/db.ts";
import { migrate } from "../../indexer/src/store/migrations.ts";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const db = await createPgliteDatabase();
await migrate(db);
after(() => db.close());

const appWith = (demoRosterFile?: string) =>
  createApp({
    db,
    storeKind: "pglite",
    chainId: 31337,
    addresses: { CredentialRegistry: REGISTRY },
    cache: false,
    modules: [createPortalModule({ publicRpcUrl: "http://127.0.0.1:8545", demoRosterFile })],
  });

describe("portal config and demo sign-ins", () => {
  it("tells the browser where the chain and the contracts are", async () => {
    const res = await appWith().request("/api/v1/config");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      chainId: 31337,
      rpcUrl: "http://127.0.0.1:8545",
      contracts: { CredentialRegistry: REGISTRY },
      demo: false,
    });
  });

  it("serves no personas outside the demo", async () => {
    const res = await appWith(join(tmpdir(), "no-such-roster.json")).request(
      "/api/v1/demo/personas",
    );
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { code: string } };
    assert.equal(body.error.code, "not_found");
  });

  it("serves the demo personas without their names", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "jangbu-roster-")), "demo-roster.json");
    const person = {
      id: "farmer-01",
      role: "Farmer",
      region: 46810,
      name: "김순자",
      organisation: "강진군 작천면",
      title: "농업인",
      address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      privateKey: `0x${"11".repeat(32)}`,
      record: { name: "김순자", farmRegistration: "4681000123" },
    };
    writeFileSync(file, JSON.stringify({ staff: [], farmers: [person] }));
    const app = appWith(file);
    const config = (await (await app.request("/api/v1/config")).json()) as { demo: boolean };
    assert.equal(config.demo, true);
    const res = await app.request("/api/v1/demo/personas");
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes("김순자"), "no roster name");
    assert.ok(!text.includes("4681000123"), "no record field");
    const { items } = JSON.parse(text) as { items: Record<string, unknown>[] };
    assert.deepEqual(items, [
      {
        id: "farmer-01",
        role: "Farmer",
        region: 46810,
        name: "DEMO 강진군 작천면 농업인",
        organisation: "강진군 작천면",
        title: "농업인",
        address: person.address,
        privateKey: person.privateKey,
      },
    ]);
  });
});
