/**
 * One set of rules: a pure reducer per record kind folding that record's decoded events, in
 * chain order, into its state. Used by `npm run verify`, the browser's verifier and the indexer's
 * projections (indexer/src/store/records.ts steps them one event at a time from the stored row).
 */
export * from "./credential.ts";
export * from "./event.ts";
export * from "./programme.ts";
export * from "./sale.ts";
export * from "./tender.ts";
export * from "./view.ts";
