/**
 * `npm run seed`: writes the demo season of 전라남도 강진군 (46810), crop year 2026, to the chain
 * at RPC_URL (default http://127.0.0.1:RPC_PORT, RPC_PORT default 8545), for the deployment
 * recorded for that chain (DATA_DIR/deployment.json on the local chain, else the SDK's).
 *
 * Deterministic: SEED (default "jangbu-2026") fixes every key, name, allocation, grade and amount.
 * Actors need no ether: they sign ForwardRequests and a relayer pays (RELAYER_PRIVATE_KEY, or on a Hardhat
 * node its second default account). Where the node offers evm_setNextBlockTimestamp or
 * evm_increaseTime with evm_mine (Hardhat, anvil, Ganache, ...), the seed moves the chain's clock
 * forward to pass delivery windows and deadlines; where it offers none, the steps that need time
 * to pass are skipped with a note naming the missing methods. The off-chain roster (names, records, salts, demo keys) goes to
 * DATA_DIR/demo-roster.json, never on-chain.
 *
 *   npm run seed                      seed the chain
 *   npm run seed -- --no-time-travel  never move the clock (what a production chain gives)
 *   npm run seed -- --print-issuers   print the ISSUERS value a deploy needs for this seed
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "../lib/preflight.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Account, Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../../sdk/deployments.ts";
import { CredentialRegistryAbi } from "../../sdk/generated/abis.ts";
import { isDeployed, loadDeployment, resolveDataDir } from "../lib/deployment.ts";
import { isHardhatNode, rpc } from "../lib/net.ts";
import { type Cast, createCast, DEFAULT_SEED, demoIssuerGrants } from "./actors.ts";
import { Clock } from "./clock.ts";
import type { SeedContext } from "./context.ts";
import { issueCredentials } from "./credentials.ts";
import { Role } from "./enums.ts";
import { createRelay } from "./forward.ts";
import { type HolderFiles, writeHolderFiles } from "./holders.ts";
import { SeedRandom } from "./random.ts";
import { type RiceSummary, seedRice } from "./rice.ts";

export interface SeedOptions {
  rpcUrl: string;
  dataDir: string;
  seed?: string;
  /** Default: the deployment recorded for the chain. */
  deployment?: Deployment;
  /** Pays the gas; default RELAYER_PRIVATE_KEY, else (Hardhat node) its second account. */
  relayer?: Account | Address;
  /** Set false to seed as if the node's clock could not move (default: move it where possible). */
  timeTravel?: boolean;
  log?: (message: string) => void;
}

export interface SeedResult {
  /** The last block the seed wrote (the indexer is caught up once it has indexed it). */
  lastBlock: number;
  alreadySeeded: boolean;
  timeTravel: boolean;
  rice?: RiceSummary;
  tenders?: unknown;
  rosterFile: string;
  cast: Cast;
  skipped: string[];
  /** The holders' credential files and the ready demo presentation. */
  holders: HolderFiles;
}

export function defaultRpcUrl(): string {
  return process.env.RPC_URL || `http://127.0.0.1:${process.env.RPC_PORT ?? "8545"}`;
}

async function chooseRelayer(rpcUrl: string, hardhat: boolean): Promise<Account | Address> {
  const key = process.env.RELAYER_PRIVATE_KEY?.trim();
  if (key) return privateKeyToAccount((key.startsWith("0x") ? key : `0x${key}`) as Hex);
  if (hardhat) {
    const accounts = await rpc<Address[]>(rpcUrl, "eth_accounts");
    const relayer = accounts[1] ?? accounts[0];
    if (relayer !== undefined) return relayer;
  }
  throw new Error(
    "no relayer: set RELAYER_PRIVATE_KEY to the key of an account with ether to pay the gas",
  );
}

