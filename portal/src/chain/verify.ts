/**
 * "체인과 직접 대조" lives in ./rebuild.ts (the record rebuilt from its logs by the SDK reducers,
 * loaded on demand) and ./audit-node.ts (which node, and its problems in Korean).
 */
// Pages that only need the clock import it from here; it lives apart so they load no viem.
export { chainNow } from "./clock.ts";
