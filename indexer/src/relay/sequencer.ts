/**
 * Each signer's requests, in nonce order. The forwarder executes a signer's requests only in
 * nonce order (n, n+1, …), but a phone that retries or a signer with several tabs sends them out
 * of order. So, per signer:
 *
 * - the nonce the relay expects next is the chain's, or the one after the last request it queued
 *   while that one's outcome is unknown;
 * - a request for that nonce is checked (credential, simulation) and queued for sending, and then
 *   the held requests that follow it are, one by one, in order;
 * - a request ahead of it (by at most `nonceAheadMax`) is held: accepted (202, state `held`, it
 *   keeps its place) and run once the missing ones arrive; after `nonceWaitMs` still held it ends
 *   as `failed` with RELAY_NONCE_GAP, never sent;
 * - a request behind it can never run: replayed or stale, refused at once; so is one too far ahead
 *   (RELAY_NONCE_TOO_FAR) and a second request for a nonce already held or queued.
 *
 * All of a signer's steps run under its own lock (other signers alongside), so no two requests
 * take the same nonce and nothing is queued twice. Nothing held is ever sent before its turn,
 * and a held request that fails its checks when its turn comes is ended without gas spent.
 */
import type { Address, Hex } from "viem";
import { type RelayError, RelayRefusal, RelayUnavailable } from "./errors.ts";
import type { RelayLogger } from "./logger.ts";
import type { NewRequest, RelayedRequest, Submitter } from "./submitter.ts";

type Held = { record: RelayedRequest; since: number; timer: NodeJS.Timeout };

type Lane = {
  /** The nonce after the last queued request, while any queued one's outcome is unknown. */
  next: bigint | undefined;
  /** Queued (or sent) requests whose outcome is not known yet. */
  inflight: Set<Hex>;
  held: Map<bigint, Held>;
  tail: Promise<void>;
  /** Holders and waiters of the lock (an idle signer's lane is dropped). */
  locked: number;
};

export type Admitted = { record: RelayedRequest; duplicate: boolean };

export type Sequencer = {
  /**
   * Takes a checked request (signature, deadline, gas, target and function already checked):
   * queues it, holds it, or refuses it (throws a RelayRefusal / RelayUnavailable). `precheck`
   * runs the checks that cannot wait for the request's turn (the credential pre-check).
   */
  admit(request: NewRequest, precheck: () => Promise<void>): Promise<Admitted>;
  /** Called once per queued request when its outcome is known: `executed` when its nonce was used. */
  settled(request: RelayedRequest, executed: boolean): void;
  /** Stops the hold timers (the submitter ends the held requests). */
  close(): void;
};

export type CreateSequencerParameters = {
  submitter: Submitter;
  /** How long a request is held for the missing nonces before it is refused. */
  nonceWaitMs: number;
  /** How far ahead of the expected nonce a request may be held. */
  nonceAheadMax: number;
  /** The signer's nonce on chain (throws RelayUnavailable when the RPC fails). */
  chainNonce(from: Address): Promise<bigint>;
  /** Refuses a nonce below the chain's: RELAY_REPLAYED when it is this very request, else RELAY_STALE_NONCE. */
  usedNonce(id: Hex, from: Address, nonce: bigint, chainNonce: bigint): Promise<never>;
  /** Checks a request whose turn has come (the simulation on the latest state); throws a refusal. */
  ready(request: RelayedRequest | NewRequest): Promise<void>;
  /** The chain's time, unix seconds; a held request whose deadline passed is not run. */
  chainNow(): number;
  logger: RelayLogger;
  now?: () => number;
};

