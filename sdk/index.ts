/** The jangbu SDK: contract ABIs and deployed addresses, for Node and the browser alike. */
export * from "./deployments.ts";
export * from "./generated/abis.ts";
export * from "./generated/enums.ts";
export * from "./forwarder.ts";
