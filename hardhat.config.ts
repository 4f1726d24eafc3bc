import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

/**
 * The one compiler version of the project. `package.json` pins the npm `solc` package to exactly
 * this version (`scripts/check-solc.ts`, run by `npm test`, fails when they differ: Hardhat does
 * not compare them and would happily label soljson 0.8.31 output as 0.8.30).
 */
export const SOLC_VERSION = "0.8.30";

const require = createRequire(import.meta.url);

/** A fixed fuzz seed keeps CI reproducible; `npm run test:deep` switches to the deep profile. */
const FUZZ_SEED = "0x6a616e676275"; // "jangbu"

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    version: SOLC_VERSION,
    // solc-js from node_modules: nothing is ever downloaded.
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
      viaIR: true,
    },
  },
  paths: {
    tests: { solidity: "./contracts/test" },
  },
  test: {
    solidity: {
      profiles: {
        default: {
          fuzz: { runs: 256, seed: FUZZ_SEED },
          invariant: { runs: 48, depth: 24, failOnRevert: false },
        },
        deep: {
          fuzz: { runs: 5_000, seed: FUZZ_SEED },
          invariant: { runs: 500, depth: 64, failOnRevert: false },
        },
      },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: `http://127.0.0.1:${process.env.RPC_PORT ?? "8545"}`,
    },
    rpc: {
      type: "http",
      chainType: "l1",
      url: process.env.RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
