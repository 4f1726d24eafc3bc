/**
 * Child processes that die with us: each child runs in its own process group (so a shell, npx
 * or tsx wrapper and everything it starts go together), and `stop()` signals the whole group,
 * waits for the exit and escalates to SIGKILL after a grace period.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import {
  createWriteStream,
  existsSync,
  readFileSync,
  rmSync,
  type WriteStream,
  writeFileSync,
} from "node:fs";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

export interface ManagedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Also append the child's output to this file. */
  logFile?: string;
  /** Called with each line the child prints (stdout and stderr). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exitedNow = false;
  #log: WriteStream | undefined;
  readonly #lineListeners = new Set<(line: string) => void>();
  readonly name: string;

  constructor(name: string, command: string, args: string[], options: ManagedOptions = {}) {
    this.name = name;
    this.#log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true, // own process group: a terminal's Ctrl-C reaches us, and we stop the group
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = once(this.child, "exit").then(([code, signal]) => {
      this.#exitedNow = true;
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
    this.exited.catch(() => {});
    this.child.on("error", () => {});
    for (const stream of ["stdout", "stderr"] as const) {
      const source = this.child[stream];
      if (source === null) continue;
      source.on("data", (chunk: Buffer) => this.#log?.write(chunk));
      createInterface({ input: source }).on("line", (line) => {
        options.onLine?.(line, stream);
        for (const listener of this.#lineListeners) listener(line);
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.#exitedNow && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first line matching `pattern`; rejects if the child exits or time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: no "${pattern.source}" after ${timeoutMs / 1000}s`));
      }, timeoutMs);
      const onLine = (line: string) => {
        const match = line.match(pattern);
        if (match) {
          cleanup();
          resolve(match);
        }
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`${this.name} exited before printing "${pattern.source}"`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#lineListeners.delete(onLine);
        this.child.off("exit", onExit);
      };
      this.#lineListeners.add(onLine);
      this.child.once("exit", onExit);
    });
  }

  /** Signals the child's process group and waits for the child to exit (SIGKILL after grace). */
  async stop(graceMs = 5_000): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined) {
      signalGroup(pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing it started lingers in its group.
      signalGroup(pid, "SIGKILL");
    }
    await new Promise<void>((resolve) => (this.#log ? this.#log.end(resolve) : resolve()));
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

/** Stops the processes in reverse start order, each waited for. */
export async function stopAll(processes: readonly ManagedProcess[]): Promise<void> {
  for (const p of [...processes].reverse()) await p.stop();
}

interface Recorded {
  name: string;
  pid: number;
  cmdline: string;
}

function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes the children's pids and command lines, so a later start can find leftovers. */
export function recordProcesses(file: string, processes: readonly ManagedProcess[]): void {
  const records: Recorded[] = processes.flatMap((p) => {
    const cmdline = p.pid === undefined ? undefined : cmdlineOf(p.pid);
    return p.pid === undefined || cmdline === undefined
      ? []
      : [{ name: p.name, pid: p.pid, cmdline }];
  });
  writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);
}

/**
 * Stops the children a previous run recorded in `file` and left running (it was killed with
 * SIGKILL, say): only processes whose command line is still exactly the recorded one.
 */
export async function stopLeftovers(file: string, log: (message: string) => void): Promise<void> {
  if (!existsSync(file)) return;
  let records: Recorded[] = [];
  try {
    records = JSON.parse(readFileSync(file, "utf8")) as Recorded[];
  } catch {
    // unreadable: nothing to trust in it
  }
  for (const { name, pid, cmdline } of records) {
    if (cmdlineOf(pid) !== cmdline) continue;
    log(`stopping the ${name} (pid ${pid}) a previous npm start left running`);
    signalGroup(pid, "SIGTERM");
    for (let i = 0; i < 50 && cmdlineOf(pid) === cmdline; i++) await sleep(100);
    if (cmdlineOf(pid) === cmdline) signalGroup(pid, "SIGKILL");
  }
  rmSync(file, { force: true });
}
