/**
 * The PGlite data-folder lock (indexer/src/internal/lock.ts) tells a live owner from a dead one:
 * a live owner keeps the folder; a killed owner that is still a zombie (not yet reaped by its
 * parent), and a pid now used by another process (other start time, or an earlier boot), do not.
 * End to end: the indexer killed with SIGKILL and restarted at once, five times, starts each time,
 * while a live indexer still makes a second one exit 1 with the clear message.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Address } from "viem";
import {
  currentOwner,
  formatOwner,
  LOCK_FILE,
  lockFolder,
  parseOwner,
} from "../../indexer/src/internal/lock.ts";
import { startChain } from "./helpers/chain.ts";
import { envVars } from "./helpers/indexer.ts";

const HOLDER = new URL("./helpers/lock-holder.ts", import.meta.url).pathname;
const MAIN = new URL("../../indexer/src/main.ts", import.meta.url).pathname;
const onLinux = existsSync("/proc/self/stat");

const procState = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
};

const pidExists = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Runs `node --import tsx <args>` as the child of a shell that then becomes `sleep`, which never
 * waits for its children: once killed, the node process stays a zombie until the sleep ends. The
 * promise resolves with the node pid when its stdout matches `ready`.
 */
function spawnUnreaped(args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  const wrapper = spawn(
    "sh",
    ["-c", '"$0" --import tsx "$@" & echo "child $!"; exec sleep 600', process.execPath, ...args],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  wrapper.stderr?.setEncoding("utf8").on("data", (c: string) => {
    err += c;
  });
  const pid = new Promise<number>((resolve, reject) => {
    // The node process exiting before it is ready leaves a zombie, not an event: poll for it.
    const watch = setInterval(() => {
      const child = Number(/child (\d+)/.exec(out)?.[1]);
      const state = child > 0 ? procState(child) : "R";
      if (!ready.test(out) && (state === "Z" || state === undefined)) {
        clearInterval(watch);
        reject(new Error(`exited before it was ready: ${out} ${err}`));
      }
    }, 50);
    wrapper.stdout?.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const child = /child (\d+)/.exec(out);
      if (child?.[1] && ready.test(out)) {
        clearInterval(watch);
        resolve(Number(child[1]));
      }
    });
    wrapper.once("exit", () => {
      clearInterval(watch);
      reject(new Error(`wrapper exited: ${out} ${err}`));
    });
  });
  pid.catch(() => {});
  return { wrapper, pid, output: () => out + err };
}

describe("data-folder lock", { skip: !onLinux && "needs Linux /proc" }, () => {
  const wrappers: ChildProcess[] = [];
  const children: number[] = [];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "jangbu-lock-"));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    // The node children first: a live one outlives its wrapper and holds the test's stdout pipe.
    for (const pid of children) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const w of wrappers) w.kill("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("a live owner in another process keeps the folder: the second lock names its pid", async () => {
    const dir = tempDir();
    const holder = spawnUnreaped([HOLDER, dir], process.env, /locked \d+/);
    wrappers.push(holder.wrapper);
    const pid = await holder.pid;
    children.push(pid);
    assert.throws(
      () => lockFolder(dir),
      new RegExp(`data folder .* is in use by another indexer \\(pid ${pid}\\)`),
    );
  });

  it("an owner killed with SIGKILL and not yet reaped (a zombie) no longer holds it", async () => {
    const dir = tempDir();
    const holder = spawnUnreaped([HOLDER, dir], process.env, /locked \d+/);
    wrappers.push(holder.wrapper);
    const pid = await holder.pid;
    children.push(pid);
    process.kill(pid, "SIGKILL");
    await until("the holder to be a zombie", () => procState(pid) === "Z");
    assert.ok(pidExists(pid), "the zombie's pid still answers kill(pid, 0)");
    const lock = lockFolder(dir);
    assert.equal(parseOwner(readFileSync(lock.path, "utf8"))?.pid, process.pid);
    lock.release();
    assert.equal(existsSync(lock.path), false, "released");
  });

  it("a live pid with another start time, or from an earlier boot, is not the owner", async () => {
    const sleeper = spawn("sleep", ["600"], { stdio: "ignore" });
    wrappers.push(sleeper);
    const pid = sleeper.pid ?? 0;
    const me = currentOwner();
    assert.ok(me.start !== undefined && me.boot !== undefined, "start time and boot id known");
    const cases = [
      { pid, start: String(Number(me.start) + 12345), boot: me.boot },
      { pid, start: me.start, boot: "00000000-0000-0000-0000-000000000000" },
    ];
    for (const owner of cases) {
      const dir = tempDir();
      writeFileSync(join(dir, LOCK_FILE), formatOwner(owner));
      const lock = lockFolder(dir);
      assert.equal(parseOwner(readFileSync(lock.path, "utf8"))?.pid, process.pid);
      lock.release();
    }
    // A lock of the older format (the pid alone) of a live process is still respected.
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), `${pid}\n`);
    assert.throws(() => lockFolder(dir), /in use by another indexer/);
  });

  describe("the indexer, killed with SIGKILL and restarted at once", () => {
    let chain: Awaited<ReturnType<typeof startChain>>;
    before(async () => {
      chain = await startChain();
    });
    after(async () => {
      await chain?.close();
    });

    it("starts each of 5 times; a live one still makes a second exit 1", async () => {
      const dataDir = tempDir();
      // No contracts on this chain: the addresses only have to be set for the service to start.
      const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
      const env = {
        ...process.env,
        DATABASE_URL: "",
        NO_COLOR: "1",
        ...envVars(
          chain.url,
          {
            chainId: 31337,
            startBlock: 0,
            addresses: {
              JangbuForwarder: address(1),
              CredentialRegistry: address(2),
              RicePurchase: address(3),
              TenderBoard: address(4),
              FarmGatePrices: address(5),
              VarietyTesting: address(5),
            },
          },
          { DATA_DIR: dataDir, PORT: "0" },
        ),
      };
      const listening = /jangbu indexer listening on http/;
      let previous: number | undefined;
      for (let run = 1; run <= 5; run++) {
        const started = Date.now();
        const indexer = spawnUnreaped([MAIN], env, listening);
        wrappers.push(indexer.wrapper);
        const pid = await indexer.pid.catch((error: Error) =>
          assert.fail(`run ${run} did not start: ${error.message}`),
        );
        children.push(pid);
        if (previous !== undefined) {
          assert.equal(procState(previous), "Z", `run ${run}: the killed one is still a zombie`);
        }
        const lockOwner = parseOwner(readFileSync(join(dataDir, LOCK_FILE), "utf8"));
        assert.equal(lockOwner?.pid, pid, `run ${run}: the new instance holds the lock`);
        console.log(`run ${run}: started in ${Date.now() - started} ms (pid ${pid})`);
        if (run === 5) {
          const second = spawn(process.execPath, [MAIN], {
            env,
            stdio: ["ignore", "ignore", "pipe"],
          });
          let stderr = "";
          second.stderr?.setEncoding("utf8").on("data", (c: string) => {
            stderr += c;
          });
          const code = await new Promise<number | null>((r) => second.once("exit", r));
          assert.equal(code, 1, stderr);
          assert.match(stderr, new RegExp(`is in use by another indexer \\(pid ${pid}\\)`));
          process.kill(pid, "SIGTERM");
          await until("a clean stop", () => procState(pid) === "Z", 30_000);
          assert.equal(existsSync(join(dataDir, LOCK_FILE)), false, "lock released on SIGTERM");
        } else {
          process.kill(pid, "SIGKILL");
          previous = pid;
        }
      }
    });
  });
});
