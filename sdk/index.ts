/** The jangbu SDK: contract ABIs and deployed addresses, for Node and the browser alike. */

export * from "./actions.ts";
export * from "./allocation.ts";
export * from "./claims.ts";
export * from "./deployments.ts";
export * from "./estimate.ts";
export * from "./forwarder.ts";
export * from "./generated/abis.ts";
export * from "./generated/enums.ts";
export * from "./households.ts";
export * from "./presentation.ts";
export * from "./references.ts";
export * from "./settlement.ts";
export * from "./variety.ts";
