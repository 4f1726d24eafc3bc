/**
 * The PGlite store's engine (issue 26): a fresh store's folder is a copy of a migrated template
 * kept once per schema (store/template.ts), which later stores never modify; the template's key
 * follows the migrations; a template is saved whole, once. The database runs on a worker thread
 * (store/pglite.ts) and behaves as PGlite in the calling thread did: SQL errors keep their
 * SQLSTATE, transactions commit or roll back, top-level statements wait for an open transaction,
 * COPY loads every part, a closed database refuses queries, and a process that never closes its
 * database still exits.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { copyText, createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { MIGRATIONS } from "../../indexer/src/store/migrations.ts";
import { preparePgliteFolder } from "../../indexer/src/store/prepare.ts";
import {
  copyTemplate,
  saveTemplate,
  templateFolder,
  templateKey,
} from "../../indexer/src/store/template.ts";

/** Every file under `dir` (relative path → size, mtime and content hash). */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path);
        const hash = createHash("sha256").update(readFileSync(path)).digest("hex");
        files.set(relative(dir, path), `${stat.size} ${stat.mtimeMs} ${hash}`);
      }
    }
  };
  walk(dir);
  return files;
}

/** Runs `fn` with PGLITE_TEMPLATE_DIR set to `value` (undefined: unset), then restores it. */
function withTemplateDir<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.PGLITE_TEMPLATE_DIR;
  if (value === undefined) delete process.env.PGLITE_TEMPLATE_DIR;
  else process.env.PGLITE_TEMPLATE_DIR = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.PGLITE_TEMPLATE_DIR;
    else process.env.PGLITE_TEMPLATE_DIR = saved;
  }
}

/** Opens `folder` the way the service does: prepared in a child process, then adopted. */
async function openPrepared(folder: string): Promise<Database> {
  preparePgliteFolder(folder);
  return createPgliteDatabase({ dataDir: folder });
}

const migrationCount = async (db: Database) => {
  const [row] = await db.query<{ n: number }>("select count(*)::int as n from schema_migrations");
  return row?.n;
};

