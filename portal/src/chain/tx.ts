/**
 * One user action = one EIP-712 ForwardRequest (sdk/forwarder.ts types), simulated first so a
 * revert is explained before anything is signed, then signed and sent through the relay.
 */
import { type Abi, type Address, concat, decodeEventLog, encodeFunctionData, type Hex } from "viem";
import {
  type ContractName,
  type ForwardRequest,
  forwarderDomain,
  forwardRequestTypes,
} from "../../../sdk/index.ts";
import { passkeyChallenge, passkeyRelayBody } from "../../../sdk/passkey.ts";
import { API, getConfig, getJson, type PortalConfig } from "../api/client.ts";
import {
  CredentialRegistryAbi,
  FarmGatePricesAbi,
  JangbuForwarderAbi,
  PasskeyAccountAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  VarietyTestingAbi,
} from "./abis.ts";
import { decodeRevert, findRevertData } from "./errors.ts";
import {
  estimateGas,
  ethCall,
  getBlock,
  getCode,
  getReceipt,
  type LiteReceipt,
} from "./rpc-lite.ts";
import type { Session } from "./session.ts";
import { signTypedData } from "./sign.ts";

/** A contract a portal action calls: a deployment's, or a passkey account (`Action.account`). */
export type ActionTarget = ContractName | "PasskeyAccount";

export const ABI_OF: Record<ActionTarget, Abi> = {
  PasskeyAccount: PasskeyAccountAbi as Abi,
  RicePurchase: RicePurchaseAbi as Abi,
  TenderBoard: TenderBoardAbi as Abi,
  CredentialRegistry: CredentialRegistryAbi as Abi,
  JangbuForwarder: JangbuForwarderAbi as Abi,
  FarmGatePrices: FarmGatePricesAbi as Abi,
  VarietyTesting: VarietyTestingAbi as Abi,
};

export interface Action {
  contract: ActionTarget;
  /**
   * For `PasskeyAccount`: the account called (a recovery an official starts, or anyone
   * finishes); absent: the signed-in passkey account itself (its own passkeys, an objection).
   */
  account?: Address;
  functionName: string;
  args: readonly unknown[];
  /** The Korean (or English) sentence of what is signed. */
  title: string;
  /** Label/value pairs shown before signing. */
  details: [string, string][];
  gas?: bigint;
}

export class RevertError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: Record<string, unknown>,
  ) {
    super(errorName);
  }
}

export interface Prepared {
  action: Action;
  config: PortalConfig;
  request: ForwardRequest;
}

export function calldata(action: Action): Hex {
  return encodeFunctionData({
    abi: ABI_OF[action.contract],
    functionName: action.functionName,
    args: action.args,
  } as Parameters<typeof encodeFunctionData>[0]);
}

/** Simulates the call as the forwarder would make it (ERC-2771: sender appended), then builds the request. */
export async function prepare(session: Session, action: Action): Promise<Prepared> {
  const config = await getConfig();
  const rpc = config.rpcUrl;
  const to =
    action.contract === "PasskeyAccount"
      ? (action.account ?? session.address)
      : (config.contracts[action.contract] as Address);
  const forwarder = config.contracts.JangbuForwarder as Address;
  const data = calldata(action);
  if (session.kind === "passkey") return preparePasskey(session, action, config, to, data);
  let gas = action.gas ?? 0n;
  try {
    const est = await estimateGas(rpc, {
      from: forwarder,
      to,
      data: concat([data, session.address]),
    });
    gas = gas > 0n ? gas : (est * 13n) / 10n + 60_000n;
  } catch (e) {
    const decoded = decodeRevert(findRevertData(e));
    if (decoded) throw new RevertError(decoded.name, decoded.args);
    if (gas === 0n) gas = 3_000_000n;
  }
  const [nonceWord, block] = await Promise.all([
    ethCall(rpc, {
      to: forwarder,
      data: encodeFunctionData({
        abi: JangbuForwarderAbi,
        functionName: "nonces",
        args: [session.address],
      }),
    }),
    getBlock(rpc),
  ]);
  const nonce = BigInt(nonceWord);
  const deadline = Number(block.timestamp) + 3600;
  return {
    action,
    config,
    request: { from: session.address, to, value: 0n, gas, nonce, deadline, data },
  };
}

export interface Sent {
  txHash: Hex;
  receipt: LiteReceipt;
}

/**
 * A passkey account calls the contract itself (msg.sender), so the simulation is a plain call
 * from its address (deployed or not yet); its nonce is the account's own (0 before deployment).
 */
async function preparePasskey(
  session: Session,
  action: Action,
  config: PortalConfig,
  to: Address,
  data: Hex,
): Promise<Prepared> {
  const rpc = config.rpcUrl;
  try {
    await estimateGas(rpc, { from: session.address, to, data });
  } catch (e) {
    const decoded = decodeRevert(findRevertData(e));
    if (decoded) throw new RevertError(decoded.name, decoded.args);
  }
  const [code, block] = await Promise.all([getCode(rpc, session.address), getBlock(rpc)]);
  const nonce =
    code === "0x"
      ? 0n
      : BigInt(
          await ethCall(rpc, {
            to: session.address,
            data: encodeFunctionData({ abi: PasskeyAccountAbi, functionName: "nonce" }),
          }),
        );
  const deadline = Number(block.timestamp) + 600;
  return {
    action,
    config,
    request: { from: session.address, to, value: 0n, gas: 0n, nonce, deadline, data },
  };
}

