/**
 * Relayed calls for the seed: the actor (farmer, inspector, official) signs an EIP-712
 * ForwardRequest, the relayer submits it to JangbuForwarder and pays the gas, and the target
 * contract sees the signer as `_msgSender()`. Kept small and separate on purpose: the relay's own
 * builders will live in sdk/.
 *
 * `executeBatch` with a zero refund receiver reverts on an invalid request (bad signature, nonce,
 * deadline) but NOT when a call itself reverts: it only emits `ExecutedForwardRequest(success:
 * false)`. `relayBatch` therefore checks every request's event and throws, with the decoded
 * reason, when one failed.
 */
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractFunctionName,
  concat,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  defineChain,
  type EncodeFunctionDataParameters,
  encodeFunctionData,
  type Hex,
  http,
  type LocalAccount,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { forwardRequestTypes } from "../../sdk/forwarder.ts";
import {
  CredentialRegistryAbi,
  JangbuForwarderAbi,
  RicePurchaseAbi,
} from "../../sdk/generated/abis.ts";

/** The forwarder's EIP-712 types: the sdk's one definition. */
export const FORWARD_REQUEST_TYPES = forwardRequestTypes;

/** One contract call an actor wants made. */
export interface Call {
  to: Address;
  data: Hex;
  /** Gas the forwarder passes to the call (default 1,000,000; unused gas is not paid). */
  gas?: bigint;
  /** What the call is, for error messages. */
  label?: string;
}

export interface SignedRequest {
  from: Address;
  to: Address;
  value: bigint;
  gas: bigint;
  deadline: number;
  data: Hex;
  signature: Hex;
}

export interface Relay {
  readonly chain: Chain;
  readonly forwarder: Address;
  readonly publicClient: PublicClient;
  readonly wallet: WalletClient;
  readonly relayer: Account | Address;
  /** Extra ABIs whose custom errors explain failed calls. */
  errorAbis: Abi[];
}