describe("PGlite template of a migrated, empty store", () => {
  const root = mkdtempSync(join(tmpdir(), "jangbu-template-"));
  const templates = join(root, "templates");
  const saved = process.env.PGLITE_TEMPLATE_DIR;
  let template = "";

  before(() => {
    // Set before any child starts: prepare-child.ts inherits this process's environment.
    process.env.PGLITE_TEMPLATE_DIR = templates;
    template = join(templates, `pglite-${templateKey()}`);
  });
  after(() => {
    if (saved === undefined) delete process.env.PGLITE_TEMPLATE_DIR;
    else process.env.PGLITE_TEMPLATE_DIR = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it("is saved from the first fresh store, under pglite-<templateKey()>", async () => {
    assert.equal(templateFolder(), template);
    assert.equal(existsSync(template), false, "no template before the first store");
    const db = await openPrepared(join(root, "first"));
    try {
      assert.equal(await migrationCount(db), MIGRATIONS.length);
    } finally {
      await db.close();
    }
    assert.equal(existsSync(join(template, "PG_VERSION")), true, "template saved");
    assert.deepEqual(readdirSync(templates), [`pglite-${templateKey()}`], "no .tmp- leftover");
  });

  it("gives a later fresh store a copy, migrated and empty, and is never modified by it", async () => {
    assert.equal(existsSync(join(template, "PG_VERSION")), true, "needs the previous test");
    // A file only the template holds: a store made from scratch would not have it.
    writeFileSync(join(template, "jangbu-test-marker"), "template");
    const before = snapshot(template);
    const second = join(root, "second");
    const db = await openPrepared(second);
    try {
      assert.equal(existsSync(join(second, "jangbu-test-marker")), true, "copied from template");
      assert.equal(await migrationCount(db), MIGRATIONS.length);
      assert.deepEqual(await db.query("select * from sync_state"), [], "the template is empty");
      await db.query(
        `insert into sync_state (id, chain_id, addresses, block_number, block_hash, updated_at)
         values (1, 31337, 'test', 7, '0x07', 0)`,
      );
      await db.exec("checkpoint");
    } finally {
      await db.close();
    }
    assert.deepEqual(snapshot(template), before, "template files unchanged");
    assert.deepEqual(readdirSync(templates), [`pglite-${templateKey()}`]);

    // The store's own row is in its folder, not in the template (reopened, not re-prepared).
    const reopened = await createPgliteDatabase({ dataDir: second });
    try {
      const rows = await reopened.query<{ block_number: number }>(
        "select block_number from sync_state",
      );
      assert.deepEqual(rows, [{ block_number: 7 }]);
    } finally {
      await reopened.close();
    }
  });

  it("copyTemplate copies nothing when the template has no PG_VERSION", () => {
    const incomplete = join(root, "incomplete");
    mkdirSync(incomplete);
    writeFileSync(join(incomplete, "base"), "x");
    const target = join(root, "not-copied");
    assert.equal(copyTemplate(incomplete, target), false);
    assert.equal(existsSync(target), false);
    assert.equal(copyTemplate(join(root, "missing"), target), false);
    assert.equal(existsSync(target), false);
  });
});

describe("template key and folder", () => {
  it("is 16 hex digits, stable across calls", () => {
    const key = templateKey();
    assert.match(key, /^[0-9a-f]{16}$/);
    assert.equal(templateKey(), key);
  });

  it("changes when migrations.ts changes: a migration added, its SQL or its data step edited", () => {
    const source = readFileSync(
      fileURLToPath(new URL("../../indexer/src/store/migrations.ts", import.meta.url)),
      "utf8",
    );
    const original = templateKey(source);
    assert.equal(templateKey(), original, "the file's own text by default");
    const added = templateKey(
      source.replace(/\n\];\n/, '\n  { id: 99, name: "test", sql: "select 1;" },\n];\n'),
    );
    const sqlChanged = templateKey(
      source.replace("create table blocks (", "create table blocks  ("),
    );
    const runChanged = templateKey(source.replace("set not null;", "set not null ;"));
    assert.equal(new Set([original, added, sqlChanged, runChanged]).size, 4);
  });

  it("is under PGLITE_TEMPLATE_DIR, node_modules/.cache/jangbu by default, none when off", () => {
    const key = templateKey();
    const dir = join(tmpdir(), "jangbu-templates");
    assert.equal(
      withTemplateDir(dir, () => templateFolder()),
      join(dir, `pglite-${key}`),
    );
    assert.equal(
      withTemplateDir(undefined, () => templateFolder()),
      fileURLToPath(new URL(`../../node_modules/.cache/jangbu/pglite-${key}`, import.meta.url)),
    );
    assert.equal(
      withTemplateDir("off", () => templateFolder()),
      undefined,
    );
    assert.equal(
      withTemplateDir(" off ", () => templateFolder()),
      undefined,
    );
  });
});

describe("saveTemplate", () => {
  const root = mkdtempSync(join(tmpdir(), "jangbu-save-template-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  const makeFolder = (name: string, content: string) => {
    const folder = join(root, name);
    mkdirSync(join(folder, "base", "1"), { recursive: true });
    writeFileSync(join(folder, "PG_VERSION"), "17\n");
    writeFileSync(join(folder, "base", "1", "data"), content);
    return folder;
  };

  it("saves once: a second save leaves the first template whole and no .tmp- folder", () => {
    const first = makeFolder("first", "first");
    const second = makeFolder("second", "second");
    const templates = join(root, "templates");
    mkdirSync(templates);
    const template = join(templates, "pglite-0123456789abcdef");
    saveTemplate(first, template);
    const saved = snapshot(template);
    saveTemplate(second, template);
    assert.deepEqual(readdirSync(templates), ["pglite-0123456789abcdef"]);
    assert.deepEqual([...saved.keys()].sort(), ["PG_VERSION", join("base", "1", "data")]);
    assert.equal(readFileSync(join(template, "base", "1", "data"), "utf8"), "first");
    assert.deepEqual(snapshot(template), saved);
    // The source folder is left as it was.
    assert.equal(readFileSync(join(first, "base", "1", "data"), "utf8"), "first");
  });

  it("does not throw, and leaves nothing, where the template cannot be written", () => {
    const folder = makeFolder("source", "data");
    const blocker = join(root, "a-file");
    writeFileSync(blocker, "not a folder");
    assert.doesNotThrow(() => saveTemplate(folder, join(blocker, "pglite-x")));
    assert.equal(readFileSync(blocker, "utf8"), "not a folder");
  });
});

describe("PGlite engine on its worker thread (in memory)", () => {
  let db: Database;
  before(async () => {
    db = await createPgliteDatabase();
  });
  after(async () => {
    await db?.close();
  });

  it("rejects a unique violation with an Error carrying SQLSTATE 23505 and its constraint", async () => {
    await db.exec("create table uniq (id int4 primary key)");
    await db.query("insert into uniq values (1)");
    await assert.rejects(db.query("insert into uniq values ($1)", [1]), (error: unknown) => {
      assert.ok(error instanceof Error, "an Error");
      const fields = error as Error & { code?: unknown; constraint?: unknown };
      assert.equal(fields.code, "23505");
      assert.equal(fields.constraint, "uniq_pkey");
      assert.match(error.message, /duplicate key/);
      return true;
    });
    // The connection is still usable.
    assert.deepEqual(await db.query("select id from uniq"), [{ id: 1 }]);
  });

  it("returns rows with int8 as numbers, text, null, json and arrays", async () => {
    const rows = await db.query(
      `select 9007199254740991::int8 as big, 'a'::text as t, null::text as n,
              '{"k":[1,2]}'::json as j, array[1,2]::int8[] as a, $1::text as p`,
      ["param"],
    );
    assert.deepEqual(rows, [
      { big: 9_007_199_254_740_991, t: "a", n: null, j: { k: [1, 2] }, a: [1, 2], p: "param" },
    ]);
  });

  it("commits a transaction that resolves, and returns its value", async () => {
    await db.exec("create table committed (id int4 primary key)");
    const value = await db.transaction(async (tx) => {
      await tx.query("insert into committed values (1)");
      await tx.query("insert into committed values (2)");
      return "ok";
    });
    assert.equal(value, "ok");
    assert.deepEqual(await db.query("select id from committed order by id"), [
      { id: 1 },
      { id: 2 },
    ]);
  });

  it("rolls back a transaction whose function throws, and rethrows its error", async () => {
    await db.exec("create table rolled (id int4 primary key)");
    const boom = new Error("boom in the transaction");
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("insert into rolled values (1)");
        await tx.copy("rolled", ["id"], copyText([[2], [3]]));
        throw boom;
      }),
      (error: unknown) => {
        assert.equal(error, boom);
        return true;
      },
    );
    assert.deepEqual(await db.query("select id from rolled"), []);
    // The next transaction runs (the failed one does not hold PGlite's queue).
    await db.transaction(async (tx) => {
      await tx.query("insert into rolled values (4)");
    });
    assert.deepEqual(await db.query("select id from rolled"), [{ id: 4 }]);
  });

  it("rolls back a transaction whose statement fails, rejecting with the SQL error", async () => {
    await db.exec("create table failing (id int4 primary key)");
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("insert into failing values (1)");
        await tx.query("insert into failing values (1)");
      }),
      (error: unknown) => {
        assert.equal((error as { code?: unknown }).code, "23505");
        return true;
      },
    );
    assert.deepEqual(await db.query("select id from failing"), []);
  });

  it("makes a top-level query issued during a transaction wait for it and see its rows", async () => {
    await db.exec("create table waiting (id int4 primary key)");
    let answered = false;
    let outside: Promise<{ id: number }[]> | undefined;
    await db.transaction(async (tx) => {
      await tx.query("insert into waiting values (1)");
      outside = db.query<{ id: number }>("select id from waiting order by id");
      outside.then(
        () => {
          answered = true;
        },
        () => {
          answered = true;
        },
      );
      await new Promise((done) => setTimeout(done, 200));
      assert.equal(answered, false, "answered while the transaction was open");
      await tx.query("insert into waiting values (2)");
    });
    assert.ok(outside !== undefined);
    assert.deepEqual(await outside, [{ id: 1 }, { id: 2 }]);
  });

  it("runs concurrent transactions one after the other", async () => {
    await db.exec("create table counter (id int4 primary key, n int4 not null)");
    await db.query("insert into counter values (1, 0)");
    const bump = () =>
      db.transaction(async (tx) => {
        const [row] = await tx.query<{ n: number }>("select n from counter where id = 1");
        await new Promise((done) => setTimeout(done, 10));
        await tx.query("update counter set n = $1 where id = 1", [(row?.n ?? 0) + 1]);
      });
    await Promise.all([bump(), bump(), bump(), bump()]);
    assert.deepEqual(await db.query("select n from counter"), [{ n: 4 }]);
  });

  it("loads every row given to copy as parts (and as one string)", async () => {
    await db.exec("create table copied (id int4 primary key, label text)");
    const rows = Array.from({ length: 2_000 }, (_, i) => [i, i % 7 === 0 ? null : `row\t${i}\n`]);
    const parts: string[] = [];
    for (let i = 0; i < rows.length; i += 300) parts.push(copyText(rows.slice(i, i + 300)));
    assert.ok(parts.length > 1);
    await db.copy("copied", ["id", "label"], parts);
    await db.copy("copied", ["id", "label"], copyText([[5_000, "single"]]));
    await db.copy("copied", ["id", "label"], []);
    const loaded = await db.query<{ id: number; label: string | null }>(
      "select id, label from copied order by id",
    );
    assert.equal(loaded.length, rows.length + 1);
    assert.deepEqual(
      loaded.slice(0, rows.length).map((r) => [r.id, r.label]),
      rows,
    );
    assert.deepEqual(loaded.at(-1), { id: 5_000, label: "single" });
  });

  it("gives each COPY its own input, one waiting for a transaction too; a refused COPY spoils no later one", async () => {
    await db.exec("create table queued (id int4 primary key, batch int4 not null)");
    const batch = (n: number) =>
      copyText(Array.from({ length: 400 }, (_, i) => [n * 1_000 + i, n]));
    // A COPY outside the open transaction waits in PGlite's queue until it ends, its input already
    // in the engine, while the transaction's own COPYs run.
    let outside: Promise<void> | undefined;
    await db.transaction(async (tx) => {
      outside = db.copy("queued", ["id", "batch"], [batch(3)]);
      await Promise.all([1, 2].map((n) => tx.copy("queued", ["id", "batch"], [batch(n)])));
    });
    await outside;
    const counts = await db.query<{ batch: number; rows: number; low: number }>(
      "select batch, count(*)::int4 as rows, min(id) as low from queued group by batch order by batch",
    );
    assert.deepEqual(counts, [
      { batch: 1, rows: 400, low: 1_000 },
      { batch: 2, rows: 400, low: 2_000 },
      { batch: 3, rows: 400, low: 3_000 },
    ]);
    await assert.rejects(
      db.transaction((tx) => tx.copy("queued", ["id", "batch"], [batch(2)])),
      (error: unknown) => (error as { code?: string }).code === "23505",
    );
    await db.copy("queued", ["id", "batch"], [batch(4)]);
    assert.deepEqual(await db.query("select count(*)::int4 as rows from queued where batch = 4"), [
      { rows: 400 },
    ]);
  });

  it("loads copy parts given as UTF-8 bytes, Korean text included, as it loads strings", async () => {
    await db.exec("create table copied_bytes (id int4 primary key, label text)");
    const rows = Array.from({ length: 500 }, (_, i) => [i, `공공비축미 ${i}호\t매입`]);
    const encoder = new TextEncoder();
    const parts = [
      encoder.encode(copyText(rows.slice(0, 200))),
      copyText(rows.slice(200, 300)),
      encoder.encode(copyText(rows.slice(300))),
      new Uint8Array(0),
    ];
    await db.copy("copied_bytes", ["id", "label"], parts);
    const loaded = await db.query<{ id: number; label: string }>(
      "select id, label from copied_bytes order by id",
    );
    assert.deepEqual(
      loaded.map((r) => [r.id, r.label]),
      rows,
    );
  });

  it("rejects queries after close, and a second close does nothing", async () => {
    const closing = await createPgliteDatabase();
    assert.deepEqual(await closing.query("select 1 as one"), [{ one: 1 }]);
    await closing.close();
    await assert.rejects(closing.query("select 1 as one"), Error);
    await assert.rejects(
      closing.transaction(async () => {}),
      Error,
    );
    await closing.close();
  });
});

