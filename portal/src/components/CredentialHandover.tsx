/**
 * After issuing (docs/credential-claims.md §6): the holder's file — id, fields, salts — from the
 * issuing transaction's log, as a download, text and QR codes. The fields and their salts never
 * leave this device except in that file.
 */
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { decodeEventLog } from "viem";
import type { ClaimField } from "../../../sdk/claims.ts";
import { RoleNames } from "../../../sdk/generated/enums.ts";
import { type CredentialFile, credentialFile } from "../../../sdk/presentation.ts";
import { CredentialRegistryAbi } from "../chain/abis.ts";
import type { LiteReceipt } from "../chain/rpc-lite.ts";
import { QrSequence } from "./QrSequence.tsx";
import { Section } from "./ui.tsx";

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

/** The holder's file of the credential `receipt` issued, to download or scan (shown once). */
export default function CredentialHandover({
  receipt,
  fields,
  chainId,
  onClose,
}: {
  receipt: LiteReceipt;
  fields: readonly ClaimField[];
  chainId: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const file: CredentialFile | "missing" = useMemo(
    () => credentialFromReceipt(receipt, fields, chainId) ?? "missing",
    [receipt, fields, chainId],
  );
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
            fileName={`자격증명-${file.subject.slice(2, 10)}-${file.credentialId.slice(-6)}.json`}
            testId="holder-file"
          />
        </>
      )}
    </Section>
  );
}