export function createRelay(options: {
  rpcUrl: string;
  chainId: number;
  forwarder: Address;
  /** A local account (RELAYER_PRIVATE_KEY) or the address of an account the node unlocks. */
  relayer: Account | Address;
}): Relay {
  const chain = defineChain({
    id: options.chainId,
    name: `chain ${options.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const transport = http(options.rpcUrl, { batch: false, retryCount: 2 });
  return {
    chain,
    forwarder: options.forwarder,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient,
    wallet: createWalletClient({ chain, transport, account: options.relayer, pollingInterval: 50 }),
    relayer: options.relayer,
    errorAbis: [JangbuForwarderAbi, CredentialRegistryAbi, RicePurchaseAbi],
  };
}

/** Nonces handed out per signer; read from the forwarder the first time a signer signs. */
const nonceCache = new WeakMap<Relay, Map<Address, bigint>>();

async function nextNonce(relay: Relay, from: Address): Promise<bigint> {
  let nonces = nonceCache.get(relay);
  if (nonces === undefined) {
    nonces = new Map();
    nonceCache.set(relay, nonces);
  }
  let nonce = nonces.get(from);
  if (nonce === undefined) {
    nonce = await relay.publicClient.readContract({
      address: relay.forwarder,
      abi: JangbuForwarderAbi,
      functionName: "nonces",
      args: [from],
    });
  }
  nonces.set(from, nonce + 1n);
  return nonce;
}

/** Forget cached nonces (after a failed submission, the chain is the truth again). */
export function resetNonces(relay: Relay): void {
  nonceCache.delete(relay);
}

/** Signs `call` as `signer` with the next nonce; valid until `deadline` (unix seconds). */
export async function signRequest(
  relay: Relay,
  signer: LocalAccount,
  call: Call,
  deadline: number,
): Promise<SignedRequest> {
  const gas = call.gas ?? 1_000_000n;
  const nonce = await nextNonce(relay, signer.address);
  const message = {
    from: signer.address,
    to: call.to,
    value: 0n,
    gas,
    nonce,
    deadline,
    data: call.data,
  };
  const signature = await signer.signTypedData({
    domain: {
      name: "jangbu",
      version: "1",
      chainId: relay.chain.id,
      verifyingContract: relay.forwarder,
    },
    types: FORWARD_REQUEST_TYPES,
    primaryType: "ForwardRequest",
    message,
  });
  return {
    from: signer.address,
    to: call.to,
    value: 0n,
    gas,
    deadline,
    data: call.data,
    signature,
  };
}

async function deadlineFromChain(relay: Relay): Promise<number> {
  const block = await relay.publicClient.getBlock({ blockTag: "latest" });
  return Number(block.timestamp) + 3_600;
}

/** Signs and relays one call through `forwarder.execute`. */
export async function relayCall(
  relay: Relay,
  signer: LocalAccount,
  call: Call,
): Promise<TransactionReceipt> {
  return relayBatch(relay, [{ signer, call }]);
}

/**
 * Signs every item and relays them in one `forwarder.executeBatch` (chunks of `chunkSize`).
 * Items run in order; a signer may appear many times (its nonces follow one another).
 */
export async function relayBatch(
  relay: Relay,
  items: readonly { signer: LocalAccount; call: Call }[],
  chunkSize = 50,
): Promise<TransactionReceipt> {
  let last: TransactionReceipt | undefined;
  for (let start = 0; start < items.length; start += chunkSize) {
    const chunk = items.slice(start, start + chunkSize);
    const deadline = await deadlineFromChain(relay);
    const requests: SignedRequest[] = [];
    for (const { signer, call } of chunk)
      requests.push(await signRequest(relay, signer, call, deadline));
    try {
      last = await submit(
        relay,
        requests,
        chunk.map((item) => item.call),
      );
    } catch (error) {
      resetNonces(relay);
      throw error;
    }
  }
  if (last === undefined) throw new Error("relayBatch: nothing to relay");
  return last;
}

async function submit(
  relay: Relay,
  requests: SignedRequest[],
  calls: Call[],
): Promise<TransactionReceipt> {
  const data =
    requests.length === 1
      ? encodeFunctionData({
          abi: JangbuForwarderAbi,
          functionName: "execute",
          args: [requests[0] as SignedRequest],
        })
      : encodeFunctionData({
          abi: JangbuForwarderAbi,
          functionName: "executeBatch",
          args: [requests, "0x0000000000000000000000000000000000000000"],
        });
  let hash: Hex;
  try {
    hash = await relay.wallet.sendTransaction({
      account: relay.relayer,
      chain: relay.chain,
      to: relay.forwarder,
      data,
    });
  } catch (error) {
    // Usually estimateGas hitting a revert of `execute` (which hides the reason): find it.
    const reasons = await Promise.all(requests.map((r, i) => explain(relay, r, calls[i])));
    const found = reasons.filter((r) => r !== undefined);
    throw new Error(
      found.length > 0
        ? found.join("\n")
        : `relay failed: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const receipt = await relay.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (receipt.status !== "success") throw new Error(`relayed transaction ${hash} reverted`);
  const executed = parseEventLogs({
    abi: JangbuForwarderAbi,
    eventName: "ExecutedForwardRequest",
    logs: receipt.logs,
  });
  const failed = executed.flatMap((event, i) => (event.args.success ? [] : [i]));
  if (failed.length > 0) {
    const reasons = await Promise.all(
      failed.map((i) =>
        explain(relay, requests[i] as SignedRequest, calls[i], receipt.blockNumber - 1n),
      ),
    );
    throw new Error(`relayed calls failed in ${hash}:\n${reasons.join("\n")}`);
  }
  return receipt;
}

/** Replays a request's inner call as the forwarder would make it, and decodes why it reverts. */
async function explain(
  relay: Relay,
  request: SignedRequest,
  call: Call | undefined,
  blockNumber?: bigint,
): Promise<string | undefined> {
  const label = call?.label ?? request.data.slice(0, 10);
  try {
    await relay.publicClient.call({
      account: relay.forwarder,
      to: request.to,
      data: concat([request.data, request.from]),
      gas: request.gas,
      ...(blockNumber !== undefined ? { blockNumber } : {}),
    });
    return blockNumber === undefined
      ? undefined
      : `${label} by ${request.from}: reverted (reason unknown)`;
  } catch (error) {
    const data = revertData(error);
    for (const abi of relay.errorAbis) {
      try {
        const decoded = decodeErrorResult({ abi, data: data ?? "0x" });
        const args = (decoded.args ?? []).map(String).join(", ");
        return `${label} by ${request.from}: ${decoded.errorName}(${args})`;
      } catch {
        // not this ABI's error
      }
    }
    return `${label} by ${request.from}: ${(error as Error).message.split("\n")[0]}`;
  }
}

function revertData(error: unknown): Hex | undefined {
  let current: unknown = error;
  while (current !== null && typeof current === "object") {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x")) return data as Hex;
    if (
      data !== null &&
      typeof data === "object" &&
      typeof (data as { data?: unknown }).data === "string"
    ) {
      return (data as { data: Hex }).data;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A call of a jangbu contract function, encoded, with its name as label. */
export function call<
  const TAbi extends Abi | readonly unknown[],
  TName extends ContractFunctionName<TAbi>,
>(to: Address, params: EncodeFunctionDataParameters<TAbi, TName>, gas?: bigint): Call {
  return {
    to,
    data: encodeFunctionData(params as EncodeFunctionDataParameters),
    label: String((params as { functionName?: unknown }).functionName ?? "call"),
    ...(gas !== undefined ? { gas } : {}),
  };
}
