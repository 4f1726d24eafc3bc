/**
 * A fresh PGlite data folder prepared while the service is still starting (issue 26, item 7).
 *
 * Creating a PGlite folder (initdb, 2–3 s) and applying the migrations to it (0.5–4 s) used to
 * run one after the other, after the service's modules were imported (1–2 s). main.ts now calls
 * {@link preparePgliteFolder} as soon as its socket listens: it copies the schema's template
 * (template.ts) into a sibling folder `<folder>.prepare-<pid>` on a thread of its own, or, when
 * there is none yet, a child process creates the database there and migrates it, while this
 * process imports its modules. {@link adoptPreparedFolder} then, under the data folder's lock,
 * renames it into place if the real folder still does not exist (one rename: a crash leaves
 * either no folder or a whole one, and a leftover `.prepare-<pid>` folder is never read). The child's memory (initdb grows
 * PGlite's WebAssembly memory to about 450 MB, never returned) is given back when it exits.
 *
 * This module imports nothing heavy: main.ts loads it before viem and PGlite.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { isProcessAlive } from "../internal/process.ts";
import { isTemplate, templateFolder } from "./template.ts";

type Prepared = {
  readonly folder: string;
  readonly temp: string;
  readonly done: Promise<boolean>;
  /** The process making it; undefined when it was copied from the template here. */
  readonly child: ChildProcess | undefined;
};

let prepared: Prepared | undefined;

const CHILD = fileURLToPath(new URL("./prepare-child.ts", import.meta.url));

/**
 * Starts creating and migrating the PGlite folder `folder` in a child process, unless it exists.
 * Returns at once; failures are not reported here (the folder is then created the usual way).
 */
export function preparePgliteFolder(folder: string): void {
  const target = resolve(folder);
  if (prepared !== undefined || existsSync(target)) return;
  const temp = `${target}.prepare-${process.pid}`;
  try {
    rmSync(temp, { recursive: true, force: true });
  } catch {
    return; // a folder that cannot be cleared here is created the usual way, or fails there clearly
  }
  // With the schema's template at hand (template.ts) a copy is all it takes: no child process
  // competing with this one's module loading for the machine's cores.
  const template = templateFolder();
  if (template !== undefined && isTemplate(template)) {
    prepared = { folder: target, temp, done: copyAside(template, temp), child: undefined };
    return;
  }
  // The child imports the store's TypeScript modules through tsx, as `npm run indexer` does.
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), CHILD, temp], {
    stdio: ["ignore", "ignore", "pipe"],
    env: process.env,
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk.slice(0, 4_000);
  });
  const done = new Promise<boolean>((settle) => {
    child.once("error", () => settle(false));
    child.once("exit", (code) => {
      if (code !== 0 && process.env.LOG_LEVEL === "debug")
        console.error(`jangbu indexer: preparing ${target} failed (${code}): ${stderr}`);
      settle(code === 0 && existsSync(join(temp, "PG_VERSION")));
    });
  });
  prepared = { folder: target, temp, done, child };
}

/**
 * The template's files (40 MB, some 1,000 of them) copied into `temp` on a thread of their own.
 * Copied here, the copy held this thread for 0.4–0.6 s before the service's modules began to load
 * and PGlite's thread to start; on its own thread it runs beside both. The thread needs nothing
 * but Node's own modules (no loader flags: tsx's hooks would only slow its start). False, and
 * nothing left at `temp`, when the copy fails (an unreadable template): the store then makes the
 * folder as pglite.ts does.
 */
export function copyAside(template: string, temp: string): Promise<boolean> {
  const copier = new Worker(
    `const { cpSync } = require("node:fs");
     const { workerData } = require("node:worker_threads");
     cpSync(workerData.template, workerData.temp, { recursive: true });`,
    { eval: true, execArgv: [], workerData: { template, temp } },
  );
  return new Promise<boolean>((settle) => {
    copier.once("error", () => {}); // the exit code below says it failed
    copier.once("exit", (code) => {
      if (code !== 0) {
        try {
          rmSync(temp, { recursive: true, force: true });
        } catch {
          // adoptPreparedFolder removes it again (or a later process, as an abandoned one).
        }
      }
      settle(code === 0);
    });
  });
}

/**
 * Moves the prepared folder into place if it was prepared for `folder` and `folder` still does not
 * exist; call it holding the data folder's lock. Returns true if it did.
 */
export async function adoptPreparedFolder(folder: string): Promise<boolean> {
  const target = resolve(folder);
  removeAbandoned(target);
  const p = prepared;
  if (p === undefined || p.folder !== target) return false;
  prepared = undefined;
  const ok = await p.done;
  if (ok && !existsSync(target)) {
    renameSync(p.temp, target);
    return true;
  }
  rmSync(p.temp, { recursive: true, force: true });
  return false;
}

/** Removes `.prepare-<pid>` folders of `target` left by processes killed while preparing. */
function removeAbandoned(target: string): void {
  const prefix = `${basename(target)}.prepare-`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid))
      rmSync(join(dirname(target), name), { recursive: true, force: true });
  }
}

/** Stops a preparation nobody adopted and removes its folder (at exit). */
export async function discardPreparedFolder(): Promise<void> {
  const p = prepared;
  if (p === undefined) return;
  prepared = undefined;
  if (p.child !== undefined && p.child.exitCode === null) p.child.kill("SIGKILL");
  await p.done;
  rmSync(p.temp, { recursive: true, force: true });
}