export async function seedDemo(options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? ((message: string) => console.log(message));
  const seed = options.seed ?? process.env.SEED ?? DEFAULT_SEED;
  const { rpcUrl, dataDir } = options;
  const chainId = Number(await rpc<string>(rpcUrl, "eth_chainId"));
  const deployment = options.deployment ?? loadDeployment(chainId, dataDir);
  if (deployment === undefined) {
    throw new Error(`no jangbu deployment recorded for chain ${chainId}: run npm run deploy first`);
  }
  const hardhat = await isHardhatNode(rpcUrl);
  const relay = createRelay({
    rpcUrl,
    chainId,
    forwarder: deployment.addresses.JangbuForwarder,
    relayer: options.relayer ?? (await chooseRelayer(rpcUrl, hardhat)),
  });
  const cast = createCast(seed);
  const rosterFile = join(dataDir, "demo-roster.json");
  const roster: Record<string, unknown> = {};
  const skipped: string[] = [];

  const registry = deployment.addresses.CredentialRegistry;
  const read = (functionName: "isIssuer" | "hasRole", args: readonly [Address, number, number]) =>
    relay.publicClient.readContract({
      address: registry,
      abi: CredentialRegistryAbi,
      functionName,
      args,
    });
  for (const grant of demoIssuerGrants(seed)) {
    for (const role of grant.roles) {
      if (!(await read("isIssuer", [grant.issuer, Role[role], grant.region]))) {
        throw new Error(
          `${grant.issuer} may not issue ${role} credentials on this registry: deploy with ` +
            `ISSUERS="${issuersFor(seed)}" (or have the admin call setIssuer)`,
        );
      }
    }
  }
  const mafra = cast.get("official-mafra");
  const alreadySeeded = await read("hasRole", [mafra.address, Role.Official, 0]);
  let result: Partial<SeedResult> = {};
  let timeTravel = false;
  if (alreadySeeded) {
    log(`demo season (seed "${seed}") is already on chain ${chainId}: nothing written`);
  } else {
    const clock = await Clock.create(rpcUrl, options.timeTravel !== false);
    timeTravel = clock.canTravel;
    if (!clock.canTravel) {
      log(
        `${clock.stillBecause}: the seed cannot move the chain's clock, so everything happens ` +
          "now and steps that need deadlines to pass are skipped",
      );
    }
    const ctx: SeedContext = {
      seed,
      cast,
      random: new SeedRandom(seed),
      relay,
      deployment,
      clock,
      log,
      roster,
    };
    const started = Date.now();
    await issueCredentials(ctx);
    const rice = await seedRice(ctx);
    let tenders: unknown;
    if (isDeployed(deployment.addresses.TenderBoard)) {
      const { seedTenders } = await import("./tenders.ts");
      tenders = await seedTenders(ctx, skipped);
    } else {
      skipped.push("tenders: TenderBoard is not deployed");
    }
    log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    result = { rice, tenders };
  }
  for (const note of skipped) log(`skipped ${note}`);

  const holders = await writeHolderFiles({
    dataDir,
    seed,
    chainId,
    registry,
    cast,
    client: relay.publicClient,
  });
  writeRoster(rosterFile, { seed, chainId, deployment, cast, roster, holders });
  const lastBlock = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
  return {
    lastBlock,
    alreadySeeded,
    timeTravel,
    rosterFile,
    cast,
    skipped,
    holders,
    ...result,
  };
}

/** The ISSUERS value under which `seed`'s demo officials may issue the demo credentials. */
export function issuersFor(seed: string): string {
  return demoIssuerGrants(seed)
    .map((g) => `${g.issuer}:${g.roles.join("|")}@${g.region}`)
    .join(",");
}

function writeRoster(
  file: string,
  {
    seed,
    chainId,
    deployment,
    cast,
    roster,
    holders,
  }: {
    seed: string;
    chainId: number;
    deployment: Deployment;
    cast: Cast;
    roster: Record<string, unknown>;
    holders: HolderFiles;
  },
): void {
  const persona = (p: ReturnType<Cast["get"]>) => ({
    id: p.id,
    role: p.role,
    region: p.region,
    name: p.name,
    organisation: p.organisation,
    title: p.title,
    address: p.address,
    record: p.record,
    claims: p.claims,
    claimsHash: p.claimsHash,
    credentialFile: holders.files[p.id] ?? null,
    // Demo only: derived from the public seed, so anyone can recompute it anyway.
    privateKey: p.privateKey,
  });
  const content = {
    note:
      "Demo roster: off-chain records of the demo cast. The chain holds only addresses and " +
      "claimsHash = the root of a Merkle tree of the record's salted fields (docs/credential-claims.md); " +
      "each holder's credential file is in credentialFile. Keys derive from the " +
      "public seed: never use them on a real chain.",
    seed,
    chainId,
    region: { code: 46810, name: "전라남도 강진군", province: { code: 46000, name: "전라남도" } },
    deployment,
    staff: Object.values(cast.staff).map(persona),
    farmers: cast.farmers.map(persona),
    demoPresentation: {
      file: holders.presentationFile,
      challenge: holders.challenge,
      holder: holders.presenter,
    },
    ...roster,
  };
  mkdirSync(resolve(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const seed = process.env.SEED ?? DEFAULT_SEED;
  if (args.includes("--print-issuers")) {
    console.log(issuersFor(seed));
  } else {
    try {
      const result = await seedDemo({
        rpcUrl: defaultRpcUrl(),
        dataDir: resolveDataDir(),
        seed,
        timeTravel: !args.includes("--no-time-travel"),
      });
      console.log(`demo roster: ${result.rosterFile}; last block ${result.lastBlock}`);
    } catch (error) {
      console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}
