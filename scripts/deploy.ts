/**
 * `npm run deploy [-- --network <name>]`: deploys jangbu with Hardhat Ignition
 * (ignition/modules/Jangbu.ts), names the first credential issuers and records the deployment.
 *
 * Network: `--network <name>` (any network of hardhat.config.ts); otherwise `rpc` (RPC_URL) when
 * RPC_URL is set, else `localhost` (127.0.0.1:RPC_PORT, default 8545).
 *
 * Keys: on a Hardhat node the node's first account deploys. Anywhere else the deployer key is the
 * configuration variable DEPLOYER_KEY: the environment variable if set, else Hardhat's keystore
 * (`npx hardhat keystore set DEPLOYER_KEY`; the password is asked for). Never a file in the repo.
 *
 * Issuers: ISSUERS="0xabc…:Official|Inspector|Auditor@0, 0xdef…:Farmer|Supplier@46810" (roles
 * default to all, region to 0 = national). On the local chain, unset ISSUERS means the demo
 * officials of the seed (scripts/seed/actors.ts). Grants already in place are skipped.
 *
 * Passkeys: PASSKEY_RP_ID is the portal's domain that passkeys are made for (default "localhost";
 * an assertion for any other domain is refused on chain).
 *
 * Output: chain 31337 (local Hardhat node) → DATA_DIR/deployment.json (and the Ignition journal in
 * DATA_DIR/ignition); any other chain → sdk/generated/deployments.ts and ignition/deployments/.
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "./lib/preflight.ts";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configVariable } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { type Address, getAddress, isAddress } from "viem";
import JangbuModule, {
  DEFAULT_PASSKEY_RP_ID,
  JANGBU_MODULE_ID,
} from "../ignition/modules/Jangbu.ts";
import type { Deployment } from "../sdk/deployments.ts";
import { CredentialRegistryAbi, PasskeyAccountFactoryAbi } from "../sdk/generated/abis.ts";
import { rpIdHashOf } from "../sdk/passkey.ts";
import { writeDeployment } from "./gen-sdk.ts";
import { LOCAL_CHAIN_ID, resolveDataDir, writeLocalDeployment } from "./lib/deployment.ts";
import { createProjectHre, ROOT } from "./lib/hre.ts";
import { isHardhatNode, rpc, waitForRpc } from "./lib/net.ts";
import { DEFAULT_SEED, demoIssuerGrants } from "./seed/actors.ts";
import { ROLE_NAMES, Role, type RoleName } from "./seed/enums.ts";

export interface IssuerGrant {
  issuer: Address;
  roles: RoleName[];
  region: number;
}

export interface DeployOptions {
  /** Hardhat network name (default: `rpc` if RPC_URL is set, else `localhost`). */
  network?: string;
  dataDir?: string;
  /** Issuer grants; default from ISSUERS, or the demo officials on the local chain. */
  issuers?: IssuerGrant[];
  /** Demo seed whose officials become issuers on the local chain (default SEED). */
  seed?: string;
  /** Registry admin (default ADMIN, else the deployer). */
  admin?: Address;
  /** Deploy from the node's own (unlocked) first account, ignoring DEPLOYER_KEY (npm start). */
  nodeAccounts?: boolean;
  /** Run `hardhat build` first (default true). */
  compile?: boolean;
  log?: (message: string) => void;
}

export interface DeployResult {
  deployment: Deployment;
  rpcUrl: string;
  /** A throwaway Hardhat chain: the deployment went to DATA_DIR, not to the SDK. */
  local: boolean;
  deployer: Address;
  /** Where the deployment was recorded. */
  file: string;
}

/**
 * Parses ISSUERS: entries `address[:Role|Role…][@region]` (or `address:Role:region`), separated by
 * commas or spaces; roles default to all, the region to 0 (national).
 */
export function parseIssuers(text: string): IssuerGrant[] {
  return text
    .split(/[,\s]+/)
    .filter((entry) => entry !== "")
    .map((entry) => {
      const match = /^(0x[0-9a-fA-F]{40})(?::([A-Za-z|+*]+))?(?:[@:](\d+))?$/.exec(entry);
      if (match === null || !isAddress(match[1] ?? "")) {
        throw new Error(`ISSUERS: cannot read "${entry}" (want 0xADDRESS[:Role|Role][@region])`);
      }
      const roleText = match[2] ?? "*";
      const roles =
        roleText === "*"
          ? [...ROLE_NAMES]
          : roleText.split(/[|+]/).map((name) => {
              if (!(ROLE_NAMES as string[]).includes(name)) {
                throw new Error(`ISSUERS: unknown role "${name}" (${ROLE_NAMES.join(", ")})`);
              }
              return name as RoleName;
            });
      return { issuer: getAddress(match[1] as string), roles, region: Number(match[3] ?? 0) };
    });
}

