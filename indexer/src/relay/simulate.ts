/**
 * Simulating a forwarded call and naming its revert. The forwarder's `execute` swallows the
 * target's revert data (it reverts with `FailedCall()`), so the relay simulates the call the
 * forwarder would make: from the forwarder, to the target, with the signer appended to the
 * calldata as ERC-2771 does, and the request's gas.
 */
import {
  type Abi,
  type Address,
  BaseError,
  concat,
  decodeErrorResult,
  type Hex,
  isHex,
  type PublicClient,
  toFunctionSelector,
} from "viem";
import { ACTION_ABIS } from "../../../sdk/actions.ts";
import {
  ICommonErrorsAbi,
  IPasskeyAccountAbi,
  JangbuForwarderAbi,
} from "../../../sdk/generated/abis.ts";
import { jsonSafe, RelayUnavailable } from "./errors.ts";

/** Every custom error a jangbu call can revert with, once each. */
const ERROR_ABI: Abi = (() => {
  const seen = new Set<string>();
  const errors: Abi[number][] = [];
  for (const abi of [
    ...Object.values(ACTION_ABIS),
    JangbuForwarderAbi,
    ICommonErrorsAbi,
    IPasskeyAccountAbi,
  ] as Abi[]) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const selector = toFunctionSelector(
        `function ${item.name}(${item.inputs.map((i) => i.type).join(",")})`,
      );
      if (seen.has(selector)) continue;
      seen.add(selector);
      errors.push(item);
    }
  }
  return errors;
})();

/** A revert, named: `errorName` is the custom error (or Error / Panic / OutOfGas / unknown). */
export type DecodedRevert = {
  errorName: string;
  /** Arguments by name where the ABI names them, JSON-safe (bigints as decimal strings). */
  args: Record<string, unknown> | unknown[];
  /** The raw revert data. */
  data: Hex;
};

/** Names a revert from its data against the jangbu ABIs (Error(string) and Panic included). */
export function decodeRevert(data: Hex | undefined, message?: string): DecodedRevert {
  if (data === undefined || data === "0x") {
    const outOfGas = message !== undefined && /out of gas|gas required exceeds/i.test(message);
    return { errorName: outOfGas ? "OutOfGas" : "unknown", args: [], data: data ?? "0x" };
  }
  try {
    const { errorName, args, abiItem } = decodeErrorResult({ abi: ERROR_ABI, data });
    const values = (args ?? []) as readonly unknown[];
    const inputs = "inputs" in abiItem ? abiItem.inputs : [];
    const named =
      inputs.length > 0 && inputs.every((input) => input.name)
        ? Object.fromEntries(inputs.map((input, i) => [input.name, jsonSafe(values[i])]))
        : (jsonSafe(values) as unknown[]);
    return { errorName, args: named as Record<string, unknown>, data };
  } catch {
    return { errorName: "unknown", args: [], data };
  }
}

/** The revert data somewhere in a viem / provider error chain, if the failure was a revert. */
export function revertDataOf(error: unknown): { reverted: boolean; data?: Hex; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  let found: Hex | undefined;
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (found !== undefined || e === null || typeof e !== "object" || seen.has(e) || depth > 8)
      return;
    seen.add(e);
    const o = e as { data?: unknown; cause?: unknown; error?: unknown };
    if (typeof o.data === "string" && isHex(o.data)) found = o.data;
    else if (o.data !== null && typeof o.data === "object") visit(o.data, depth + 1);
    visit(o.cause, depth + 1);
    visit(o.error, depth + 1);
  };
  visit(error, 0);
  const details = error instanceof BaseError ? `${error.details ?? ""} ${error.shortMessage}` : "";
  const text = `${message} ${details}`;
  const reverted =
    found !== undefined || /revert|out of gas|invalid opcode|execution error/i.test(text);
  return { reverted, ...(found !== undefined ? { data: found } : {}), message: text };
}

export type SimulationResult = { ok: true } | { ok: false; revert: DecodedRevert };

/** Extra gas a call needs as a transaction over what the forwarder gives it: base + calldata. */
export function intrinsicGas(data: Hex): bigint {
  let gas = 21_000n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

/**
 * Runs the forwarded call against the latest state. A revert is a result; an RPC failure
 * throws {@link RelayUnavailable}.
 */
export async function simulateForwardedCall(
  publicClient: Pick<PublicClient, "call">,
  p: {
    forwarder: Address;
    from: Address;
    to: Address;
    data: Hex;
    gas: bigint;
    blockNumber?: bigint;
  },
): Promise<SimulationResult> {
  const data = concat([p.data, p.from]);
  try {
    await publicClient.call({
      account: p.forwarder,
      to: p.to,
      data,
      gas: p.gas + intrinsicGas(data),
      ...(p.blockNumber !== undefined ? { blockNumber: p.blockNumber } : {}),
    });
    return { ok: true };
  } catch (error) {
    const r = revertDataOf(error);
    if (!r.reverted) {
      throw new RelayUnavailable("RELAY_UNAVAILABLE", "the chain's RPC failed during simulation", {
        cause: error,
      });
    }
    return { ok: false, revert: decodeRevert(r.data, r.message) };
  }
}

type CallFrame = {
  from?: string;
  to?: string;
  input?: string;
  output?: string;
  error?: string;
  calls?: CallFrame[];
};

/**
 * The revert of the forwarded call inside a mined transaction, from the node's call tracer
 * (`debug_traceTransaction` with `callTracer`: Hardhat, geth, Besu). Undefined when the node has
 * no such tracer or the call did not revert.
 */
export async function tracedRevert(
  publicClient: Pick<PublicClient, "request">,
  hash: Hex,
  call: { forwarder: Address; from: Address; to: Address; data: Hex },
): Promise<DecodedRevert | undefined> {
  let root: CallFrame;
  try {
    root = (await (publicClient.request as (args: unknown) => Promise<unknown>)({
      method: "debug_traceTransaction",
      params: [hash, { tracer: "callTracer" }],
    })) as CallFrame;
  } catch {
    return undefined;
  }
  const input = concat([call.data, call.from]).toLowerCase();
  const forwarder = call.forwarder.toLowerCase();
  const to = call.to.toLowerCase();
  const stack: CallFrame[] = [root];
  while (stack.length > 0) {
    const frame = stack.pop() as CallFrame;
    if (
      frame.from?.toLowerCase() === forwarder &&
      frame.to?.toLowerCase() === to &&
      frame.input?.toLowerCase() === input
    ) {
      if (frame.error === undefined) return undefined;
      const output = frame.output !== undefined && isHex(frame.output) ? frame.output : undefined;
      return decodeRevert(output, frame.error);
    }
    stack.push(...(frame.calls ?? []));
  }
  return undefined;
}