export const createSequencer = ({
  submitter,
  nonceWaitMs,
  nonceAheadMax,
  chainNonce,
  usedNonce,
  ready,
  chainNow,
  logger,
  now = Date.now,
}: CreateSequencerParameters): Sequencer => {
  const lanes = new Map<Address, Lane>();
  let closed = false;

  const laneOf = (signer: Address): Lane => {
    let lane = lanes.get(signer);
    if (lane === undefined) {
      lane = {
        next: undefined,
        inflight: new Set(),
        held: new Map(),
        tail: Promise.resolve(),
        locked: 0,
      };
      lanes.set(signer, lane);
    }
    return lane;
  };
  const forget = (signer: Address, lane: Lane) => {
    if (
      lane.inflight.size === 0 &&
      lane.held.size === 0 &&
      lane.locked === 0 &&
      lanes.get(signer) === lane
    ) {
      lanes.delete(signer);
    }
  };

  /** Runs `fn` alone for `signer` (other signers' steps run alongside). */
  const exclusive = async <T>(signer: Address, fn: (lane: Lane) => Promise<T>): Promise<T> => {
    const lane = laneOf(signer);
    lane.locked += 1;
    const before = lane.tail;
    let unlock!: () => void;
    lane.tail = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    await before;
    try {
      return await fn(lane);
    } finally {
      lane.locked -= 1;
      unlock();
      forget(signer, lane);
    }
  };

  /** The nonce the relay expects next from the signer. */
  const expectedOf = async (from: Address, lane: Lane): Promise<bigint> => {
    lane.next ??= await chainNonce(from);
    return lane.next;
  };

  const unhold = (lane: Lane, nonce: bigint): Held | undefined => {
    const h = lane.held.get(nonce);
    if (h === undefined) return undefined;
    lane.held.delete(nonce);
    clearTimeout(h.timer);
    return h;
  };

  const queue = (lane: Lane, record: RelayedRequest) => {
    lane.next = record.nonce + 1n;
    lane.inflight.add(record.id);
  };

  /** Under the lock: queues the held requests whose turn has come, in nonce order. */
  const releaseHeld = async (from: Address, lane: Lane) => {
    while (!closed && lane.held.size > 0) {
      const expected = await expectedOf(from, lane);
      const h = unhold(lane, expected);
      if (h === undefined) return;
      const r = h.record;
      try {
        if (r.deadline <= chainNow()) {
          throw new RelayRefusal(
            "RELAY_EXPIRED",
            "the deadline passed while the request was held",
            {
              deadline: r.deadline,
              chainTime: chainNow(),
            },
          );
        }
        await ready(r);
      } catch (error) {
        // Its nonce is not used: the requests after it stay held until another request for
        // this nonce arrives (or their own time runs out).
        submitter.fail(r, asRelayError(error));
        logger.info("a held request failed its checks when its turn came", {
          requestId: r.id,
          from,
          nonce: r.nonce.toString(),
          code: asRelayError(error).code,
        });
        return;
      }
      submitter.release(r);
      queue(lane, r);
    }
  };

  const drain = (from: Address) =>
    exclusive(from, (lane) => releaseHeld(from, lane)).catch((error: unknown) => {
      logger.warn("could not release held relay requests", {
        from,
        error: error instanceof Error ? error.message : String(error),
      });
    });

  /** A held request's time is up: run it if the chain has come to its nonce, else refuse it. */
  const expire = (from: Address, nonce: bigint, record: RelayedRequest) =>
    exclusive(from, async (lane) => {
      if (lane.held.get(nonce)?.record !== record) return;
      // Another submitter may have used the missing nonces meanwhile: ask the chain again.
      if (lane.inflight.size === 0) lane.next = await chainNonce(from);
      await releaseHeld(from, lane);
      const h = lane.held.get(nonce);
      if (h?.record !== record) return;
      unhold(lane, nonce);
      const expected = lane.next ?? nonce;
      submitter.fail(
        record,
        record.deadline <= chainNow()
          ? new RelayRefusal("RELAY_EXPIRED", "the deadline passed while the request was held", {
              deadline: record.deadline,
              chainTime: chainNow(),
            })
          : nonce < expected
            ? new RelayRefusal(
                "RELAY_STALE_NONCE",
                `nonce ${nonce} was used while the request was held; the signer's next nonce is ${expected}`,
                { nonce: nonce.toString(), expected: expected.toString() },
              )
            : new RelayRefusal(
                "RELAY_NONCE_GAP",
                `nonce ${nonce} was held ${now() - h.since} ms for the signer's nonces from ${expected}, which did not arrive; send them, then this request again`,
                {
                  nonce: nonce.toString(),
                  expected: expected.toString(),
                  heldMs: now() - h.since,
                },
              ),
      );
    }).catch((error: unknown) => {
      // The RPC failed reading the nonce: try again after another interval.
      logger.warn("could not settle a held relay request", {
        from,
        error: error instanceof Error ? error.message : String(error),
      });
      const lane = lanes.get(from);
      const h = lane?.held.get(nonce);
      if (h?.record === record && !closed) {
        h.timer = setTimeout(() => void expire(from, nonce, record), nonceWaitMs);
        h.timer.unref();
      }
    });

  return {
    async admit(input, precheck) {
      const { from, nonce, id } = input;
      const admitted = await exclusive(from, async (lane): Promise<Admitted> => {
        const known = submitter.request(id);
        if (known !== undefined && known.state !== "failed") {
          return { record: known, duplicate: true };
        }
        const expected = await expectedOf(from, lane);
        if (nonce < expected) {
          const onChain = await chainNonce(from);
          if (nonce < onChain) return usedNonce(id, from, nonce, onChain);
          throw new RelayRefusal(
            "RELAY_STALE_NONCE",
            `nonce ${nonce} is taken by another request of this signer the relay has queued; the next nonce is ${expected}`,
            { nonce: nonce.toString(), expected: expected.toString() },
          );
        }
        if (nonce > expected) {
          if (nonce - expected > BigInt(nonceAheadMax)) {
            throw new RelayRefusal(
              "RELAY_NONCE_TOO_FAR",
              `nonce ${nonce} is more than ${nonceAheadMax} ahead of the signer's next nonce ${expected}; send the missing requests first`,
              {
                nonce: nonce.toString(),
                expected: expected.toString(),
                aheadMax: nonceAheadMax,
              },
            );
          }
          if (lane.held.has(nonce)) {
            throw new RelayRefusal(
              "RELAY_STALE_NONCE",
              `nonce ${nonce} is taken by another request of this signer the relay holds`,
              { nonce: nonce.toString(), expected: expected.toString() },
            );
          }
          await precheck();
          const record = submitter.hold(input);
          // Held until the missing nonces arrive, for at most nonceWaitMs (less if the deadline
          // comes first: then it could not run anyway).
          const untilDeadline = Math.max(0, (input.deadline - chainNow()) * 1_000);
          const timer = setTimeout(
            () => void expire(from, nonce, record),
            Math.min(nonceWaitMs, untilDeadline),
          );
          timer.unref();
          lane.held.set(nonce, { record, since: now(), timer });
          return { record, duplicate: false };
        }
        await precheck();
        await ready(input);
        const record = submitter.enqueue(input);
        queue(lane, record);
        return { record, duplicate: false };
      });
      // Its successors, if held, are checked and queued after this answer, in order.
      if (!admitted.duplicate && admitted.record.state !== "held") {
        const lane = lanes.get(from);
        if (lane?.held.has(nonce + 1n)) void drain(from);
      }
      return admitted;
    },
    settled(record, executed) {
      const lane = lanes.get(record.from);
      if (lane === undefined || !lane.inflight.delete(record.id)) return;
      // A request that did not use its nonce: the chain is the truth again.
      if (!executed) {
        lane.next = undefined;
        if (lane.held.size > 0) void drain(record.from);
      } else if (lane.inflight.size === 0 && lane.held.size === 0) lane.next = undefined;
      forget(record.from, lane);
    },
    close() {
      closed = true;
      for (const lane of lanes.values()) {
        for (const h of lane.held.values()) clearTimeout(h.timer);
      }
    },
  };
};

const asRelayError = (error: unknown): RelayError =>
  error instanceof RelayRefusal || error instanceof RelayUnavailable
    ? error
    : new RelayUnavailable("RELAY_UNAVAILABLE", "the relay could not check the request", {
        cause: error,
      });
