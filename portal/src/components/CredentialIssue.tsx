/**
 * Issuing a field-by-field credential (docs/credential-claims.md): the record's fields as inputs,
 * and, once the chain has the root, the holder's file to hand over (download or QR codes). The
 * fields and their salts never leave this device except in that file.
 */
import { useTranslation } from "react-i18next";
import { decodeEventLog } from "viem";
import { CLAIM_FIELDS, type ClaimField } from "../../../sdk/claims.ts";
import { RoleNames } from "../../../sdk/generated/enums.ts";
import { type CredentialFile, credentialFile } from "../../../sdk/presentation.ts";
import { CredentialRegistryAbi } from "../chain/abis.ts";
import type { LiteReceipt } from "../chain/rpc-lite.ts";
import { QrSequence } from "./QrSequence.tsx";
import { Field, Section } from "./ui.tsx";

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

/** The holder's file, from the issuing transaction's CredentialIssued log (null: none found). */
export function credentialFromReceipt(
  receipt: LiteReceipt,
  fields: readonly ClaimField[],
  chainId: number,
): CredentialFile | null {
  for (const log of receipt.logs) {
    try {
      const d = decodeEventLog({
        abi: CredentialRegistryAbi,
        eventName: "CredentialIssued",
        topics: log.topics,
        data: log.data,
      });
      return credentialFile({
        chainId,
        registry: log.address,
        credentialId: d.args.id.toString(),
        subject: d.args.subject,
        role: RoleNames[d.args.role] ?? "Farmer",
        region: d.args.region,
        issuer: d.args.issuer,
        fields,
      });
    } catch {
      /* another event */
    }
  }
  return null;
}

export function CredentialHandover({
  file,
  onClose,
}: {
  file: CredentialFile | "missing";
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Section
      title={t("credential.issue.handoverTitle")}
      actions={
        <button type="button" className="btn small secondary" onClick={onClose}>
          {t("app.close")}
        </button>
      }
    >
      {file === "missing" ? (
        <p className="alert danger">{t("credential.issue.handoverNoId")}</p>
      ) : (
        <>
          <p className="alert warn">{t("credential.issue.handoverHelp")}</p>
          <QrSequence
            text={JSON.stringify(file)}
            fileName={`credential-${file.subject.slice(2, 10)}-${file.credentialId.slice(-6)}.json`}
            testId="holder-file"
          />
        </>
      )}
    </Section>
  );
}
