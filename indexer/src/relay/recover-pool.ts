/**
 * Signature recovery off the event loop. Recovering the signer of an EIP-712 signature
 * (secp256k1 in JavaScript, viem's `recoverAddress`) is the relay's largest cost per request:
 * about 2.5–3.5 ms of CPU on the 2-core benchmark machine, more than the HTTP handling, body
 * checks and the simulation together (scripts/bench/relay.ts). Done on the event loop it caps
 * the relay at a few hundred requests a second and delays every other answer meanwhile; worker
 * threads run it on the other cores.
 *
 * The workers run viem's own `recoverAddress` (loaded by path, so no TypeScript loader is needed
 * in them); with no threads (`RELAY_SIGNATURE_THREADS=0`, or a worker that fails) recovery runs
 * on the event loop as before.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { type Address, type Hex, recoverAddress } from "viem";

export type Recover = (hash: Hex, signature: Hex) => Promise<Address>;

export type RecoverPool = { recover: Recover; close(): Promise<void> };

const inProcess: Recover = (hash, signature) => recoverAddress({ hash, signature });

const workerSource = (viemPath: string) => `
const { parentPort } = require("node:worker_threads");
const { recoverAddress } = require(${JSON.stringify(viemPath)});
parentPort.on("message", async ({ id, hash, signature }) => {
  try {
    parentPort.postMessage({ id, address: await recoverAddress({ hash, signature }) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

type Pending = {
  hash: Hex;
  signature: Hex;
  resolve(address: Address | Promise<Address>): void;
  reject(error: Error): void;
};
type Slot = { worker: Worker; pending: Map<number, Pending>; broken: boolean };

/** A pool of `threads` workers (0: recovery stays on the event loop). */
export function createRecoverPool(threads: number): RecoverPool {
  if (threads <= 0) return { recover: inProcess, close: async () => {} };
  const viemPath = createRequire(import.meta.url).resolve("viem");
  let next = 0;
  let seq = 0;
  const inProcessFor = (id: number, slot: Slot): Promise<Address> => {
    const p = slot.pending.get(id) as Pending;
    return inProcess(p.hash, p.signature);
  };
  const slots: Slot[] = Array.from({ length: threads }, () => {
    const worker = new Worker(workerSource(viemPath), { eval: true });
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), broken: false };
    worker.on("message", (m: { id: number; address?: Address; error?: string }) => {
      const p = slot.pending.get(m.id);
      if (p === undefined) return;
      slot.pending.delete(m.id);
      if (m.address !== undefined) p.resolve(m.address);
      else p.reject(new Error(m.error ?? "signature recovery failed"));
    });
    // A worker that dies hands its requests back to the event loop (never a false refusal).
    const fail = () => {
      slot.broken = true;
      for (const [id, p] of slot.pending) p.resolve(inProcessFor(id, slot));
      slot.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", fail);
    return slot;
  });

  const recover: Recover = (hash, signature) => {
    // The least busy live worker, round robin among equals.
    let best: Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[(next + i) % slots.length] as Slot;
      if (!slot.broken && (best === undefined || slot.pending.size < best.pending.size)) {
        best = slot;
      }
    }
    next = (next + 1) % slots.length;
    if (best === undefined) return inProcess(hash, signature);
    const slot = best;
    const id = seq++;
    return new Promise<Address>((resolve, reject) => {
      slot.pending.set(id, { hash, signature, resolve, reject });
      slot.worker.postMessage({ id, hash, signature });
    });
  };

  let closed = false;
  return {
    recover: (hash, signature) => (closed ? inProcess(hash, signature) : recover(hash, signature)),
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