/** Signs the call's challenge with the passkey and hands it to the relay's passkey route. */
async function sendPasskey(session: Session, p: Prepared): Promise<Response> {
  const first = session.passkey;
  if (!first) throw new Error("no passkey");
  const { passkeyAssertion, storedPasskeys, accountOfLogin } = await import("./passkey.ts");
  // Every passkey this device keeps for the account may answer (a security key held to the phone).
  const passkey = p.config.passkey;
  const logins = [
    first,
    ...storedPasskeys().filter(
      (l) =>
        l.credentialId !== first.credentialId &&
        passkey !== undefined &&
        accountOfLogin(l, passkey).toLowerCase() === session.address.toLowerCase(),
    ),
  ];
  const r = p.request;
  const call = {
    account: session.address,
    target: r.to,
    data: r.data,
    nonce: r.nonce,
    deadline: r.deadline,
  };
  const challenge = passkeyChallenge({ chainId: p.config.chainId, ...call });
  const { auth, login } = await passkeyAssertion(logins, challenge);
  return fetch(`${API}/relay/passkey`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(passkeyRelayBody({ ...call, key: { qx: login.qx, qy: login.qy }, auth })),
  });
}

export async function signAndSend(session: Session, p: Prepared): Promise<Sent> {
  if (session.kind === "passkey") return finish(p, await sendPasskey(session, p), false);
  const forwarder = p.config.contracts.JangbuForwarder as Address;
  const signature = await signTypedData(session, {
    domain: forwarderDomain(p.config.chainId, forwarder),
    types: forwardRequestTypes,
    primaryType: "ForwardRequest",
    message: { ...p.request },
  });
  const r = p.request;
  const body = {
    request: {
      from: r.from,
      to: r.to,
      value: r.value.toString(),
      gas: r.gas.toString(),
      nonce: r.nonce.toString(),
      deadline: r.deadline,
      data: r.data,
    },
    signature,
  };
  const res = await fetch(`${API}/relay`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return finish(p, res, true);
}

/** Reads the relay's answer, waits for the receipt and for the indexer to catch up. */
async function finish(p: Prepared, res: Response, forwarded: boolean): Promise<Sent> {
  const r = p.request;
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || (!json.txHash && typeof json.requestId !== "string")) {
    const err = (json.error ?? json) as Record<string, unknown>;
    const details = (err.details ?? {}) as Record<string, unknown>;
    if (typeof details.errorName === "string" && details.errorName !== "unknown")
      throw new RevertError(details.errorName, (details.args as Record<string, unknown>) ?? {});
    const revert = decodeRevert(findRevertData(json));
    if (revert) throw new RevertError(revert.name, revert.args);
    if (typeof err.errorName === "string")
      throw new RevertError(err.errorName, (err.args as Record<string, unknown>) ?? {});
    throw new Error(String(err.message ?? json.message ?? res.statusText));
  }
  // A request the relay holds (its signer's earlier nonce has not arrived, e.g. from another tab)
  // or still queues is answered without a transaction hash: follow it until it is sent.
  const txHash = (json.txHash as Hex | null) ?? (await waitForTxHash(json.requestId as Hex));
  const receipt = await waitForReceipt(p.config, txHash);
  // The forwarder does not revert when the inner call fails: check its event.
  for (const log of forwarded ? receipt.logs : []) {
    try {
      const d = decodeEventLog({ abi: JangbuForwarderAbi, data: log.data, topics: log.topics });
      if (d.eventName === "ExecutedForwardRequest") {
        const a = d.args as { signer: Address; success: boolean };
        if (a.signer.toLowerCase() === r.from.toLowerCase() && !a.success)
          throw new Error("call failed");
      }
    } catch (e) {
      if (e instanceof Error && e.message === "call failed") throw e;
    }
  }
  if (receipt.status !== "success") throw new Error("transaction reverted");
  // Let the indexer catch up with the block, so the screen that reloads shows the new record.
  for (let i = 0; i < 40; i++) {
    const st = await getJson<Record<string, unknown>>(`${API}/status`).catch(
      () => ({}) as Record<string, unknown>,
    );
    if (Number(st.indexedBlock ?? 0) >= Number(receipt.blockNumber)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return { txHash, receipt };
}

/** Polls `GET /relay/{requestId}` until the relay names the request's transaction or refuses it. */
async function waitForTxHash(requestId: Hex): Promise<Hex> {
  for (let i = 0; i < 120; i++) {
    const st = await getJson<Record<string, unknown>>(`${API}/relay/${requestId}`).catch(
      () => ({}) as Record<string, unknown>,
    );
    if (typeof st.txHash === "string") return st.txHash as Hex;
    if (st.state === "failed" || st.state === "reverted") {
      const revert = decodeRevert(findRevertData(st));
      if (revert) throw new RevertError(revert.name, revert.args);
      const err = (st.error ?? st) as Record<string, unknown>;
      throw new Error(String(err.message ?? st.state));
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("timeout");
}

async function waitForReceipt(config: PortalConfig, hash: Hex): Promise<LiteReceipt> {
  for (let i = 0; i < 120; i++) {
    try {
      const receipt = await getReceipt(config.rpcUrl, hash);
      if (receipt) return receipt;
      throw new Error("not mined yet");
    } catch {
      try {
        const st = await getJson<Record<string, unknown>>(`${API}/relay/${hash}`);
        if (st.state === "failed" || st.state === "reverted" || st.status === "failed") {
          const revert = decodeRevert(findRevertData(st));
          if (revert) throw new RevertError(revert.name, revert.args);
          throw new Error(String(st.message ?? st.status));
        }
      } catch (e) {
        if (e instanceof RevertError) throw e;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error("timeout");
}
