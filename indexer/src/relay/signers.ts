/**
 * Per-signer bookkeeping. A signer may send several requests before the first is mined (nonces
 * n, n+1, …); the forwarder executes them only in order, so the relay accepts a signer's requests
 * one at a time under a per-signer lock, expects the nonce after the last one it accepted while
 * any is pending, and lets a request that arrives ahead of its predecessor wait briefly for it.
 */
import type { Address } from "viem";

type SignerState = {
  /** Accepted requests whose outcome is not known yet. */
  pending: number;
  /** The nonce after the last accepted one (meaningful while `pending > 0`). */
  next: bigint | undefined;
  tail: Promise<void>;
  waiters: Set<() => void>;
  /** Holders and waiters of the lock (an idle signer's state is dropped). */
  locked: number;
};

export type SignerTracker = {
  /** Runs `fn` alone for `signer` (requests of other signers run alongside). */
  exclusive<T>(signer: Address, fn: () => Promise<T>): Promise<T>;
  /** The nonce the relay expects next from `signer` while it has pending requests, else undefined. */
  expected(signer: Address): bigint | undefined;
  /** Records that `signer`'s request with `nonce` was accepted. */
  accept(signer: Address, nonce: bigint): void;
  /** Records a request's outcome; one that did not use its nonce makes the chain the truth again. */
  settle(signer: Address, executed: boolean): void;
  /** Resolves when `signer`'s state changes, or after `ms`. */
  changed(signer: Address, ms: number): Promise<void>;
  /** Signers with state (for tests and status). */
  size(): number;
};

export const createSignerTracker = (): SignerTracker => {
  const states = new Map<Address, SignerState>();
  const get = (signer: Address) => {
    let s = states.get(signer);
    if (s === undefined) {
      s = { pending: 0, next: undefined, tail: Promise.resolve(), waiters: new Set(), locked: 0 };
      states.set(signer, s);
    }
    return s;
  };
  const notify = (s: SignerState) => {
    for (const wake of s.waiters) wake();
    s.waiters.clear();
  };
  const forget = (signer: Address, s: SignerState) => {
    if (s.pending === 0 && s.waiters.size === 0 && s.locked === 0 && states.get(signer) === s) {
      states.delete(signer);
    }
  };
  return {
    async exclusive(signer, fn) {
      const s = get(signer);
      s.locked += 1;
      const before = s.tail;
      let release!: () => void;
      s.tail = new Promise<void>((resolve) => {
        release = resolve;
      });
      await before;
      try {
        return await fn();
      } finally {
        s.locked -= 1;
        release();
        forget(signer, s);
      }
    },
    expected(signer) {
      const s = states.get(signer);
      return s !== undefined && s.pending > 0 ? s.next : undefined;
    },
    accept(signer, nonce) {
      const s = get(signer);
      s.pending += 1;
      s.next = nonce + 1n;
      notify(s);
    },
    settle(signer, executed) {
      const s = states.get(signer);
      if (s === undefined) return;
      s.pending = Math.max(0, s.pending - 1);
      if (!executed || s.pending === 0) s.next = undefined;
      notify(s);
      forget(signer, s);
    },
    changed(signer, ms) {
      const s = get(signer);
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          s.waiters.delete(done);
          resolve();
          forget(signer, s);
        }
        s.waiters.add(done);
      });
    },
    size: () => states.size,
  };
};
