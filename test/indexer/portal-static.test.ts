/**
 * The portal build as the indexer serves it: hashed assets precompressed (br, gzip) and cached
 * as immutable; index.html and the SPA fallback revalidated; a missing asset is never cached.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { createApp } from "../../indexer/src/api/app.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";

describe("portal static files", () => {
  let db: Database;
  let portal: string;
  const js = `console.log(${JSON.stringify("장부 ".repeat(400))});`;
  before(async () => {
    db = await createPgliteDatabase();
    portal = mkdtempSync(join(tmpdir(), "jangbu-portal-static-"));
    writeFileSync(join(portal, "index.html"), "<!doctype html><title>jangbu portal</title>");
    mkdirSync(join(portal, "assets"));
    const file = join(portal, "assets", "app-AbC123.js");
    writeFileSync(file, js);
    writeFileSync(`${file}.gz`, gzipSync(js));
    writeFileSync(`${file}.br`, brotliCompressSync(js));
  });
  after(async () => {
    rmSync(portal, { recursive: true, force: true });
    await db.close();
  });
  const app = () =>
    createApp({ db, storeKind: "pglite", chainId: 31337, addresses: {}, portalDir: portal });

  it("serves a hashed asset brotli- or gzip-compressed with Cache-Control immutable", async () => {
    const br = await app().request("/assets/app-AbC123.js", {
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    assert.equal(br.status, 200);
    assert.equal(br.headers.get("content-encoding"), "br");
    assert.match(br.headers.get("cache-control") ?? "", /immutable/);
    assert.match(br.headers.get("content-type") ?? "", /javascript/);
    const brBody = Buffer.from(await br.arrayBuffer());
    assert.ok(brBody.length < js.length / 4, `${brBody.length} bytes for ${js.length}`);
    assert.equal(brotliDecompressSync(brBody).toString(), js);

    const gz = await app().request("/assets/app-AbC123.js", {
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    assert.equal(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString(), js);

    const plain = await app().request("/assets/app-AbC123.js");
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(await plain.text(), js);
  });

  it("revalidates index.html and never caches a missing asset's fallback as immutable", async () => {
    const index = await app().request("/");
    assert.equal(index.headers.get("cache-control"), "no-cache");
    const missing = await app().request("/assets/gone-XyZ.js");
    assert.doesNotMatch(missing.headers.get("cache-control") ?? "", /immutable/);
    const deep = await app().request("/sale/123");
    assert.match(await deep.text(), /jangbu portal/);
    assert.equal(deep.headers.get("cache-control"), "no-cache");
  });
});
