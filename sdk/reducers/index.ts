/**
 * One set of rules: a pure reducer per record kind folding that record's decoded events, in
 * chain order, into its state. Used by `npm run verify` and the browser's verifier.
 */
export * from "./credential.ts";
export * from "./event.ts";
export * from "./programme.ts";
export * from "./sale.ts";
export * from "./tender.ts";
export * from "./view.ts";
