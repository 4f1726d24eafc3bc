/**
 * The relay: farmers, inspectors and officials sign EIP-712 forward requests; the relay checks
 * them, simulates them and submits them through the trusted `JangbuForwarder`, paying the gas.
 *
 * Checks, cheapest first, all before anything is sent (each refusal has its own code, see
 * ./errors.ts): body size and shape → client rate limit → chain and forwarder domain → signature
 * → (an already accepted request answers its transaction: idempotent) → signer rate limit →
 * value → deadline → gas cap → target and function allow-list → nonce (replayed, stale, gap) →
 * credential pre-check → simulation of the exact call the forwarder will make.
 *
 *   const relay = createRelay({ publicClient, walletClient, deployment });
 *   app.route("/api/v1", relay.routes); // POST /api/v1/relay, GET /api/v1/relay/{id}
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  type Address,
  decodeFunctionData,
  encodeFunctionData,
  getAbiItem,
  getAddress,
  type Hash,
  type Hex,
  isAddressEqual,
  type PublicClient,
  parseEventLogs,
  type WalletClient,
} from "viem";
import { describeAction } from "../../../sdk/actions.ts";
import type { Deployment } from "../../../sdk/deployments.ts";
import { FORWARDER_NAME, FORWARDER_VERSION, forwardRequestDigest } from "../../../sdk/forwarder.ts";
import {
  JangbuForwarderAbi,
  PasskeyAccountAbi,
  PasskeyAccountFactoryAbi,
} from "../../../sdk/generated/abis.ts";
import { isPasskeyAccountCode, type PasskeyCall } from "../../../sdk/passkey.ts";
import { DEFAULT_RELAY_CONFIG, type RelayConfig, RelayConfigError } from "./config.ts";
import { type CredentialCheck, createChainCredentialCheck } from "./credentials.ts";
import { isRelayError, RelayRefusal, type RelayRefusalCode, RelayUnavailable } from "./errors.ts";
import { type RelayLogger, silentRelayLogger } from "./logger.ts";
import {
  executeDataOf,
  isFirstKeyAccount,
  parsePasskeyBody,
  recoveryFunctionOf,
  selfCallOf,
  verifyPasskeyCall,
} from "./passkey.ts";
import { createRelayPolicy, type RelayedAction } from "./policy.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { createRecoverPool, type Recover, type RecoverPool } from "./recover-pool.ts";
import { checkDomain, parseRelayBody, verifySignature } from "./request.ts";
import { createRelayRoutes } from "./routes.ts";
import { createSequencer, type Sequencer } from "./sequencer.ts";
import {
  type DecodedRevert,
  decodeRevert,
  revertDataOf,
  simulateForwardedCall,
} from "./simulate.ts";
import {
  createSubmitter,
  type RelayedRequest,
  type RequestOutcomeError,
  type RequestState,
  type Submitter,
  type SubmitterStats,
} from "./submitter.ts";

export { relayerAccountFromEnv } from "./account.ts";
export type { RelayConfig } from "./config.ts";
export { DEFAULT_RELAY_CONFIG, RelayConfigError, relayConfigFromEnv } from "./config.ts";
export type { CredentialCheck } from "./credentials.ts";
export { createChainCredentialCheck } from "./credentials.ts";
export { RELAY_ERROR_STATUS, RelayRefusal, RelayUnavailable } from "./errors.ts";

export type CreateRelayParameters = {
  publicClient: PublicClient;
  /** Sends the relay's transactions with its account; undefined: the relay answers 503 RELAY_DISABLED. */
  walletClient: WalletClient | undefined;
  deployment: Deployment;
  config?: Partial<RelayConfig>;
  /** The credential pre-check (default: read from the chain, see ./credentials.ts). */
  credentialCheck?: CredentialCheck;
  logger?: RelayLogger;
  /** Region names for the one-line summaries in the log and the status answers. */
  regionName?: (code: number) => string;
  now?: () => number;
};

/** The answer to an accepted request. */
export type SubmitResult = {
  requestId: Hex;
  /** Null when the request is still queued after `sendWaitMs`. */
  txHash: Hash | null;
  state: RequestState;
  /** True when this exact request had been accepted before: the same transaction, nothing new sent. */
  duplicate: boolean;
};

