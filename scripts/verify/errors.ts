/** A problem with what `npm run verify` was given (node, API, deployment): one line, exit 2. */
export class VerifyInputError extends Error {
  override name = "VerifyInputError";
}

/** The message of anything thrown, on one line. */
export const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
