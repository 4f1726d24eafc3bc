/**
 * Where the contracts live on each chain. The deploy script records every deployment in
 * sdk/generated/deployments.ts (through `writeDeployment` in scripts/gen-sdk.ts): a plain TS
 * module, so Node and the browser portal read it the same way.
 */
import type { Address } from "viem";
import { deployments } from "./generated/deployments.ts";

export const CONTRACT_NAMES = [
  "CredentialRegistry",
  "FarmGatePrices",
  "JangbuForwarder",
  "RicePurchase",
  "TenderBoard",
  "VarietyTesting",
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];
/**
 * The contracts whose events the indexer reads: the deployment's, and the passkey account factory
 * (its `PasskeyAccountCreated` tells which addresses are passkey accounts).
 */
export type IndexedContractName = ContractName | "PasskeyAccountFactory";

export interface Deployment {
  readonly chainId: number;
  readonly addresses: Readonly<Record<ContractName, Address>>;
  /** The block of the first deployment transaction: where indexers start scanning. */
  readonly startBlock: number;
  /** Passkey accounts (issue 23); absent on a deployment made before them. */
  readonly passkey?: PasskeyDeployment;
}

/** Where passkey accounts come from, and the domain their passkeys are made for. */
export interface PasskeyDeployment {
  readonly factory: Address;
  /** The account code every clone delegates to (`PasskeyAccountFactory.implementation()`). */
  readonly implementation: Address;
  /** The relying-party id (the portal's domain, "localhost" locally). */
  readonly rpId: string;
}

const byChainId: Readonly<Record<string, Deployment | undefined>> = deployments;

/** The deployment on `chainId`, or undefined when the contracts are not deployed there. */
export function findDeployment(chainId: number): Deployment | undefined {
  return byChainId[String(chainId)];
}

/** The deployment on `chainId`; throws when the contracts are not deployed there. */
export function getDeployment(chainId: number): Deployment {
  const deployment = findDeployment(chainId);
  if (deployment === undefined) {
    const known = Object.keys(byChainId).join(", ") || "none";
    throw new Error(`jangbu is not deployed on chain ${chainId} (deployed on: ${known})`);
  }
  return deployment;
}