export type RequestStatus = {
  kind: "request";
  requestId: Hex;
  state: RequestState;
  from: Address;
  nonce: string;
  to: Address;
  action: string;
  summary: string;
  txHash: Hash | null;
  blockNumber: string | null;
  error: RequestOutcomeError | null;
};

export type TransactionStatus = {
  kind: "transaction";
  txHash: Hash;
  /** `replaced`: this hash was superseded by a fee bump (`replacedBy`). */
  state: "pending" | "mined" | "reverted" | "replaced" | "dropped";
  blockNumber: string | null;
  replacedBy: Hash | null;
  requests: {
    requestId: Hex | null;
    from: Address;
    nonce: string;
    state: RequestState;
    error: RequestOutcomeError | null;
  }[];
};

export type RelayStatus = {
  enabled: boolean;
  chainId: number;
  forwarder: Address;
  relayer: Address | null;
  balanceWei: string | null;
  minBalanceWei: string;
  lowBalance: boolean;
  /** Requests waiting for their signer's earlier nonces. */
  held: number;
  queued: number;
  pendingTxs: number;
  nextNonce: number | null;
  txsSent: number;
  resent: number;
  requests: SubmitterStats["requests"];
  refused: Partial<Record<RelayRefusalCode, number>>;
  lastMinedAt: string | null;
  /** Why the relay is not serving (bad configuration, RPC down at start). */
  problem: string | null;
};

export type Relay = {
  /** `POST /relay` and `GET /relay/{id}`: mount under `/api/v1`. */
  routes: OpenAPIHono;
  /** Resolves once the chain, the forwarder's domain and the relayer are checked; rejects on a misconfiguration. */
  ready(): Promise<void>;
  /** Checks and submits one request body (what `POST /relay` does after the size and client checks). */
  submit(body: unknown): Promise<SubmitResult>;
  /** Checks and sends one passkey-signed call (`POST /relay/passkey`), waiting for its receipt. */
  submitPasskey(body: unknown): Promise<SubmitResult>;
  /** A request (by id) or relay transaction (by hash); undefined when unknown. */
  lookup(id: Hex): Promise<RequestStatus | TransactionStatus | undefined>;
  /** For `/api/v1/status`. */
  status(): RelayStatus;
  close(): Promise<void>;
};

const ExecutedForwardRequest = getAbiItem({
  abi: JangbuForwarderAbi,
  name: "ExecutedForwardRequest",
});

