/**
 * A Hardhat runtime environment for the project's scripts, built from hardhat.config.ts with a few
 * paths moved: local-chain Ignition journals go to DATA_DIR instead of ignition/deployments/ (a
 * Hardhat node forgets its chain on exit, so its journal must be forgotten with it).
 */
import { fileURLToPath } from "node:url";
import {
  createHardhatRuntimeEnvironment,
  importUserConfig,
  resolveHardhatConfigPath,
} from "hardhat/hre";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface HreOptions {
  /** Folder holding `deployments/<id>/` Ignition journals (default: the project's ignition/). */
  ignitionDir?: string;
}

export async function createProjectHre(
  options: HreOptions = {},
): Promise<HardhatRuntimeEnvironment> {
  const configPath = await resolveHardhatConfigPath(`${ROOT}hardhat.config.ts`);
  const userConfig = await importUserConfig(configPath);
  const paths = { ...userConfig.paths };
  if (options.ignitionDir !== undefined) paths.ignition = options.ignitionDir;
  return createHardhatRuntimeEnvironment({ ...userConfig, paths }, { config: configPath }, ROOT);
}