function defaultNetwork(): string {
  return process.env.RPC_URL ? "rpc" : "localhost";
}

async function networkUrl(hre: HardhatRuntimeEnvironment, network: string): Promise<string> {
  const config = hre.config.networks[network];
  if (config === undefined) {
    const known = Object.keys(hre.config.networks).join(", ");
    throw new Error(`no network "${network}" in hardhat.config.ts (known: ${known})`);
  }
  if (config.type !== "http") {
    throw new Error(
      `network "${network}" is an in-process simulated chain that vanishes when the deploy ends: ` +
        "deploy to a node (npm start, or --network rpc with RPC_URL)",
    );
  }
  return config.url.get();
}

/** The first block of the deployment, from the Ignition journal's transaction receipts. */
function journalStartBlock(deploymentDir: string): number | undefined {
  const journal = join(deploymentDir, "journal.jsonl");
  if (!existsSync(journal)) return undefined;
  const blocks = readFileSync(journal, "utf8")
    .split("\n")
    .filter((line) => line.includes('"TRANSACTION_CONFIRM"'))
    .map(
      (line) => (JSON.parse(line) as { receipt?: { blockNumber?: number } }).receipt?.blockNumber,
    )
    .filter((n): n is number => typeof n === "number");
  return blocks.length > 0 ? Math.min(...blocks) : undefined;
}

/** A local journal whose contracts are not on this chain (the node was restarted): forget it. */
async function dropStaleJournal(deploymentDir: string, rpcUrl: string): Promise<void> {
  const addressesFile = join(deploymentDir, "deployed_addresses.json");
  if (!existsSync(deploymentDir)) return;
  let stale = true;
  if (existsSync(addressesFile)) {
    const addresses = Object.values(JSON.parse(readFileSync(addressesFile, "utf8"))) as string[];
    const first = addresses[0];
    stale =
      first === undefined || (await rpc<string>(rpcUrl, "eth_getCode", [first, "latest"])) === "0x";
  }
  if (stale) rmSync(deploymentDir, { recursive: true, force: true });
}