export const createRelay = ({
  publicClient,
  walletClient,
  deployment,
  config: overrides = {},
  credentialCheck,
  logger = silentRelayLogger,
  regionName,
  now = Date.now,
}: CreateRelayParameters): Relay => {
  const config: RelayConfig = { ...DEFAULT_RELAY_CONFIG, ...overrides };
  const chainId = deployment.chainId;
  const forwarder = getAddress(deployment.addresses.JangbuForwarder);
  const startBlock = BigInt(deployment.startBlock);
  const policy = createRelayPolicy({ deployment });
  const signerLimiter = createRateLimiter({ perMinute: config.ratePerSigner, now });
  const clientLimiter = createRateLimiter({ perMinute: config.ratePerIp, now });
  const refused: Partial<Record<RelayRefusalCode, number>> = {};
  // Started with the first request: a relay that serves none (disabled, a test) runs no thread.
  let signatures: RecoverPool | undefined;
  const recover: Recover = (hash, signature) => {
    signatures ??= createRecoverPool(config.signatureThreads);
    return signatures.recover(hash, signature);
  };
  const account = walletClient?.account;
  const check: CredentialCheck =
    credentialCheck ??
    createChainCredentialCheck({
      publicClient,
      registry: getAddress(deployment.addresses.CredentialRegistry),
      fromBlock: startBlock,
      cacheMs: config.credentialCacheMs,
      now,
    });

  let submitter: Submitter | undefined;
  let sequencer: Sequencer | undefined;
  let problem: string | null = null;
  let closed = false;
  let head = { timestamp: 0, at: 0 };
  let headLoading: Promise<void> | undefined;

  /** The chain's time: the latest block's timestamp, moved on by the wall clock since it was read. */
  const chainNow = () => head.timestamp + Math.floor((now() - head.at) / 1_000);
  const refreshHead = async (maxAgeMs = 1_000) => {
    if (now() - head.at <= maxAgeMs) return;
    headLoading ??= (async () => {
      try {
        const block = await publicClient.getBlock({ blockTag: "latest" });
        head = { timestamp: Number(block.timestamp), at: now() };
      } catch (error) {
        throw new RelayUnavailable("RELAY_UNAVAILABLE", "the chain's RPC failed reading the head", {
          cause: error,
        });
      } finally {
        headLoading = undefined;
      }
    })();
    await headLoading;
  };

  const init = async () => {
    const [rpcChainId, domain, block] = await Promise.all([
      publicClient.getChainId(),
      publicClient
        .readContract({ address: forwarder, abi: JangbuForwarderAbi, functionName: "eip712Domain" })
        .catch(() => undefined),
      publicClient.getBlock({ blockTag: "latest" }),
    ]);
    if (rpcChainId !== chainId) {
      throw new RelayConfigError(
        `the RPC serves chain ${rpcChainId}, the deployment is for chain ${chainId}`,
      );
    }
    if (domain === undefined) {
      throw new RelayConfigError(`no JangbuForwarder answers at ${forwarder} on chain ${chainId}`);
    }
    const [, name, version, domainChainId, verifyingContract] = domain;
    if (
      name !== FORWARDER_NAME ||
      version !== FORWARDER_VERSION ||
      domainChainId !== BigInt(chainId) ||
      !isAddressEqual(verifyingContract, forwarder)
    ) {
      throw new RelayConfigError(
        `the forwarder at ${forwarder} has EIP-712 domain "${name}" v${version} on chain ${domainChainId}, not "${FORWARDER_NAME}" v${FORWARDER_VERSION}`,
      );
    }
    head = { timestamp: Number(block.timestamp), at: now() };
    if (walletClient === undefined || account === undefined) {
      logger.warn("no relayer account configured: POST /relay answers 503 RELAY_DISABLED");
      return;
    }
    submitter = createSubmitter({
      publicClient,
      walletClient,
      account,
      chainId,
      forwarder,
      config,
      logger,
      blockGasLimit: block.gasLimit,
      chainNow,
      onSettled: (r, executed) => {
        sequencer?.settled(r, executed);
        const fields = { requestId: r.id, from: r.from, nonce: r.nonce.toString(), tx: r.txHash };
        if (r.state === "mined") logger.debug(`relayed: ${r.summary}`, fields);
        else logger.info(`relayed request ${r.state}: ${r.summary}`, { ...fields, error: r.error });
      },
      now,
    });
    sequencer = createSequencer({
      submitter,
      nonceWaitMs: config.nonceWaitMs,
      nonceAheadMax: config.nonceAheadMax,
      chainNonce: readNonce,
      usedNonce,
      ready: async (r) => {
        const sim = await simulateForwardedCall(publicClient, {
          forwarder,
          from: r.from,
          to: r.to,
          data: r.forward.data,
          gas: r.gas,
        });
        if (!sim.ok) throw refusalOf(sim.revert, r.from);
      },
      chainNow,
      logger,
      now,
    });
    const balance = await submitter.refreshBalance();
    logger.info("relay ready", {
      relayer: account.address,
      balanceWei: balance?.toString(),
      forwarder,
      chainId,
    });
  };

  let initializing: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    initializing ??= init().catch((error: unknown) => {
      problem = error instanceof Error ? error.message : String(error);
      // A configuration error stays; an RPC failure is tried again on the next request.
      if (!(error instanceof RelayConfigError)) initializing = undefined;
      throw error;
    });
    return initializing.then(() => {
      problem = null;
    });
  };

  const readNonce = async (from: Address): Promise<bigint> => {
    try {
      return await publicClient.readContract({
        address: forwarder,
        abi: JangbuForwarderAbi,
        functionName: "nonces",
        args: [from],
      });
    } catch (error) {
      throw new RelayUnavailable("RELAY_UNAVAILABLE", "the chain's RPC failed reading the nonce", {
        cause: error,
      });
    }
  };

  /** A nonce below the chain's: this very request was executed (replayed), or another one was (stale). */
  const usedNonce = async (
    id: Hex,
    from: Address,
    nonce: bigint,
    chainNonce: bigint,
  ): Promise<never> => {
    let executedIn: { txHash: Hash; blockNumber: bigint } | undefined;
    try {
      const logs = await publicClient.getLogs({
        address: forwarder,
        event: ExecutedForwardRequest,
        args: { signer: from },
        fromBlock: startBlock,
        toBlock: "latest",
      });
      const log = logs.find((l) => l.args.nonce === nonce);
      if (log !== undefined) {
        const tx = await publicClient.getTransaction({ hash: log.transactionHash });
        const calls = (() => {
          try {
            const decoded = decodeFunctionData({ abi: JangbuForwarderAbi, data: tx.input });
            if (decoded.functionName === "execute") return [decoded.args[0]];
            if (decoded.functionName === "executeBatch") return [...decoded.args[0]];
          } catch {
            // executed through another contract: cannot tell which request it was
          }
          return [];
        })();
        const same = calls.some(
          (c) =>
            isAddressEqual(c.from, from) &&
            forwardRequestDigest(chainId, forwarder, {
              from: c.from,
              to: c.to,
              value: c.value,
              gas: c.gas,
              nonce,
              deadline: Number(c.deadline),
              data: c.data,
            }) === id,
        );
        if (same) executedIn = { txHash: log.transactionHash, blockNumber: log.blockNumber };
      }
    } catch (error) {
      throw new RelayUnavailable(
        "RELAY_UNAVAILABLE",
        "the chain's RPC failed reading past executions",
        {
          cause: error,
        },
      );
    }
    if (executedIn !== undefined) {
      throw new RelayRefusal("RELAY_REPLAYED", "this request was already executed", {
        txHash: executedIn.txHash,
        blockNumber: executedIn.blockNumber.toString(),
      });
    }
    throw new RelayRefusal(
      "RELAY_STALE_NONCE",
      `nonce ${nonce} is already used; the signer's current nonce is ${chainNonce}`,
      { nonce: nonce.toString(), expected: chainNonce.toString() },
    );
  };

  const refusalOf = (revert: DecodedRevert, from: Address): RelayRefusal => {
    const args = revert.args as Record<string, unknown>;
    if (revert.errorName === "PasskeyBadNonce") {
      return new RelayRefusal(
        "RELAY_STALE_NONCE",
        `the passkey call's nonce ${String(args.given)} is not the account's next (${String(args.expected)}): replayed or stale`,
        { errorName: revert.errorName, args: revert.args },
      );
    }
    if (revert.errorName.startsWith("Passkey")) {
      return new RelayRefusal(
        "RELAY_PASSKEY_REFUSED",
        `the account refuses the passkey assertion: ${revert.errorName}`,
        { errorName: revert.errorName, args: revert.args, data: revert.data },
      );
    }
    const account = typeof args.account === "string" ? args.account : undefined;
    const details = { errorName: revert.errorName, args: revert.args, data: revert.data };
    if (
      (revert.errorName === "CredentialRequired" || revert.errorName === "NotIssuer") &&
      account !== undefined &&
      isAddressEqual(account as Address, from)
    ) {
      return new RelayRefusal(
        "RELAY_NO_CREDENTIAL",
        `the signer lacks the credential this action needs (${revert.errorName})`,
        details,
      );
    }
    const shown = Array.isArray(revert.args)
      ? revert.args.join(", ")
      : Object.entries(revert.args)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join(", ");
    return new RelayRefusal(
      "RELAY_SIMULATION_REVERTED",
      `the call reverts: ${revert.errorName}(${shown})`,
      details,
    );
  };

  /**
   * The answer once the request's transaction is sent, or after `sendWaitMs` with the request
   * still queued (the relay is at its pending-transaction limit): then `txHash` is null and
   * `GET /relay/{requestId}` tells the rest. A failure to send rejects with its error.
   */
  const resultOf = async (r: RelayedRequest, duplicate: boolean): Promise<SubmitResult> => {
    // A held request answers at once: its turn may be long in coming, and a client that holds
    // its connection open for it could be keeping the missing requests from being sent.
    if (r.state === "held") return { requestId: r.id, txHash: null, state: r.state, duplicate };
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), config.sendWaitMs);
    });
    try {
      const hash = await Promise.race([r.sent, waited]);
      return { requestId: r.id, txHash: r.txHash ?? hash ?? null, state: r.state, duplicate };
    } finally {
      clearTimeout(timer);
    }
  };

  const submitChecked = async (json: unknown): Promise<SubmitResult> => {
    try {
      await ready();
    } catch (error) {
      throw new RelayUnavailable(
        "RELAY_DISABLED",
        `the relay is not available: ${problem ?? String(error)}`,
        {
          cause: error,
          retryAfter: 10,
        },
      );
    }
    if (closed) throw new RelayUnavailable("RELAY_DISABLED", "the relay is shutting down");
    const sub = submitter;
    const seq = sequencer;
    if (sub === undefined || seq === undefined) {
      throw new RelayUnavailable("RELAY_DISABLED", "no relayer account is configured", {
        retryAfter: 60,
      });
    }

    const body = parseRelayBody(json, config);
    checkDomain(body, { chainId, forwarder });
    const id = await verifySignature(body, { chainId, forwarder }, recover);
    const { request } = body;
    const from = request.from;

    const known = sub.request(id);
    if (known !== undefined && known.state !== "failed") return resultOf(known, true);

    const limited = signerLimiter.take(from);
    if (!limited.ok) {
      throw new RelayRefusal(
        "RELAY_RATE_LIMITED",
        `too many requests from ${from}; try again in ${limited.retryAfterSeconds} s`,
        { scope: "signer", retryAfterSeconds: limited.retryAfterSeconds },
        limited.retryAfterSeconds,
      );
    }
    if (request.value !== 0n) {
      throw new RelayRefusal(
        "RELAY_VALUE_NOT_ALLOWED",
        "jangbu actions take no ether: value must be 0",
        {
          value: request.value.toString(),
        },
      );
    }
    await refreshHead();
    const t = chainNow();
    if (request.deadline < t + config.deadlineMarginSeconds) {
      throw new RelayRefusal(
        "RELAY_EXPIRED",
        request.deadline < t
          ? `the deadline passed ${t - request.deadline} s ago`
          : `the deadline is less than ${config.deadlineMarginSeconds} s away`,
        { deadline: request.deadline, chainTime: t },
      );
    }
    if (request.deadline > t + config.maxDeadlineSeconds) {
      throw new RelayRefusal(
        "RELAY_DEADLINE_TOO_FAR",
        `the deadline is more than ${config.maxDeadlineSeconds} s away`,
        { deadline: request.deadline, chainTime: t, maxSeconds: config.maxDeadlineSeconds },
      );
    }
    if (request.gas > config.gasCap) {
      throw new RelayRefusal(
        "RELAY_GAS_OVER_CAP",
        `gas ${request.gas} is above the relay's cap of ${config.gasCap}`,
        {
          gas: request.gas.toString(),
          cap: config.gasCap.toString(),
        },
      );
    }
    const recovery = await passkeyRecoveryOf(request.to, request.data);
    const action: RelayedAction = recovery ?? policy.check(request.to, request.data);
    const summary =
      action.contract === "PasskeyAccount"
        ? `passkey account ${request.to}: ${action.functionName}`
        : describeAction(
            { contract: action.contract, functionName: action.functionName, args: action.args },
            regionName ? { regionName } : {},
          );

    const { record, duplicate } = await seq.admit(
      {
        id,
        from,
        nonce: request.nonce,
        to: request.to,
        gas: request.gas,
        deadline: request.deadline,
        contract: action.contract,
        functionName: action.functionName,
        summary,
        forward: {
          from,
          to: request.to,
          value: request.value,
          gas: request.gas,
          deadline: request.deadline,
          data: request.data,
          signature: body.signature,
        },
      },
      async () => {
        if (!(await check({ signer: from, action }))) {
          throw new RelayRefusal(
            "RELAY_NO_CREDENTIAL",
            `${from} holds no valid jangbu credential`,
            { from },
          );
        }
      },
    );
    return resultOf(record, duplicate);
  };

  // ---------------------------------------------------------------- passkey calls

  const passkeyResults = new Map<Hex, SubmitResult & { blockNumber: string | null }>();
  let passkeyTurn: Promise<unknown> = Promise.resolve();
  let implementation: Address | undefined;

  const passkeyDeployment = async () => {
    const p = deployment.passkey;
    if (p === undefined) {
      throw new RelayUnavailable(
        "RELAY_DISABLED",
        "passkey accounts are not deployed on this chain",
        {
          retryAfter: 600,
        },
      );
    }
    implementation ??= getAddress(
      await publicClient.readContract({
        address: p.factory,
        abi: PasskeyAccountFactoryAbi,
        functionName: "implementation",
      }),
    );
    return { factory: p.factory, implementation, rpId: p.rpId };
  };

  /**
   * A forwarded `startRecovery`/`finishRecovery` to a passkey account of this deployment (its code
   * is the factory's clone), decoded; undefined for any other call (the policy judges those).
   */
  const passkeyRecoveryOf = async (to: Address, data: Hex): Promise<RelayedAction | undefined> => {
    const functionName = recoveryFunctionOf(data);
    if (functionName === undefined || deployment.passkey === undefined || policy.targets.has(to))
      return undefined;
    const p = await passkeyDeployment();
    const code = await publicClient.getCode({ address: to }).catch((error: unknown) => {
      throw new RelayUnavailable("RELAY_UNAVAILABLE", "the chain's RPC failed reading the target", {
        cause: error,
      });
    });
    if (!isPasskeyAccountCode(code, p.implementation)) return undefined;
    let args: readonly unknown[];
    try {
      args = decodeFunctionData({ abi: PasskeyAccountAbi, data }).args ?? [];
    } catch {
      throw new RelayRefusal(
        "RELAY_MALFORMED",
        `request.data: the arguments of ${functionName} do not decode`,
        {
          functionName,
        },
      );
    }
    return { contract: "PasskeyAccount", functionName, args, selector: data.slice(0, 10) as Hex };
  };

  /** Sends a relayer call and waits for its receipt (at most `sendWaitMs`, then pending). */
  const sendAndWait = async (sub: Submitter, to: Address, data: Hex, gas: bigint) => {
    const hash = await sub.sendDirect({ to, data, gas });
    const receipt = await publicClient
      .waitForTransactionReceipt({
        hash,
        timeout: Math.max(config.sendWaitMs, 5_000),
        pollingInterval: 100,
      })
      .catch(() => undefined);
    return { hash, receipt };
  };

  const submitPasskeyChecked = async (json: unknown): Promise<SubmitResult> => {
    // The body's shape first: a malformed request is a 400 whatever the relay's state.
    const call: PasskeyCall = parsePasskeyBody(json, config);
    try {
      await ready();
    } catch (error) {
      throw new RelayUnavailable(
        "RELAY_DISABLED",
        `the relay is not available: ${problem ?? String(error)}`,
        {
          cause: error,
          retryAfter: 10,
        },
      );
    }
    const sub = submitter;
    if (closed || sub === undefined) {
      throw new RelayUnavailable("RELAY_DISABLED", "no relayer account is configured", {
        retryAfter: 60,
      });
    }
    const p = await passkeyDeployment();
    const id = await verifyPasskeyCall(call, { chainId, rpId: p.rpId });
    const known = passkeyResults.get(id);
    if (known !== undefined) return { ...known, duplicate: true };
    const limited = signerLimiter.take(call.account);
    if (!limited.ok) {
      throw new RelayRefusal(
        "RELAY_RATE_LIMITED",
        `too many requests from ${call.account}; try again in ${limited.retryAfterSeconds} s`,
        { scope: "signer", retryAfterSeconds: limited.retryAfterSeconds },
        limited.retryAfterSeconds,
      );
    }
    await refreshHead();
    const t = chainNow();
    if (call.deadline < t + config.deadlineMarginSeconds) {
      throw new RelayRefusal("RELAY_EXPIRED", "the deadline has passed or is too close", {
        deadline: call.deadline,
        chainTime: t,
      });
    }
    if (call.deadline > t + config.maxDeadlineSeconds) {
      throw new RelayRefusal(
        "RELAY_DEADLINE_TOO_FAR",
        `the deadline is more than ${config.maxDeadlineSeconds} s away`,
        {
          deadline: call.deadline,
          chainTime: t,
        },
      );
    }
    const self = selfCallOf(call);
    const summary =
      self !== undefined
        ? `passkey account ${self}`
        : (() => {
            const action = policy.check(call.target, call.data);
            return describeAction(
              { contract: action.contract, functionName: action.functionName, args: action.args },
              regionName ? { regionName } : {},
            );
          })();

    // One call per account at a time: the second of two with the same nonce sees it used.
    const run = async (): Promise<SubmitResult> => {
      const code = await publicClient.getCode({ address: call.account }).catch((error: unknown) => {
        throw new RelayUnavailable(
          "RELAY_UNAVAILABLE",
          "the chain's RPC failed reading the account",
          {
            cause: error,
          },
        );
      });
      if (code === undefined || code === "0x") {
        if (!isFirstKeyAccount(call, p)) {
          throw new RelayRefusal(
            "RELAY_MALFORMED",
            "account: not deployed, and not this passkey's account address",
            {
              account: call.account,
            },
          );
        }
        const created = await sendAndWait(
          sub,
          p.factory,
          encodeFunctionData({
            abi: PasskeyAccountFactoryAbi,
            functionName: "createAccount",
            args: [call.key.qx, call.key.qy],
          }),
          400_000n,
        );
        if (created.receipt?.status !== "success") {
          throw new RelayUnavailable(
            "RELAY_SUBMIT_FAILED",
            "the passkey account could not be created",
            {
              details: { txHash: created.hash },
            },
          );
        }
        logger.info("passkey account created", { account: call.account, tx: created.hash });
      }
      const data = executeDataOf(call);
      let gas: bigint;
      try {
        gas = await publicClient.estimateGas({
          account: account?.address ?? call.account,
          to: call.account,
          data,
        });
      } catch (error) {
        const r = revertDataOf(error);
        if (!r.reverted) {
          throw new RelayUnavailable(
            "RELAY_UNAVAILABLE",
            "the chain's RPC failed during simulation",
            { cause: error },
          );
        }
        throw refusalOf(decodeRevert(r.data, r.message), call.account);
      }
      gas = (gas * 6n) / 5n;
      if (gas > config.gasCap + 600_000n) {
        throw new RelayRefusal("RELAY_GAS_OVER_CAP", `gas ${gas} is above the relay's cap`, {
          gas: gas.toString(),
        });
      }
      const { hash, receipt } = await sendAndWait(sub, call.account, data, gas);
      const result = {
        requestId: id,
        txHash: hash,
        state: (receipt === undefined
          ? "pending"
          : receipt.status === "success"
            ? "mined"
            : "reverted") as RequestState,
        duplicate: false,
        blockNumber: receipt?.blockNumber.toString() ?? null,
      };
      passkeyResults.set(id, result);
      if (passkeyResults.size > 10_000)
        passkeyResults.delete(passkeyResults.keys().next().value as Hex);
      logger.debug(`relayed passkey call: ${summary}`, {
        account: call.account,
        tx: hash,
        state: result.state,
      });
      const { blockNumber: _b, ...answer } = result;
      return answer;
    };
    const turn = passkeyTurn.then(run, run);
    passkeyTurn = turn.catch(() => undefined);
    return turn;
  };

  // Both entry points count refusals by code and log unexpected failures the same way.
  const counting =
    (what: string, checked: (json: unknown) => Promise<SubmitResult>) =>
    async (json: unknown): Promise<SubmitResult> => {
      try {
        return await checked(json);
      } catch (error) {
        if (error instanceof RelayRefusal) {
          refused[error.code] = (refused[error.code] ?? 0) + 1;
          logger.debug(what, { code: error.code, message: error.message });
        } else if (!isRelayError(error)) {
          logger.error("relay failure", {
            error: error instanceof Error ? error.message : String(error),
          });
        }
        throw error;
      }
    };
  const submitPasskey = counting("refused passkey call", submitPasskeyChecked);
  const submit = counting("refused", submitChecked);

  const requestStatus = (r: RelayedRequest): RequestStatus => ({
    kind: "request",
    requestId: r.id,
    state: r.state,
    from: r.from,
    nonce: r.nonce.toString(),
    to: r.to,
    action: `${r.contract}.${r.functionName}`,
    summary: r.summary,
    txHash: r.txHash ?? null,
    blockNumber: r.blockNumber?.toString() ?? null,
    error: r.error ?? null,
  });

  const lookup = async (id: Hex): Promise<RequestStatus | TransactionStatus | undefined> => {
    const key = id.toLowerCase() as Hex;
    const passkeyCall = passkeyResults.get(key);
    if (passkeyCall !== undefined) {
      return {
        kind: "transaction",
        txHash: passkeyCall.txHash as Hash,
        state:
          passkeyCall.state === "mined"
            ? "mined"
            : passkeyCall.state === "reverted"
              ? "reverted"
              : "pending",
        blockNumber: passkeyCall.blockNumber,
        replacedBy: null,
        requests: [],
      };
    }
    const r = submitter?.request(key);
    if (r !== undefined) return requestStatus(r);
    const tx = submitter?.tx(key);
    if (tx !== undefined) {
      const latest = tx.hashes[tx.hashes.length - 1] ?? key;
      const replaced = tx.state === "pending" ? key !== latest : tx.minedHash !== key;
      return {
        kind: "transaction",
        txHash: key,
        state: replaced ? "replaced" : tx.state,
        blockNumber: !replaced && tx.blockNumber !== undefined ? tx.blockNumber.toString() : null,
        replacedBy: replaced ? (tx.minedHash ?? latest) : null,
        requests: tx.requests.map((q) => ({
          requestId: q.id,
          from: q.from,
          nonce: q.nonce.toString(),
          state: q.state,
          error: q.error ?? null,
        })),
      };
    }
    // Not sent by this process (another replica, or before a restart): ask the chain.
    try {
      const receipt = await publicClient
        .getTransactionReceipt({ hash: key })
        .catch(() => undefined);
      if (receipt !== undefined) {
        if (receipt.to === null || !isAddressEqual(receipt.to, forwarder)) return undefined;
        const events = parseEventLogs({
          abi: JangbuForwarderAbi,
          eventName: "ExecutedForwardRequest",
          logs: receipt.logs,
        }).filter((e) => isAddressEqual(e.address, forwarder));
        return {
          kind: "transaction",
          txHash: key,
          state: receipt.status === "success" ? "mined" : "reverted",
          blockNumber: receipt.blockNumber.toString(),
          replacedBy: null,
          requests: events.map((e) => ({
            requestId: null,
            from: e.args.signer,
            nonce: e.args.nonce.toString(),
            state: e.args.success ? "mined" : "reverted",
            error: e.args.success ? null : { code: "CALL_REVERTED", message: "the call reverted" },
          })),
        };
      }
      const pendingTx = await publicClient.getTransaction({ hash: key }).catch(() => undefined);
      if (pendingTx?.to != null && isAddressEqual(pendingTx.to, forwarder)) {
        return {
          kind: "transaction",
          txHash: key,
          state: "pending",
          blockNumber: null,
          replacedBy: null,
          requests: [],
        };
      }
      return undefined;
    } catch (error) {
      throw new RelayUnavailable("RELAY_UNAVAILABLE", "the chain's RPC failed", { cause: error });
    }
  };

  const status = (): RelayStatus => {
    const s = submitter?.stats();
    return {
      enabled: s !== undefined && !closed,
      chainId,
      forwarder,
      relayer: account?.address ?? null,
      balanceWei: s?.balanceWei ?? null,
      minBalanceWei: config.minBalanceWei.toString(),
      lowBalance: s?.lowBalance ?? false,
      held: s?.held ?? 0,
      queued: s?.queued ?? 0,
      pendingTxs: s?.pendingTxs ?? 0,
      nextNonce: s?.nextNonce ?? null,
      txsSent: s?.txsSent ?? 0,
      resent: s?.resent ?? 0,
      requests: s?.requests ?? { accepted: 0, mined: 0, reverted: 0, failed: 0 },
      refused: { ...refused },
      lastMinedAt: s?.lastMinedAt ?? null,
      problem,
    };
  };

  const routes = createRelayRoutes({
    config,
    submit,
    submitPasskey,
    lookup,
    takeClient: (client) => clientLimiter.take(client),
    onRefused: (code) => {
      refused[code] = (refused[code] ?? 0) + 1;
    },
  });

  return {
    routes,
    ready,
    submit,
    submitPasskey,
    lookup,
    status,
    async close() {
      closed = true;
      sequencer?.close();
      await submitter?.close();
      await signatures?.close();
    },
  };
};
