/**
 * Where a deployment is recorded. Real chains: sdk/generated/deployments.ts (committed, read by
 * Node and the browser portal alike). The local Hardhat chain (31337) is new at every `npm start`,
 * so its deployment goes to DATA_DIR/deployment.json instead and never dirties the committed file;
 * start.ts hands it to the indexer as environment variables.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Address, zeroAddress } from "viem";
import { type Deployment, findDeployment } from "../../sdk/deployments.ts";

/** Hardhat's default chain id: the local development chain. */
export const LOCAL_CHAIN_ID = 31337;

/** DATA_DIR (default ./.data), absolute. */
export function resolveDataDir(value = process.env.DATA_DIR): string {
  return resolve(value !== undefined && value !== "" ? value : ".data");
}

export function localDeploymentFile(dataDir: string): string {
  return join(dataDir, "deployment.json");
}

export function writeLocalDeployment(dataDir: string, deployment: Deployment): string {
  const file = localDeploymentFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return file;
}

export function readLocalDeployment(dataDir: string): Deployment | undefined {
  const file = localDeploymentFile(dataDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as Deployment;
}

/** The deployment on `chainId`: DATA_DIR's for the local chain, else the SDK's. */
export function loadDeployment(chainId: number, dataDir: string): Deployment | undefined {
  if (chainId === LOCAL_CHAIN_ID) {
    const local = readLocalDeployment(dataDir);
    if (local?.chainId === chainId) return local;
  }
  return findDeployment(chainId);
}

/** True when the contract is deployed (a TenderBoard not in the tree yet is the zero address). */
export function isDeployed(address: Address | undefined): address is Address {
  return address !== undefined && address !== zeroAddress;
}

/** The indexer's view of a deployment, as environment variables. */
export function deploymentEnv(deployment: Deployment): Record<string, string> {
  const { addresses } = deployment;
  return {
    CHAIN_ID: String(deployment.chainId),
    START_BLOCK: String(deployment.startBlock),
    FORWARDER_ADDRESS: addresses.JangbuForwarder,
    CREDENTIAL_REGISTRY_ADDRESS: addresses.CredentialRegistry,
    RICE_PURCHASE_ADDRESS: addresses.RicePurchase,
    ...(isDeployed(addresses.TenderBoard) ? { TENDER_BOARD_ADDRESS: addresses.TenderBoard } : {}),
    ...(isDeployed(addresses.FarmGatePrices)
      ? { FARM_GATE_PRICES_ADDRESS: addresses.FarmGatePrices }
      : {}),
    ...(deployment.passkey
      ? {
          PASSKEY_FACTORY_ADDRESS: deployment.passkey.factory,
          PASSKEY_IMPLEMENTATION_ADDRESS: deployment.passkey.implementation,
          PASSKEY_RP_ID: deployment.passkey.rpId,
        }
      : {}),
    ...(isDeployed(addresses.VarietyTesting)
      ? { VARIETY_TESTING_ADDRESS: addresses.VarietyTesting }
      : {}),
  };
}
