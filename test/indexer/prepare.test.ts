/**
 * A fresh PGlite folder prepared in a child process while the service starts (store/prepare.ts,
 * issue 26 item 7): the store adopts it already migrated, leaves no temporary folder, and removes
 * the one a killed process left behind; an existing folder is never replaced.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createPgliteDatabase } from "../../indexer/src/store/db.ts";
import { MIGRATIONS } from "../../indexer/src/store/migrations.ts";
import { adoptPreparedFolder, preparePgliteFolder } from "../../indexer/src/store/prepare.ts";

describe("PGlite folder prepared at start-up", () => {
  const root = mkdtempSync(join(tmpdir(), "jangbu-prepare-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("is adopted migrated, and a dead process's leftover is removed", async () => {
    const folder = join(root, "pglite");
    // A leftover of a process that no longer exists (pid beyond the kernel's pid_max).
    const abandoned = join(root, "pglite.prepare-4999999");
    mkdirSync(abandoned);
    preparePgliteFolder(folder);
    const db = await createPgliteDatabase({ dataDir: folder });
    try {
      const [row] = await db.query<{ n: number }>(
        "select count(*)::int as n from schema_migrations",
      );
      assert.equal(row?.n, MIGRATIONS.length, "migrated before this process opened it");
    } finally {
      await db.close();
    }
    assert.deepEqual(readdirSync(root), ["pglite"]);
  });

  it("never replaces an existing folder", async () => {
    const folder = join(root, "existing");
    mkdirSync(folder);
    preparePgliteFolder(folder); // exists: nothing started
    assert.equal(await adoptPreparedFolder(folder), false);
    assert.equal(existsSync(`${folder}.prepare-${process.pid}`), false);
  });
});
