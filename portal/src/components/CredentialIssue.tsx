/**
 * Issuing a field-by-field credential (docs/credential-claims.md): the record's fields as inputs.
 * The holder's file is handed over by ./CredentialHandover.tsx (loaded once a credential is issued).
 */
import { useTranslation } from "react-i18next";
import { CLAIM_FIELDS } from "../../../sdk/claims.ts";
import { RoleNames } from "../../../sdk/generated/enums.ts";
import { Field } from "./ui.tsx";

/** The field names offered for a role (sdk CLAIM_FIELDS). */
export const claimFieldsOf = (role: number): readonly string[] =>
  CLAIM_FIELDS[RoleNames[role] ?? "Farmer"] ?? [];

export function ClaimFieldsInput({
  role,
  value,
  onChange,
  error,
}: {
  role: number;
  value: Readonly<Record<string, string>>;
  onChange: (v: Record<string, string>) => void;
  error?: string | null;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="claim-fields">
      <legend>{t("credential.issue.fields")}</legend>
      {claimFieldsOf(role).map((name) => (
        <Field key={name} label={t(`credential.fieldNames.${name}`)}>
          {(p) => (
            <input
              {...p}
              data-claim={name}
              value={value[name] ?? ""}
              onChange={(e) => onChange({ ...value, [name]: e.target.value })}
              autoComplete="off"
            />
          )}
        </Field>
      ))}
      {error && <p className="error-text">{error}</p>}
    </fieldset>
  );
}
