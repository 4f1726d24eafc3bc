/**
 * What the relay pays for: calls to the jangbu action contracts of its deployment, and only the
 * functions of their interfaces (IRicePurchase, ITenderBoard, ICredentialRegistry, IFarmGatePrices, IVarietyTesting) that change
 * state, minus the registry admin's `setIssuer` (the admin sends its own transactions). The
 * list follows the generated ABIs, so a function added to an interface is relayable at once.
 */
import {
  type Abi,
  type AbiFunction,
  type Address,
  decodeFunctionData,
  getAddress,
  type Hex,
  toFunctionSelector,
  zeroAddress,
} from "viem";
import { ACTION_ABIS, type ActionContractName } from "../../../sdk/actions.ts";
import type { Deployment } from "../../../sdk/deployments.ts";
import {
  ICredentialRegistryAbi,
  IFarmGatePricesAbi,
  IRicePurchaseAbi,
  ITenderBoardAbi,
  IVarietyTestingAbi,
} from "../../../sdk/generated/abis.ts";
import { RelayRefusal } from "./errors.ts";

/** Functions never relayed even though their interface declares them. */
export const NEVER_RELAYED: Readonly<Partial<Record<ActionContractName, readonly string[]>>> = {
  CredentialRegistry: ["setIssuer"],
};

const INTERFACE_ABIS: Readonly<Record<ActionContractName, Abi>> = {
  CredentialRegistry: ICredentialRegistryAbi,
  RicePurchase: IRicePurchaseAbi,
  TenderBoard: ITenderBoardAbi,
  FarmGatePrices: IFarmGatePricesAbi,
  VarietyTesting: IVarietyTestingAbi,
};

/** The relayable function names per contract by the rule above. */
export function defaultAllowList(): Record<ActionContractName, string[]> {
  const out = {} as Record<ActionContractName, string[]>;
  for (const [name, abi] of Object.entries(INTERFACE_ABIS) as [ActionContractName, Abi][]) {
    const never = NEVER_RELAYED[name] ?? [];
    out[name] = abi
      .filter(
        (item): item is AbiFunction =>
          item.type === "function" &&
          (item.stateMutability === "nonpayable" || item.stateMutability === "payable"),
      )
      .map((item) => item.name)
      .filter((fn, i, all) => !never.includes(fn) && all.indexOf(fn) === i);
  }
  return out;
}

/** A relayable call, decoded. */
export type AllowedAction = {
  contract: ActionContractName;
  functionName: string;
  args: readonly unknown[];
  selector: Hex;
};

/**
 * A forwarded call to a passkey account's recovery (issue 23): an issuer starts it, anyone
 * finishes it after the delay. Accounts are not in the deployment's addresses: the relay checks
 * the target's code is a passkey account of this deployment (relay/index.ts).
 */
export type PasskeyRecoveryAction = {
  contract: "PasskeyAccount";
  functionName: "startRecovery" | "finishRecovery";
  args: readonly unknown[];
  selector: Hex;
};

/** What the relay sends through the forwarder. */
export type RelayedAction = AllowedAction | PasskeyRecoveryAction;

export type RelayPolicy = {
  /** The allowed targets, by contract name. */
  readonly targets: ReadonlyMap<Address, ActionContractName>;
  /** Refuses a call the relay does not pay for, else decodes it. */
  check(to: Address, data: Hex): AllowedAction;
};

export function createRelayPolicy({
  deployment,
  allow = defaultAllowList(),
}: {
  deployment: Pick<Deployment, "addresses">;
  /** Function names per contract (default {@link defaultAllowList}). */
  allow?: Partial<Record<ActionContractName, readonly string[]>>;
}): RelayPolicy {
  const targets = new Map<Address, ActionContractName>();
  const selectors = new Map<ActionContractName, Map<Hex, string>>();
  for (const name of Object.keys(ACTION_ABIS) as ActionContractName[]) {
    const address = deployment.addresses[name];
    if (address === undefined || address === zeroAddress) continue;
    targets.set(getAddress(address), name);
    const allowed = new Set(allow[name] ?? []);
    const bySelector = new Map<Hex, string>();
    for (const item of ACTION_ABIS[name] as Abi) {
      if (item.type === "function" && allowed.has(item.name)) {
        bySelector.set(toFunctionSelector(item), item.name);
      }
    }
    selectors.set(name, bySelector);
  }
  return {
    targets,
    check(to, data) {
      const contract = targets.get(to);
      if (contract === undefined) {
        throw new RelayRefusal(
          "RELAY_TARGET_NOT_ALLOWED",
          `${to} is not a jangbu contract of this deployment`,
          { to, allowed: [...targets.keys()] },
        );
      }
      const selector = data.slice(0, 10) as Hex;
      const functionName = data.length >= 10 ? selectors.get(contract)?.get(selector) : undefined;
      if (functionName === undefined) {
        throw new RelayRefusal(
          "RELAY_SELECTOR_NOT_ALLOWED",
          `${contract} function ${data.length >= 10 ? selector : "(none)"} is not relayed`,
          { contract, selector: data.length >= 10 ? selector : null },
        );
      }
      let args: readonly unknown[];
      try {
        args = decodeFunctionData({ abi: ACTION_ABIS[contract] as Abi, data }).args ?? [];
      } catch {
        throw new RelayRefusal(
          "RELAY_MALFORMED",
          `request.data: the arguments of ${contract}.${functionName} do not decode`,
          { contract, functionName },
        );
      }
      return { contract, functionName, args, selector };
    },
  };
}
