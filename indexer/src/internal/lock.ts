/**
 * An exclusive lock on the PGlite data folder (PGlite keeps none of its own): a lock file created
 * with O_EXCL that names its owner — pid, the process's start time and the boot it started in. A
 * second instance finds it held by a live owner and stops at once. An owner that is gone is
 * recognised as such and its lock taken over, including the cases a bare pid gets wrong:
 * - killed but not yet reaped (a zombie keeps its pid until its parent waits for it), or still
 *   tearing down after SIGKILL (its user space is gone: it writes nothing more);
 * - its pid reused by an unrelated process later, in this boot (the start time differs) or after
 *   a reboot (the boot id differs).
 * This reads Linux's /proc; elsewhere a pid that exists counts as a live owner.
 */
import { randomUUID } from "node:crypto";
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { NonRetryableError } from "./errors.ts";
import { isProcessAlive } from "./process.ts";

export type FolderLock = { readonly path: string; release(): void };

export const LOCK_FILE = "indexer.lock";

/** Who holds a lock: enough to tell the owner from a later process with the same pid. */
export type Owner = { pid: number; start?: string; boot?: string };

/** Set in /proc/<pid>/stat's flags from the first step of the kernel's exit path on. */
const PF_EXITING = 0x4;

/** Fields of /proc/<pid>/stat after the command name, which is in parentheses and may hold any
 * character (so the fields are counted from its last ")"). Undefined if there is no such entry. */
function procStat(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  return text
    .slice(text.lastIndexOf(")") + 2)
    .trim()
    .split(" ");
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

/** This process as a lock owner (start time in clock ticks since boot: field 22 of the stat). */
export function currentOwner(): Owner {
  const start = procStat(process.pid)?.[19];
  const boot = bootId();
  return {
    pid: process.pid,
    ...(start !== undefined ? { start } : {}),
    ...(boot !== undefined ? { boot } : {}),
  };
}

export const formatOwner = (o: Owner) => `${[o.pid, o.start ?? "-", o.boot ?? "-"].join(" ")}\n`;

/** Parses a lock file; a file of the older format holds the pid alone. */
export function parseOwner(text: string): Owner | undefined {
  const [pid, start, boot] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  return {
    pid: n,
    ...(start !== undefined && start !== "-" ? { start } : {}),
    ...(boot !== undefined && boot !== "-" ? { boot } : {}),
  };
}

/** True while the process that wrote `owner` still runs (and can still write to the folder). */
export function isLiveOwner(owner: Owner): boolean {
  const canSeeProc = procStat(process.pid) !== undefined;
  if (!canSeeProc) return isProcessAlive(owner.pid);
  if (owner.boot !== undefined && owner.boot !== bootId()) return false;
  const stat = procStat(owner.pid);
  // No /proc entry: gone, unless /proc hides other users' processes (hidepid) and the pid exists;
  // then nothing more can be learnt and the owner counts as live.
  if (stat === undefined) return isProcessAlive(owner.pid);
  const [state, , , , , , flags, ...rest] = stat;
  if (state === "Z" || state === "X") return false;
  if ((Number(flags) & PF_EXITING) !== 0) return false;
  const start = rest[12];
  return owner.start === undefined || owner.start === start;
}

export function lockFolder(dir: string): FolderLock {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, LOCK_FILE);
  const mine = formatOwner(currentOwner());
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, "utf8") === mine) rmSync(path, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new NonRetryableError(
          `cannot create the lock file ${path}: ${(error as Error).message}`,
        );
      }
    }
    let held: string;
    try {
      held = readFileSync(path, "utf8");
    } catch {
      continue; // vanished meanwhile: try again
    }
    const owner = parseOwner(held);
    // An empty file is an owner between its create and its write: give it a moment.
    if (held === "" && attempt < 3) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    if (owner !== undefined && owner.pid !== process.pid && isLiveOwner(owner)) {
      throw new NonRetryableError(
        `the data folder ${folder} is in use by another indexer (pid ${owner.pid}); stop it or set another DATA_DIR`,
      );
    }
    takeOver(path, held);
  }
  throw new NonRetryableError(`cannot take the lock ${path}`);
}

/**
 * Removes a lock judged stale. It is first renamed aside (atomic), so that of two instances taking
 * over at once, the slower one cannot delete the lock the faster one has just created: if what it
 * moved is not the stale content it judged, it puts that lock back.
 */
function takeOver(path: string, stale: string) {
  const aside = `${path}.${process.pid}.${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // already taken over by someone else
  }
  try {
    if (readFileSync(aside, "utf8") !== stale) linkSync(aside, path);
  } catch {
    // a third instance created the lock meanwhile: it holds it
  } finally {
    rmSync(aside, { force: true });
  }
}
