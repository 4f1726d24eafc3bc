/**
 * The relayer's transactions. One in-process queue owns the relayer's nonces, so concurrent
 * requests never collide: accepted requests wait in the queue, and a single sender takes as many
 * as are waiting (up to `batchMax` and half a block of gas) into one
 * `JangbuForwarder.executeBatch(requests, relayer)` transaction. Under light load that is one
 * request per transaction, sent at once; under heavy load the batches grow, not the latency.
 *
 * With a refund receiver, `executeBatch` skips a request that became invalid while queued
 * (expired, nonce used) instead of reverting the whole batch, and a call that reverts uses the
 * signer's nonce and is recorded as `success: false` in `ExecutedForwardRequest`: each request's
 * outcome is read from those events.
 *
 * A watcher polls the relayer's mined nonce; transactions below it are settled from their
 * receipts, and a transaction still pending after `resendAfterMs` is sent again with the same
 * nonce and fees raised by 12.5 % (replacing it in the node's pool). The relayer's balance is
 * refreshed as transactions are mined; a low balance is logged as a warning.
 */
import {
  type Account,
  type Address,
  encodeFunctionData,
  type Hash,
  type Hex,
  isAddressEqual,
  keccak256,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import type { ForwardRequestData } from "../../../sdk/forwarder.ts";
import { JangbuForwarderAbi } from "../../../sdk/generated/abis.ts";
import type { RelayConfig } from "./config.ts";
import { jsonSafe, type RelayError, RelayRefusal, RelayUnavailable } from "./errors.ts";
import type { RelayLogger } from "./logger.ts";
import {
  type DecodedRevert,
  intrinsicGas,
  simulateForwardedCall,
  tracedRevert,
} from "./simulate.ts";

/** `held`: accepted, waiting for the signer's earlier nonces (./sequencer.ts); nothing is sent yet. */
export type RequestState = "held" | "queued" | "pending" | "mined" | "reverted" | "failed";

/** What happened to a request after it was accepted. */
export type RequestOutcomeError = {
  /** CALL_REVERTED (the call ran and reverted: the nonce is used), NOT_EXECUTED (the forwarder
   * skipped it), TX_REVERTED (the whole transaction reverted), or a RELAY_* code. */
  code: string;
  message: string;
  details?: Record<string, unknown>;
};

/** An accepted request and its progress. */
export type RelayedRequest = {
  /** The EIP-712 digest. */
  readonly id: Hex;
  readonly from: Address;
  readonly nonce: bigint;
  readonly to: Address;
  readonly gas: bigint;
  readonly deadline: number;
  readonly contract: string;
  readonly functionName: string;
  readonly summary: string;
  readonly forward: ForwardRequestData;
  state: RequestState;
  txHash?: Hash;
  relayerNonce?: number;
  blockNumber?: bigint;
  error?: RequestOutcomeError;
  readonly acceptedAt: number;
  sentAt?: number;
  finishedAt?: number;
  /** Resolves with the transaction hash once sent; rejects when it could not be. */
  readonly sent: Promise<Hash>;
};

type Fees =
  | { type: "eip1559"; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: "legacy"; gasPrice: bigint };

/** One relayer nonce: the transaction and every fee bump of it. */
export type RelayedTx = {
  readonly relayerNonce: number;
  /** Every hash sent for this nonce, the latest last. */
  readonly hashes: Hash[];
  readonly requests: RelayedRequest[];
  readonly data: Hex;
  readonly gas: bigint;
  fees: Fees;
  state: "pending" | "mined" | "reverted" | "dropped";
  /** The hash that was mined. */
  minedHash?: Hash;
  blockNumber?: bigint;
  readonly firstSentAt: number;
  lastSentAt: number;
};

export type NewRequest = Omit<
  RelayedRequest,
  "state" | "sent" | "acceptedAt" | "txHash" | "relayerNonce" | "blockNumber" | "error"
>;

export type SubmitterStats = {
  relayer: Address;
  nextNonce: number | null;
  held: number;
  queued: number;
  pendingTxs: number;
  txsSent: number;
  resent: number;
  requests: { accepted: number; mined: number; reverted: number; failed: number };
  balanceWei: string | null;
  lowBalance: boolean;
  lastMinedAt: string | null;
};

export type Submitter = {
  /** Queues an accepted request; its `sent` promise settles when its transaction is sent. */
  enqueue(request: NewRequest): RelayedRequest;
  /** Records an accepted request that waits for the signer's earlier nonces (state `held`). */
  hold(request: NewRequest): RelayedRequest;
  /** Queues a held request, now that its turn has come. */
  release(request: RelayedRequest): void;
  /** Ends a held request without sending it (`failed`, with the error as its outcome). */
  fail(request: RelayedRequest, error: RelayError): void;
  request(id: Hex): RelayedRequest | undefined;
  /** The relayed transaction a hash belongs to (original or replacement). */
  tx(hash: Hash): RelayedTx | undefined;
  /** Checks pending transactions now (the watcher also does, every `pollIntervalMs`). */
  check(): Promise<void>;
  stats(): SubmitterStats;
  /** Reads the balance now (and warns when low). */
  refreshBalance(): Promise<bigint | undefined>;
  /**
   * Sends one call of the relayer's own (a passkey account's `execute`, a factory's
   * `createAccount`) with the next relayer nonce, in turn with the batches; resolves with its hash.
   * It is not watched or re-sent: the caller waits for its receipt.
   */
  sendDirect(call: { to: Address; data: Hex; gas: bigint }): Promise<Hash>;
  /** Stops the watcher; queued requests are refused with RELAY_DISABLED. */
  close(): Promise<void>;
};

export type CreateSubmitterParameters = {
  publicClient: PublicClient;
  walletClient: WalletClient;
  account: Account;
  chainId: number;
  forwarder: Address;
  config: RelayConfig;
  logger: RelayLogger;
  /** Gas limit of the chain's blocks (a batch takes at most half a block). */
  blockGasLimit: bigint;
  /** The chain's time in unix seconds (latest block, extrapolated). */
  chainNow: () => number;
  /** Called once per request when its outcome is known: `executed` when its nonce was used. */
  onSettled: (request: RelayedRequest, executed: boolean) => void;
  now?: () => number;
};

/** Gas a request takes in a batch beyond its own `gas`: signature, nonce slot, event, the 1/63 rule. */
const PER_REQUEST_OVERHEAD = 45_000n;
const BATCH_OVERHEAD = 30_000n;
const MAX_RECORDS = 100_000;
const LOW_BALANCE_REPEAT_MS = 10 * 60_000;

const reserveOf = (gas: bigint) => gas + gas / 63n + 1n + PER_REQUEST_OVERHEAD;
const bump = (old: bigint, current: bigint) => {
  const raised = (old * 1125n) / 1000n + 1n;
  return raised > current ? raised : current;
};
const shortMessage = (error: unknown) =>
  error instanceof Error
    ? ((error as { shortMessage?: string }).shortMessage ?? error.message).split("\n")[0]
    : String(error);
const isNonceError = (error: unknown) =>
  /nonce (too low|too high|has already been used)|invalid nonce|nonce is too|already known|replacement transaction underpriced|known transaction/i.test(
    error instanceof Error
      ? `${error.message} ${String((error as { details?: string }).details)}`
      : String(error),
  );

export const createSubmitter = ({
  publicClient,
  walletClient,
  account,
  chainId,
  forwarder,
  config,
  logger,
  blockGasLimit,
  chainNow,
  onSettled,
  now = Date.now,
}: CreateSubmitterParameters): Submitter => {
  const relayer = account.address;
  const queue: (RelayedRequest & Deferred)[] = [];
  const records = new Map<Hex, RelayedRequest>();
  const held = new Map<Hex, RelayedRequest & Deferred>();
  const txByHash = new Map<Hash, RelayedTx>();
  const pending = new Map<number, RelayedTx>();
  const maxBatchGas = blockGasLimit / 2n > 0n ? blockGasLimit / 2n : 15_000_000n;
  const counts = { accepted: 0, mined: 0, reverted: 0, failed: 0 };
  let nextNonce: number | undefined;
  let txsSent = 0;
  let resent = 0;
  let pumping = false;
  let closed = false;
  let balance: bigint | undefined;
  let balanceAt = 0;
  let lowWarnedAt = 0;
  let lastMinedAt: number | undefined;
  let priority: { value: bigint; at: number } | undefined;

  type Deferred = { resolve(hash: Hash): void; reject(error: RelayError): void };

  // ------------------------------------------------------------------ fees

  let feeBlock: { baseFeePerGas: bigint | null; at: number } | undefined;
  const fees = async (): Promise<Fees> => {
    if (feeBlock === undefined || now() - feeBlock.at > 500) {
      const latest = await publicClient.getBlock({ blockTag: "latest" });
      feeBlock = { baseFeePerGas: latest.baseFeePerGas ?? null, at: now() };
    }
    const block = feeBlock;
    if (block.baseFeePerGas === null || block.baseFeePerGas === undefined) {
      return { type: "legacy", gasPrice: await publicClient.getGasPrice() };
    }
    if (priority === undefined || now() - priority.at > 30_000) {
      let value: bigint;
      try {
        value = await publicClient.estimateMaxPriorityFeePerGas();
      } catch {
        value = 1_000_000_000n;
      }
      priority = { value, at: now() };
    }
    return {
      type: "eip1559",
      maxPriorityFeePerGas: priority.value,
      maxFeePerGas: block.baseFeePerGas * 2n + priority.value,
    };
  };
  const feeFields = (f: Fees) =>
    f.type === "legacy"
      ? { gasPrice: f.gasPrice }
      : { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas };
  const bumped = (old: Fees, current: Fees): Fees => {
    if (old.type === "legacy") {
      const cur = current.type === "legacy" ? current.gasPrice : current.maxFeePerGas;
      return { type: "legacy", gasPrice: bump(old.gasPrice, cur) };
    }
    const cur =
      current.type === "eip1559"
        ? current
        : { maxFeePerGas: current.gasPrice, maxPriorityFeePerGas: current.gasPrice };
    return {
      type: "eip1559",
      maxFeePerGas: bump(old.maxFeePerGas, cur.maxFeePerGas),
      maxPriorityFeePerGas: bump(old.maxPriorityFeePerGas, cur.maxPriorityFeePerGas),
    };
  };

  /**
   * Sends one transaction. A local account signs here and the raw transaction goes out as is
   * (no chain-id or fee look-ups per send); another account goes through `eth_sendTransaction`.
   */
  const send = async (tx: {
    nonce: number;
    data: Hex;
    gas: bigint;
    fees: Fees;
    to?: Address;
  }): Promise<Hash> => {
    if (account.type === "local") {
      const serializedTransaction = await account.signTransaction({
        chainId,
        type: tx.fees.type,
        to: tx.to ?? forwarder,
        data: tx.data,
        gas: tx.gas,
        nonce: tx.nonce,
        ...feeFields(tx.fees),
      } as Parameters<typeof account.signTransaction>[0]);
      await publicClient.sendRawTransaction({ serializedTransaction });
      return keccak256(serializedTransaction);
    }
    return walletClient.sendTransaction({
      account,
      chain: walletClient.chain ?? null,
      to: tx.to ?? forwarder,
      data: tx.data,
      gas: tx.gas,
      nonce: tx.nonce,
      ...feeFields(tx.fees),
    } as Parameters<WalletClient["sendTransaction"]>[0]);
  };

  // ------------------------------------------------------------------ records

  const remember = (r: RelayedRequest) => {
    records.delete(r.id); // re-insert: the newest attempt is the latest in iteration order
    records.set(r.id, r);
    if (records.size <= MAX_RECORDS) return;
    for (const [id, old] of records) {
      if (records.size <= MAX_RECORDS * 0.9) break;
      if (old.state === "held" || old.state === "queued" || old.state === "pending") continue;
      records.delete(id);
      if (old.txHash !== undefined) {
        const tx = txByHash.get(old.txHash);
        if (tx?.requests.every((q) => records.get(q.id) !== q)) {
          for (const h of tx.hashes) txByHash.delete(h);
        }
      }
    }
  };

  const finish = (r: RelayedRequest, state: "mined" | "reverted" | "failed", executed: boolean) => {
    r.state = state;
    r.finishedAt = now();
    counts[state] += 1;
    onSettled(r, executed);
  };

  const refuseQueued = (r: RelayedRequest & Deferred, error: RelayError) => {
    r.error = {
      code: error.code,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    };
    finish(r, "failed", false);
    r.reject(error);
  };

  // ------------------------------------------------------------------ sending

  const takeBatch = (): (RelayedRequest & Deferred)[] => {
    const batch: (RelayedRequest & Deferred)[] = [];
    let gas = BATCH_OVERHEAD;
    const t = chainNow();
    while (queue.length > 0 && batch.length < config.batchMax) {
      const r = queue[0] as RelayedRequest & Deferred;
      if (r.deadline <= t) {
        queue.shift();
        refuseQueued(r, new RelayRefusal("RELAY_EXPIRED", "the deadline passed while queued"));
        continue;
      }
      const g = reserveOf(r.gas);
      if (batch.length > 0 && gas + g > maxBatchGas) break;
      queue.shift();
      batch.push(r);
      gas += g;
    }
    return batch;
  };

  const sendBatch = async (batch: (RelayedRequest & Deferred)[]) => {
    const data = encodeFunctionData({
      abi: JangbuForwarderAbi,
      functionName: "executeBatch",
      args: [batch.map((r) => r.forward), relayer],
    });
    const gas = batch.reduce(
      (sum, r) => sum + reserveOf(r.gas),
      BATCH_OVERHEAD + intrinsicGas(data),
    );
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const txFees = await fees();
        nextNonce ??= await publicClient.getTransactionCount({
          address: relayer,
          blockTag: "pending",
        });
        const nonce = nextNonce;
        const hash = await send({ nonce, data, gas, fees: txFees });
        nextNonce = nonce + 1;
        txsSent += 1;
        const t = now();
        const tx: RelayedTx = {
          relayerNonce: nonce,
          hashes: [hash],
          requests: batch,
          data,
          gas,
          fees: txFees,
          state: "pending",
          firstSentAt: t,
          lastSentAt: t,
        };
        pending.set(nonce, tx);
        txByHash.set(hash, tx);
        for (const r of batch) {
          r.state = "pending";
          r.txHash = hash;
          r.relayerNonce = nonce;
          r.sentAt = t;
          r.resolve(hash);
        }
        logger.debug("sent", { hash, nonce, requests: batch.length });
        return;
      } catch (error) {
        lastError = error;
        nextNonce = undefined; // the chain is the truth again
        if (!isNonceError(error)) break;
        logger.warn("relayer nonce out of step; re-reading it from the chain", {
          error: shortMessage(error),
        });
      }
    }
    logger.error("could not send a relay transaction", {
      requests: batch.length,
      error: shortMessage(lastError),
    });
    for (const r of batch) {
      refuseQueued(
        r,
        new RelayUnavailable(
          "RELAY_SUBMIT_FAILED",
          `the relay could not send the transaction: ${shortMessage(lastError)}`,
          {
            cause: lastError,
          },
        ),
      );
    }
  };

  /** One sender at a time: batches and direct calls take relayer nonces in turn. */
  let sending: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
    const turn = sending.then(fn, fn);
    sending = turn.catch(() => undefined);
    return turn;
  };

  const sendDirect = (call: { to: Address; data: Hex; gas: bigint }): Promise<Hash> =>
    inTurn(async () => {
      if (closed) throw new RelayUnavailable("RELAY_DISABLED", "the relay is shutting down");
      let lastError: unknown;
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          const txFees = await fees();
          nextNonce ??= await publicClient.getTransactionCount({
            address: relayer,
            blockTag: "pending",
          });
          const nonce = nextNonce;
          const hash = await send({
            nonce,
            data: call.data,
            gas: call.gas,
            fees: txFees,
            to: call.to,
          });
          nextNonce = nonce + 1;
          txsSent += 1;
          return hash;
        } catch (error) {
          lastError = error;
          nextNonce = undefined;
          if (!isNonceError(error)) break;
        }
      }
      throw new RelayUnavailable(
        "RELAY_SUBMIT_FAILED",
        `the relay could not send the transaction: ${shortMessage(lastError)}`,
        { cause: lastError },
      );
    });

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (!closed && queue.length > 0 && pending.size < config.maxPendingTxs) {
        const batch = takeBatch();
        if (batch.length > 0) {
          await inTurn(() => sendBatch(batch));
          void check(); // with automine the receipt is already there
        }
      }
    } finally {
      pumping = false;
    }
  };

  // ------------------------------------------------------------------ watching

  /**
   * Why a call reverted on chain: from the node's call tracer when it has one, else by running
   * the call again on the state before its block (exact for a transaction alone in its block).
   */
  const revertReason = async (
    r: RelayedRequest,
    hash: Hash,
    blockNumber: bigint,
  ): Promise<DecodedRevert | undefined> => {
    const call = { forwarder, from: r.from, to: r.to, data: r.forward.data };
    const traced = await tracedRevert(publicClient, hash, call);
    if (traced !== undefined) return traced;
    try {
      const sim = await simulateForwardedCall(publicClient, {
        ...call,
        gas: r.gas,
        blockNumber: blockNumber > 0n ? blockNumber - 1n : 0n,
      });
      return sim.ok ? undefined : sim.revert;
    } catch {
      return undefined;
    }
  };

  const settle = async (tx: RelayedTx, receipt: TransactionReceipt | undefined) => {
    pending.delete(tx.relayerNonce);
    if (receipt === undefined) {
      tx.state = "dropped";
      for (const r of tx.requests) {
        r.error = {
          code: "NOT_EXECUTED",
          message: "the relayer's nonce was used by a transaction this relay did not send",
        };
        finish(r, "failed", false);
      }
      logger.error("relay transaction dropped: its nonce was used elsewhere", {
        nonce: tx.relayerNonce,
      });
      return;
    }
    tx.minedHash = receipt.transactionHash;
    tx.blockNumber = receipt.blockNumber;
    tx.state = receipt.status === "success" ? "mined" : "reverted";
    lastMinedAt = now();
    const executed = new Map<string, boolean>();
    if (receipt.status === "success") {
      const events = parseEventLogs({
        abi: JangbuForwarderAbi,
        eventName: "ExecutedForwardRequest",
        logs: receipt.logs,
      });
      for (const e of events) {
        if (!isAddressEqual(e.address, forwarder)) continue;
        executed.set(`${e.args.signer.toLowerCase()}:${e.args.nonce}`, e.args.success);
      }
    }
    for (const r of tx.requests) {
      r.txHash = receipt.transactionHash;
      r.blockNumber = receipt.blockNumber;
      const success = executed.get(`${r.from.toLowerCase()}:${r.nonce}`);
      if (receipt.status !== "success") {
        r.error = {
          code: "TX_REVERTED",
          message: "the relay transaction reverted; the request was not executed",
        };
        finish(r, "failed", false);
      } else if (success === undefined) {
        r.error = {
          code: "NOT_EXECUTED",
          message: "the forwarder skipped the request (deadline passed or nonce already used)",
        };
        finish(r, "failed", false);
      } else if (success) {
        finish(r, "mined", true);
      } else {
        const revert = await revertReason(r, receipt.transactionHash, receipt.blockNumber);
        r.error = {
          code: "CALL_REVERTED",
          message: revert ? `the call reverted: ${revert.errorName}` : "the call reverted",
          details: revert
            ? (jsonSafe({ errorName: revert.errorName, args: revert.args }) as Record<
                string,
                unknown
              >)
            : {},
        };
        finish(r, "reverted", true);
      }
    }
    if (receipt.status !== "success") {
      logger.error("relay transaction reverted", {
        hash: receipt.transactionHash,
        nonce: tx.relayerNonce,
      });
    }
  };

  const receiptOf = async (tx: RelayedTx): Promise<TransactionReceipt | undefined> => {
    for (const hash of [...tx.hashes].reverse()) {
      try {
        return await publicClient.getTransactionReceipt({ hash });
      } catch {
        // not this one (replaced), or not found
      }
    }
    return undefined;
  };

  const resend = async (tx: RelayedTx) => {
    try {
      const txFees = bumped(tx.fees, await fees());
      const hash = await send({ nonce: tx.relayerNonce, data: tx.data, gas: tx.gas, fees: txFees });
      const old = tx.hashes[tx.hashes.length - 1];
      tx.hashes.push(hash);
      tx.fees = txFees;
      tx.lastSentAt = now();
      txByHash.set(hash, tx);
      for (const r of tx.requests) r.txHash = hash;
      resent += 1;
      logger.warn("re-sent a stuck relay transaction with a higher fee", {
        nonce: tx.relayerNonce,
        replaced: old,
        hash,
        ...(jsonSafe(feeFields(txFees)) as Record<string, unknown>),
      });
    } catch (error) {
      tx.lastSentAt = now(); // try again after another interval
      if (!isNonceError(error)) {
        logger.warn("could not re-send a stuck relay transaction", {
          nonce: tx.relayerNonce,
          error: shortMessage(error),
        });
      }
    }
  };

  const checkOnce = async () => {
    if (pending.size > 0) {
      const mined = await publicClient.getTransactionCount({
        address: relayer,
        blockTag: "latest",
      });
      const txs = [...pending.values()].sort((a, b) => a.relayerNonce - b.relayerNonce);
      let settled = false;
      for (const tx of txs) {
        if (tx.relayerNonce < mined) {
          await settle(tx, await receiptOf(tx));
          settled = true;
        } else if (now() - tx.lastSentAt >= config.resendAfterMs) {
          await resend(tx);
        }
      }
      if (settled && now() - balanceAt > 1_000) await refreshBalance();
    }
    if (queue.length > 0) void pump();
  };

  let checking: Promise<void> | undefined;
  let again = false;
  const check = (): Promise<void> => {
    if (checking !== undefined) {
      again = true;
      return checking;
    }
    checking = (async () => {
      do {
        again = false;
        try {
          await checkOnce();
        } catch (error) {
          logger.warn("could not check pending relay transactions", { error: shortMessage(error) });
        }
      } while (again && !closed);
    })().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  const refreshBalance = async (): Promise<bigint | undefined> => {
    try {
      balance = await publicClient.getBalance({ address: relayer });
      balanceAt = now();
    } catch (error) {
      logger.warn("could not read the relayer's balance", { error: shortMessage(error) });
      return balance;
    }
    if (balance < config.minBalanceWei && now() - lowWarnedAt > LOW_BALANCE_REPEAT_MS) {
      lowWarnedAt = now();
      logger.warn("relayer balance is low: fund it", {
        relayer,
        balanceWei: balance.toString(),
        minBalanceWei: config.minBalanceWei.toString(),
      });
    } else if (balance >= config.minBalanceWei) {
      lowWarnedAt = 0;
    }
    return balance;
  };

  const timer = setInterval(() => {
    if (pending.size > 0 || queue.length > 0) void check();
    else if (now() - balanceAt > 60_000) void refreshBalance();
  }, config.pollIntervalMs);
  timer.unref();

  const accept = (input: NewRequest, state: "held" | "queued"): RelayedRequest & Deferred => {
    if (closed) throw new RelayUnavailable("RELAY_DISABLED", "the relay is shutting down");
    let deferred!: Deferred;
    const sent = new Promise<Hash>((resolve, reject) => {
      deferred = { resolve, reject };
    });
    sent.catch(() => {}); // the caller awaits it; never an unhandled rejection
    const r: RelayedRequest & Deferred = Object.assign(
      { ...input, state: state as RequestState, acceptedAt: now(), sent },
      deferred,
    );
    counts.accepted += 1;
    remember(r);
    return r;
  };
  const heldOne = (request: RelayedRequest): RelayedRequest & Deferred => {
    const r = held.get(request.id);
    if (r !== request || r.state !== "held") {
      throw new Error(`request ${request.id} is not held (${request.state})`);
    }
    held.delete(r.id);
    return r;
  };

  return {
    enqueue(input) {
      const r = accept(input, "queued");
      queue.push(r);
      void pump();
      return r;
    },
    hold(input) {
      const r = accept(input, "held");
      held.set(r.id, r);
      return r;
    },
    release(request) {
      const r = heldOne(request);
      if (closed) {
        refuseQueued(r, new RelayUnavailable("RELAY_DISABLED", "the relay is shutting down"));
        return;
      }
      r.state = "queued";
      queue.push(r);
      void pump();
    },
    fail(request, error) {
      refuseQueued(heldOne(request), error);
    },
    request: (id) => records.get(id),
    tx: (hash) => txByHash.get(hash),
    sendDirect,
    check,
    refreshBalance,
    stats: () => ({
      relayer,
      nextNonce: nextNonce ?? null,
      held: held.size,
      queued: queue.length,
      pendingTxs: pending.size,
      txsSent,
      resent,
      requests: { ...counts },
      balanceWei: balance?.toString() ?? null,
      lowBalance: balance !== undefined && balance < config.minBalanceWei,
      lastMinedAt: lastMinedAt !== undefined ? new Date(lastMinedAt).toISOString() : null,
    }),
    async close() {
      closed = true;
      clearInterval(timer);
      const shutting = () => new RelayUnavailable("RELAY_DISABLED", "the relay is shutting down");
      for (const r of queue.splice(0)) refuseQueued(r, shutting());
      for (const r of [...held.values()]) {
        held.delete(r.id);
        refuseQueued(r, shutting());
      }
      await checking;
    },
  };
};
