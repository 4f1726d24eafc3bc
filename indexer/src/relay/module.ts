/**
 * The relay as a route module of the indexer's app (indexer/src/api/deps.ts `RouteModule`): it
 * is built when the app registers it, from the app's chain id and addresses, and serves
 * `POST /api/v1/relay` and `GET /api/v1/relay/{id}` on the same port as the API. Its status is
 * the `relay` section of `/api/v1/status`.
 *
 * Keys: RELAYER_PRIVATE_KEY, or RELAYER_KEYSTORE + RELAYER_KEYSTORE_PASSWORD; on the local
 * Hardhat chain without either, Hardhat's funded development account #9 (./account.ts). With no
 * key elsewhere the routes answer 503 RELAY_DISABLED.
 *
 * Passkey accounts (`POST /api/v1/relay/passkey`): PASSKEY_FACTORY_ADDRESS,
 * PASSKEY_IMPLEMENTATION_ADDRESS and PASSKEY_RP_ID (default "localhost"), else the SDK's deployment.
 */
import {
  type Address,
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  type PublicClient,
  zeroAddress,
} from "viem";
import { findDeployment, type PasskeyDeployment } from "../../../sdk/deployments.ts";
import type { App, AppDeps, RouteModule } from "../api/deps.ts";
import type { Logger } from "../internal/logger.ts";
import { relayerAccountFromEnv } from "./account.ts";
import { type RelayConfig, relayConfigFromEnv } from "./config.ts";
import { createChainCredentialCheck, createStoreCredentialCheck } from "./credentials.ts";
import { createRelay, type Relay, type RelayStatus } from "./index.ts";

/** The passkey factory from the environment (set by `npm start`), else from the SDK's deployment. */
export function passkeyDeploymentOf(
  env: NodeJS.ProcessEnv,
  chainId: number,
): { passkey?: PasskeyDeployment } {
  const factory = env.PASSKEY_FACTORY_ADDRESS;
  const implementation = env.PASSKEY_IMPLEMENTATION_ADDRESS;
  if (factory && implementation) {
    return {
      passkey: {
        factory: getAddress(factory),
        implementation: getAddress(implementation),
        rpId: env.PASSKEY_RP_ID || "localhost",
      },
    };
  }
  const fromSdk = findDeployment(chainId)?.passkey;
  return fromSdk ? { passkey: fromSdk } : {};
}

export type RelayModule = RouteModule & {
  /** The relay, once registered. */
  relay(): Relay | undefined;
  status(): RelayStatus | undefined;
  close(): Promise<void>;
};

export type CreateRelayModuleParameters = {
  rpcUrl: string;
  /** The process environment: RELAY_* settings and the relayer key. */
  env: NodeJS.ProcessEnv;
  /** First block of the deployment (credential and replay look-ups start there); default the SDK's. */
  startBlock?: number | undefined;
  logger: Logger;
};

/**
 * Reads and checks the relay's settings and key now (a bad value throws, naming the variable),
 * and returns the module to pass to `createIndexer({ modules })`.
 */
export function createRelayModule({
  rpcUrl,
  env,
  startBlock,
  logger,
}: CreateRelayModuleParameters): RelayModule {
  const config: RelayConfig = relayConfigFromEnv(env);
  let relay: Relay | undefined;
  return {
    name: "relay",
    register(app: App, deps: AppDeps) {
      const transport = http(rpcUrl, { retryCount: 2, timeout: 10_000 });
      const publicClient = createPublicClient({ transport }) as PublicClient;
      const relayer = relayerAccountFromEnv(env, { chainId: deps.chainId });
      const walletClient = relayer
        ? createWalletClient({ account: relayer.account, transport })
        : undefined;
      const address = (value: Address | undefined) => (value ? getAddress(value) : zeroAddress);
      const fromBlock = startBlock ?? findDeployment(deps.chainId)?.startBlock ?? 0;
      const deployment = {
        chainId: deps.chainId,
        startBlock: fromBlock,
        ...passkeyDeploymentOf(env, deps.chainId),
        addresses: {
          JangbuForwarder: address(deps.addresses.JangbuForwarder),
          CredentialRegistry: address(deps.addresses.CredentialRegistry),
          RicePurchase: address(deps.addresses.RicePurchase),
          TenderBoard: address(deps.addresses.TenderBoard),
          FarmGatePrices: address(deps.addresses.FarmGatePrices),
          VarietyTesting: address(deps.addresses.VarietyTesting),
        },
      };
      const chainCheck = createChainCredentialCheck({
        publicClient,
        registry: deployment.addresses.CredentialRegistry,
        fromBlock: BigInt(fromBlock),
        cacheMs: config.credentialCacheMs,
      });
      relay = createRelay({
        publicClient,
        walletClient,
        deployment,
        config,
        credentialCheck: createStoreCredentialCheck({
          query: (text, params) => deps.db.query(text, params),
          fallback: chainCheck,
        }),
        logger,
      });
      app.route("/api/v1", relay.routes);
      if (relayer)
        logger.info("relayer account", {
          address: relayer.account.address,
          source: relayer.source,
        });
      relay.ready().catch((error: unknown) => {
        logger.error("the relay is not available", {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    },
    relay: () => relay,
    status: () => relay?.status(),
    close: async () => {
      await relay?.close();
    },
  };
}
