import { type ReactNode, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";
import { shortHex } from "../lib/format.ts";
import { href } from "../lib/hooks.ts";
import { roleLabel } from "../lib/labels.ts";
import { REGIONS, refName } from "../lib/reference.ts";

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="status-msg" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {t("app.loading")}
    </p>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return <p className="status-msg empty">{children ?? t("app.empty")}</p>;
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  const { t, i18n } = useTranslation();
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div className="alert danger" role="alert">
      <p>
        {notFound
          ? t("app.notFound")
          : error instanceof ApiError && error.code === "network"
            ? t("errors.network")
            : t("app.apiError", {
                // The API's messages are English: on the Korean screen, only its status code.
                message:
                  /[가-힣]/.test(error.message) || i18n.language.startsWith("en")
                    ? error.message
                    : t("app.statusCode", {
                        status: error instanceof ApiError ? error.status : "—",
                      }),
              })}
      </p>
      {retry && !notFound && (
        <button type="button" className="btn secondary" onClick={retry}>
          {t("app.retry")}
        </button>
      )}
    </div>
  );
}

export function Async<T>({
  state,
  children,
  empty,
}: {
  state: { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void };
  children: (data: T) => ReactNode;
  empty?: (data: T) => boolean;
}) {
  if (state.error && state.data === undefined)
    return <ErrorBox error={state.error} retry={state.reload} />;
  if (state.data === undefined) return <Loading />;
  if (empty?.(state.data)) return <Empty />;
  return <>{children(state.data)}</>;
}

export function CopyButton({ value, label }: { value: string; label?: string }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="btn small secondary"
      aria-label={`${t("app.copy")}${label ? `: ${label}` : ""}`}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        });
      }}
    >
      {done ? t("app.copied") : t("app.copy")}
    </button>
  );
}

/** A 0x… value: shortened on screen, full text for screen readers and copying. */
export function Hex({
  value,
  to,
  copy = false,
}: {
  value: string | null | undefined;
  to?: string;
  copy?: boolean;
}) {
  if (!value) return <>—</>;
  const inner = (
    <code className="hex" title={value}>
      <span aria-hidden="true">{shortHex(value)}</span>
      <span className="sr-only">{value}</span>
    </code>
  );
  return (
    <span className="hex-wrap">
      {to ? <a href={href(to)}>{inner}</a> : inner}
      {copy && <CopyButton value={value} />}
    </span>
  );
}

/** An address with the role and region it acts in here: "0x1234ab…cdef12 · 농가 · 전라남도 강진군". */
export function Who({
  address,
  holderRole,
  region,
  to,
  copy = false,
}: {
  address: string | null | undefined;
  /** The credential role to name beside the address (not an ARIA role). */
  holderRole: string;
  region?: number | null;
  to?: string;
  copy?: boolean;
}) {
  const { t, i18n } = useTranslation();
  if (!address) return <>—</>;
  return (
    <span>
      <Hex value={address} to={to ?? `/account/${address}`} copy={copy} />{" "}
      <span className="muted" data-testid="who">
        {roleLabel(t, holderRole)}
        {region !== undefined && region !== null
          ? ` · ${refName(REGIONS, region, i18n.language)}`
          : ""}
      </span>
    </span>
  );
}

export function Field({
  label,
  hint,
  error,
  children,
  required,
}: {
  label: string;
  hint?: string;
  error?: string | null;
  required?: boolean;
  children: (props: {
    id: string;
    "aria-describedby"?: string;
    "aria-invalid"?: boolean;
    required?: boolean;
  }) => ReactNode;
}) {
  const id = useId();
  const { t } = useTranslation();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="req"> ({t("app.required")})</span>}
      </label>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({
        id,
        "aria-describedby": describedBy,
        "aria-invalid": error ? true : undefined,
        required,
      })}
      {error && (
        <p className="error-text" id={errId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function DL({ rows }: { rows: [ReactNode, ReactNode][] }) {
  return (
    <dl className="dl">
      {rows.map(([k, v], i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static rows
        <div key={i}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Badge({
  tone,
  children,
}: {
  tone?: "ok" | "warn" | "danger" | "info";
  children: ReactNode;
}) {
  return <span className={`badge ${tone ?? "info"}`}>{children}</span>;
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