describe("a process using the PGlite engine", () => {
  const tsx = import.meta.resolve("tsx");
  const pglite = new URL("../../indexer/src/store/pglite.ts", import.meta.url).href;
  // A script file, not `--input-type=module --eval`: the engine's thread inherits the process's
  // flags, and `--input-type` is refused where there is no string input.
  const root = mkdtempSync(join(tmpdir(), "jangbu-engine-exit-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  let scripts = 0;

  /** Runs an ES module script with tsx; resolves with its exit code and output (killed after 30 s). */
  const run = (lines: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((done) => {
      const file = join(root, `script-${++scripts}.mjs`);
      writeFileSync(file, `${lines.join("\n")}\n`);
      const started = Date.now();
      const child = spawn(process.execPath, ["--import", tsx, file], {
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 30_000,
        killSignal: "SIGKILL",
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.once("close", (code) => done({ code, stdout, stderr, ms: Date.now() - started }));
    });

  it("exits after its last query although its database is never closed", async () => {
    const result = await run([
      `const { createPgliteDatabase } = await import(${JSON.stringify(pglite)});`,
      "const db = await createPgliteDatabase();",
      "await db.exec('create table t (id int4)');",
      "await db.transaction(async (tx) => {",
      "  await new Promise((done) => setTimeout(done, 50));",
      "  await tx.query('insert into t values (1)');",
      "});",
      "const rows = await db.query('select count(*)::int as n from t');",
      "console.log(rows[0].n === 1 ? 'done' : 'wrong: ' + JSON.stringify(rows));",
    ]);
    assert.equal(result.stdout.trim(), "done", `stderr: ${result.stderr}`);
    assert.equal(result.code, 0, `exit code (after ${result.ms} ms); stderr: ${result.stderr}`);
  });

  it("answers a parameter that cannot be sent to the engine with a promise, and still exits", async () => {
    // A function cannot be cloned into the worker's message (PGlite in the calling thread took
    // such an object as JSON): the call must settle, not throw synchronously and leave a reply
    // waiting forever (which would keep the engine's thread, and the process, alive).
    const result = await run([
      `const { createPgliteDatabase } = await import(${JSON.stringify(pglite)});`,
      "const db = await createPgliteDatabase();",
      "let reply;",
      "try {",
      "  reply = db.query('select $1::json as v', [{ a: 1, f() {} }]);",
      "} catch {",
      "  console.log('threw');",
      "}",
      "if (reply !== undefined)",
      "  await reply.then(() => console.log('settled'), () => console.log('settled'));",
      "await db.query('select 1');",
      "console.log('done');",
    ]);
    assert.deepEqual(result.stdout.trim().split("\n"), ["settled", "done"], result.stderr);
    assert.equal(result.code, 0, `exit code (after ${result.ms} ms); stderr: ${result.stderr}`);
  });

  it("exits when the engine was warmed but never used", async () => {
    const result = await run([
      `const { warmPgliteEngine } = await import(${JSON.stringify(pglite)});`,
      "warmPgliteEngine();",
      "console.log('done');",
    ]);
    assert.equal(result.stdout.trim(), "done", `stderr: ${result.stderr}`);
    assert.equal(result.code, 0, `exit code (after ${result.ms} ms); stderr: ${result.stderr}`);
  });
});
