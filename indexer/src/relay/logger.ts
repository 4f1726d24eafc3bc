/**
 * The logging the relay needs: the indexer's `Logger` (indexer/src/internal/logger.ts) fits it,
 * and so does `console`. Fields never carry the relayer's key.
 */
export type RelayLogger = {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};

export const silentRelayLogger: RelayLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
