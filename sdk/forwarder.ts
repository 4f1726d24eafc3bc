/**
 * EIP-712 forward requests for the jangbu `ERC2771Forwarder`: the one way portal, relay, seed
 * scripts and tests build and sign a gasless action. A user signs; anyone (the county's relayer)
 * submits it with `JangbuForwarder.execute`, and the target contract sees the signer as the actor.
 */
import {
  type Account,
  type Address,
  encodeFunctionData,
  type Hex,
  hashTypedData,
  type TypedDataDomain,
  type WalletClient,
} from "viem";
import { JangbuForwarderAbi } from "./generated/abis.ts";

/** The forwarder's EIP-712 domain name and version (see contracts/JangbuForwarder.sol). */
export const FORWARDER_NAME = "jangbu";
export const FORWARDER_VERSION = "1";

/** The struct OpenZeppelin's ERC2771Forwarder hashes (its `ForwardRequest` typehash). */
export const forwardRequestTypes = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
} as const;

/** What the signer agrees to: call `to` with `data`, at most `gas`, before `deadline`. */
export interface ForwardRequest {
  from: Address;
  to: Address;
  value: bigint;
  gas: bigint;
  nonce: bigint;
  deadline: number;
  data: Hex;
}

/** The argument `JangbuForwarder.execute` takes: the request plus its signature (no nonce). */
export interface ForwardRequestData {
  from: Address;
  to: Address;
  value: bigint;
  gas: bigint;
  deadline: number;
  data: Hex;
  signature: Hex;
}

/** The domain binds chain and forwarder address: a request is void on any other chain or deployment. */
export function forwarderDomain(chainId: number, forwarder: Address): TypedDataDomain {
  return {
    name: FORWARDER_NAME,
    version: FORWARDER_VERSION,
    chainId,
    verifyingContract: forwarder,
  };
}

export interface SignForwardRequestParameters {
  wallet: WalletClient;
  account: Account | Address;
  chainId: number;
  forwarder: Address;
  request: ForwardRequest;
}

/** Signs `request` with EIP-712 typed data and returns what `execute` takes. */
export async function signForwardRequest({
  wallet,
  account,
  chainId,
  forwarder,
  request,
}: SignForwardRequestParameters): Promise<ForwardRequestData> {
  const signature = await wallet.signTypedData({
    account,
    domain: forwarderDomain(chainId, forwarder),
    types: forwardRequestTypes,
    primaryType: "ForwardRequest",
    message: { ...request },
  });
  const { nonce: _nonce, ...rest } = request;
  return { ...rest, signature };
}

/** Calldata of `JangbuForwarder.execute(request)`, for relayers that build their own transaction. */
export function encodeExecute(request: ForwardRequestData): Hex {
  return encodeFunctionData({ abi: JangbuForwarderAbi, functionName: "execute", args: [request] });
}

/**
 * The EIP-712 digest the signer signs: the relay's idempotency key and request id. Two
 * submissions of the same signed request have the same digest.
 */
export function forwardRequestDigest(
  chainId: number,
  forwarder: Address,
  request: ForwardRequest,
): Hex {
  return hashTypedData({
    domain: forwarderDomain(chainId, forwarder),
    types: forwardRequestTypes,
    primaryType: "ForwardRequest",
    message: { ...request },
  });
}

/**
 * What `POST /api/v1/relay` takes: the signed request with every integer as a decimal string,
 * plus the domain it was signed for (so a request for another chain or deployment is refused by
 * name, not as a bad signature).
 */
export interface RelayBody {
  domain: { name: string; version: string; chainId: number; verifyingContract: Address };
  request: {
    from: Address;
    to: Address;
    value: string;
    gas: string;
    nonce: string;
    deadline: string;
    data: Hex;
  };
  signature: Hex;
}

/** The JSON body for the relay from a request and its signature. */
export function toRelayBody(
  chainId: number,
  forwarder: Address,
  request: ForwardRequest,
  signature: Hex,
): RelayBody {
  return {
    domain: {
      name: FORWARDER_NAME,
      version: FORWARDER_VERSION,
      chainId,
      verifyingContract: forwarder,
    },
    request: {
      from: request.from,
      to: request.to,
      value: request.value.toString(),
      gas: request.gas.toString(),
      nonce: request.nonce.toString(),
      deadline: String(request.deadline),
      data: request.data,
    },
    signature,
  };
}

/** Signs `request` and returns the relay's JSON body (see {@link toRelayBody}). */
export async function signRelayRequest(params: SignForwardRequestParameters): Promise<RelayBody> {
  const { signature } = await signForwardRequest(params);
  return toRelayBody(params.chainId, params.forwarder, params.request, signature);
}
