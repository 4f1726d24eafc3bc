/**
 * A migrated, empty PGlite folder kept once per store schema (issue 26, items 5 and 7).
 *
 * Every fresh PGlite store starts the same way: initdb (about 2 s of CPU) and the migrations
 * (about 1 s), which give the same empty database every time for the same PGlite and the same
 * migrations. prepare-child.ts keeps the first such folder it makes as a template and gives later
 * fresh stores a copy of it (40 MB, about 0.05 s) instead. The template's name carries a hash of
 * the PGlite version and of migrations.ts's text (every migration's SQL and data step is written
 * there), so a changed migration or a PGlite upgrade makes a new template and never reuses a
 * stale one. The text, not the imported module: the key is known before the service's modules
 * load (prepare.ts copies the template while they do), at the cost of a new template after an
 * edit of a comment.
 *
 * Where: PGLITE_TEMPLATE_DIR, default `node_modules/.cache/jangbu/` (removed with the install, as
 * other tools' caches there); `off` makes every fresh store from scratch. A folder that cannot be
 * written only costs the speed-up.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isProcessAlive } from "../internal/process.ts";

let pglite: { dir: string; version: string } | undefined;

/** PGlite's package folder (read once): its version is part of the template's key. */
function pglitePackage(): { dir: string; version: string } {
  pglite ??= findPglitePackage();
  return pglite;
}

function findPglitePackage(): { dir: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite")));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("no package.json above @electric-sql/pglite");
    dir = up;
  }
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    version: string;
  };
  return { dir, version };
}

const MIGRATIONS_SOURCE = new URL("./migrations.ts", import.meta.url);

/**
 * What a fresh store's folder depends on: PGlite's version and the migrations (`source`:
 * migrations.ts's text, read when not given).
 */
export function templateKey(source: string = readFileSync(MIGRATIONS_SOURCE, "utf8")): string {
  return createHash("sha256")
    .update(`pglite ${pglitePackage().version}\n`)
    .update(source)
    .digest("hex")
    .slice(0, 16);
}

/** The template folder for this schema, or undefined when PGLITE_TEMPLATE_DIR is `off`. */
export function templateFolder(): string | undefined {
  const setting = process.env.PGLITE_TEMPLATE_DIR?.trim();
  if (setting === "off") return undefined;
  // node_modules/@electric-sql/pglite → node_modules/.cache/jangbu
  const base =
    setting !== undefined && setting !== ""
      ? resolve(setting)
      : join(pglitePackage().dir, "..", "..", ".cache", "jangbu");
  return join(base, `pglite-${templateKey()}`);
}

/** Whether there is a template at `template` (a PostgreSQL data folder: it has PG_VERSION). */
export const isTemplate = (template: string) => existsSync(join(template, "PG_VERSION"));

/** Copies the template into `folder` (which must not exist); false when there is none. */
export function copyTemplate(template: string, folder: string): boolean {
  if (!isTemplate(template)) return false;
  cpSync(template, folder, { recursive: true });
  return true;
}

/**
 * Keeps a copy of the freshly migrated, closed `folder` as the template. The copy is made under a
 * name of its own and renamed into place: a reader never sees half a template, and of two
 * processes saving at once the second's rename fails and its copy is dropped.
 */
export function saveTemplate(folder: string, template: string): void {
  if (existsSync(template)) return;
  const temp = `${template}.tmp-${process.pid}`;
  try {
    cpSync(folder, temp, { recursive: true });
    renameSync(temp, template);
    removeOtherTemplates(template);
  } catch {
    // Read-only or full disk, or another process saved it first: fresh stores are made from scratch.
  } finally {
    try {
      rmSync(temp, { recursive: true, force: true });
    } catch {
      // A path that cannot hold the template cannot hold its leftover either.
    }
  }
}

/**
 * Removes the templates of other schemas (40 MB each, one more after every migration change) and
 * leftovers of saves that were killed. A checkout on another schema sharing the folder makes its
 * own again.
 */
function removeOtherTemplates(kept: string): void {
  const base = dirname(kept);
  for (const name of readdirSync(base)) {
    const path = join(base, name);
    if (path === kept || !name.startsWith("pglite-")) continue;
    // A save still copying (`.tmp-<pid>` of a live process) is left alone.
    const pid = /\.tmp-(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && pid !== String(process.pid) && isProcessAlive(Number(pid))) continue;
    rmSync(path, { recursive: true, force: true });
  }
}
