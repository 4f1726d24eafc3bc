/** A small levelled logger writing one line per record to stderr (stdout carries the ready line). */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines carry `name` (e.g. "sync", "api"). */
  child(name: string): Logger;
};

export type CreateLoggerParameters = {
  level?: LogLevel;
  name?: string;
  /** Where lines go; defaults to stderr. */
  write?: (line: string) => void;
};

export const createLogger = ({
  level = "info",
  name,
  write = (line) => process.stderr.write(`${line}\n`),
}: CreateLoggerParameters = {}): Logger => {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return;
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v, bigintReplacer)}`)
          .join(" ")
      : "";
    write(
      `${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} ${name ? `[${name}] ` : ""}${message}${extra ? ` ${extra}` : ""}`,
    );
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (child) => createLogger({ level, name: name ? `${name}.${child}` : child, write }),
  };
};

const bigintReplacer = (_key: string, value: unknown) =>
  typeof value === "bigint" ? value.toString() : value;

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger({ level: "silent" });