export async function deploy(options: DeployOptions = {}): Promise<DeployResult> {
  const log = options.log ?? ((message: string) => console.log(message));
  const network = options.network ?? defaultNetwork();
  const dataDir = options.dataDir ?? resolveDataDir();
  const hre = await createProjectHre();
  const rpcUrl = await networkUrl(hre, network);

  let chainId: number;
  try {
    chainId = await waitForRpc(rpcUrl, { timeoutMs: 10_000 });
  } catch {
    throw new Error(
      `cannot reach the chain of network "${network}" at ${rpcUrl}` +
        (network === "localhost" ? " (is `npm start` or `npx hardhat node` running?)" : ""),
    );
  }
  const hardhatNode = await isHardhatNode(rpcUrl);
  const local = chainId === LOCAL_CHAIN_ID && hardhatNode;

  if (local) {
    // The node's chain dies with the node: keep its journal with the rest of the local data.
    hre.config.paths.ignition = join(dataDir, "ignition");
    await dropStaleJournal(join(dataDir, "ignition", "deployments", `chain-${chainId}`), rpcUrl);
  }

  const networkConfig = hre.config.networks[network];
  const needsKey =
    options.nodeAccounts !== true &&
    (process.env.DEPLOYER_KEY !== undefined ||
      (!hardhatNode && networkConfig !== undefined && networkConfig.accounts === "remote"));
  const connection = await hre.network.connect({
    network,
    ...(needsKey ? { override: { accounts: [configVariable("DEPLOYER_KEY")] } } : {}),
  });
  try {
    if (options.compile ?? true) {
      await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    }
    const [wallet] = await connection.viem.getWalletClients();
    if (wallet === undefined) {
      throw new Error(
        `no deployer account on network "${network}": set DEPLOYER_KEY or store it with ` +
          "`npx hardhat keystore set DEPLOYER_KEY`",
      );
    }
    const deployer = wallet.account.address;
    const admin = options.admin ?? (process.env.ADMIN ? getAddress(process.env.ADMIN) : deployer);
    const confirmations = process.env.CONFIRMATIONS ? Number(process.env.CONFIRMATIONS) : undefined;
    const headBefore = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
    log(`deploying jangbu to ${network} (chain ${chainId}, ${rpcUrl}) from ${deployer}`);
    const rpId = process.env.PASSKEY_RP_ID || DEFAULT_PASSKEY_RP_ID;

    const contracts = await connection.ignition.deploy(JangbuModule, {
      parameters: {
        [JANGBU_MODULE_ID]: {
          admin,
          passkeyRpIdHash: rpIdHashOf(rpId),
          ...(process.env.ADMIN_TRANSFER_DELAY
            ? { adminTransferDelay: Number(process.env.ADMIN_TRANSFER_DELAY) }
            : {}),
        },
      },
      config: {
        ...(local ? { blockPollingInterval: 50 } : {}),
        ...(confirmations !== undefined ? { requiredConfirmations: confirmations } : {}),
      },
      displayUi: !local,
    });
    const deploymentDir = join(hre.config.paths.ignition, "deployments", `chain-${chainId}`);
    const startBlock = journalStartBlock(deploymentDir) ?? headBefore + 1;
    const addresses = {
      CredentialRegistry: getAddress(contracts.registry.address),
      JangbuForwarder: getAddress(contracts.forwarder.address),
      RicePurchase: getAddress(contracts.ricePurchase.address),
      TenderBoard: getAddress(contracts.tenderBoard.address),
      FarmGatePrices: getAddress(contracts.farmGatePrices.address),
      VarietyTesting: getAddress(contracts.varietyTesting.address),
    };
    const factory = getAddress(contracts.passkeyFactory.address);
    const implementation = await (await connection.viem.getPublicClient()).readContract({
      address: factory,
      abi: PasskeyAccountFactoryAbi,
      functionName: "implementation",
    });
    const deployment: Deployment = {
      chainId,
      addresses,
      startBlock,
      passkey: { factory, implementation: getAddress(implementation), rpId },
    };

    const grants =
      options.issuers ??
      (process.env.ISSUERS
        ? parseIssuers(process.env.ISSUERS)
        : local
          ? demoIssuerGrants(options.seed ?? process.env.SEED ?? DEFAULT_SEED)
          : []);
    await grantIssuers(connection.viem, addresses.CredentialRegistry, grants, log);
    if (grants.length === 0) {
      log("no ISSUERS given: only the admin can name issuers (CredentialRegistry.setIssuer)");
    }

    let file: string;
    if (local) {
      file = writeLocalDeployment(dataDir, deployment);
    } else {
      await writeDeployment(deployment);
      file = join(ROOT, "sdk/generated/deployments.ts");
    }
    log(`deployment recorded in ${relative(process.cwd(), file) || file}`);
    return { deployment, rpcUrl, local, deployer, file };
  } finally {
    await connection.close();
  }
}

type Viem = Awaited<ReturnType<HardhatRuntimeEnvironment["network"]["connect"]>>["viem"];

async function grantIssuers(
  viem: Viem,
  registryAddress: Address,
  grants: readonly IssuerGrant[],
  log: (message: string) => void,
): Promise<void> {
  const publicClient = await viem.getPublicClient();
  const [wallet] = await viem.getWalletClients();
  if (wallet === undefined) return;
  for (const { issuer, roles, region } of grants) {
    const granted: string[] = [];
    for (const role of roles) {
      const already = await publicClient.readContract({
        address: registryAddress,
        abi: CredentialRegistryAbi,
        functionName: "isIssuer",
        args: [issuer, Role[role], region],
      });
      if (already) continue;
      const hash = await wallet.writeContract({
        address: registryAddress,
        abi: CredentialRegistryAbi,
        functionName: "setIssuer",
        args: [issuer, Role[role], region, true],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== "success") throw new Error(`setIssuer(${issuer}, ${role}) reverted`);
      granted.push(role);
    }
    if (granted.length > 0) log(`issuer ${issuer}: ${granted.join(", ")} in region ${region}`);
  }
}

function argValue(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    const result = await deploy({ network: argValue(args, "--network") });
    console.log(JSON.stringify(result.deployment, null, 2));
  } catch (error) {
    console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
