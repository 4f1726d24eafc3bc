/**
 * An exclusive lock on the PGlite data folder (PGlite keeps none of its own): a lock file created
 * with O_EXCL holding the owner's pid. A second instance finds it held by a live process and
 * stops at once; a lock left by a killed process (its pid gone) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { NonRetryableError } from "./errors.ts";

export type FolderLock = { readonly path: string; release(): void };

const LOCK_FILE = "indexer.lock";

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

export function lockFolder(dir: string): FolderLock {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, "utf8").trim() === String(process.pid))
              rmSync(path, { force: true });
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
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      } catch {
        // vanished meanwhile: try again
      }
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new NonRetryableError(
          `the data folder ${folder} is in use by another indexer (pid ${owner}); stop it or set another DATA_DIR`,
        );
      }
      // Stale (its process is gone) or unreadable: remove and retry.
      rmSync(path, { force: true });
    }
  }
  throw new NonRetryableError(`cannot take the lock ${path}`);
}
