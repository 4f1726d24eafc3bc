/**
 * A fresh PGlite folder prepared while the service starts (store/prepare.ts, issue 26 item 7): a
 * copy of the schema's template, else made in a child process. The store adopts it already
 * migrated, leaves no temporary folder, and removes the one a killed process left behind; a copy
 * that fails is not adopted; an existing folder is never replaced.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createPgliteDatabase } from "../../indexer/src/store/db.ts";
import { MIGRATIONS } from "../../indexer/src/store/migrations.ts";
import {
  adoptPreparedFolder,
  copyAside,
  preparePgliteFolder,
} from "../../indexer/src/store/prepare.ts";
import { templateFolder } from "../../indexer/src/store/template.ts";

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

  it("is the template's copy (made on a thread of its own); a copy that fails leaves nothing", async () => {
    const saved = process.env.PGLITE_TEMPLATE_DIR;
    process.env.PGLITE_TEMPLATE_DIR = join(root, "templates");
    try {
      const template = templateFolder() as string;
      mkdirSync(join(template, "base", "1"), { recursive: true });
      writeFileSync(join(template, "PG_VERSION"), "17\n");
      writeFileSync(join(template, "base", "1", "1259"), "a relation's pages");
      const folder = join(root, "copied");
      preparePgliteFolder(folder);
      assert.equal(await adoptPreparedFolder(folder), true);
      assert.equal(readFileSync(join(folder, "base", "1", "1259"), "utf8"), "a relation's pages");
      assert.equal(existsSync(`${folder}.prepare-${process.pid}`), false);

      // A folder that cannot be cleared (its parent is a file) is not prepared, and not adopted.
      writeFileSync(join(root, "a-file"), "");
      const unwritable = join(root, "a-file", "pglite");
      preparePgliteFolder(unwritable);
      assert.equal(await adoptPreparedFolder(unwritable), false);
      // A copy that fails on its thread says so and leaves nothing behind.
      const target = join(root, "not-copied");
      assert.equal(await copyAside(join(root, "no-such-template"), target), false);
      assert.equal(existsSync(target), false);
    } finally {
      if (saved === undefined) delete process.env.PGLITE_TEMPLATE_DIR;
      else process.env.PGLITE_TEMPLATE_DIR = saved;
    }
  });

  it("never replaces an existing folder", async () => {
    const folder = join(root, "existing");
    mkdirSync(folder);
    preparePgliteFolder(folder); // exists: nothing started
    assert.equal(await adoptPreparedFolder(folder), false);
    assert.equal(existsSync(`${folder}.prepare-${process.pid}`), false);
  });
});
