/**
 * The account address field of both passkey-recovery screens: the holder's own (making a new
 * passkey, RecoveryKeyMaker) and the official's (starting a recovery, PasskeyRecovery).
 */
import { useTranslation } from "react-i18next";
import { Field } from "./ui.tsx";

export function RecoveryAccountField({
  value,
  onChange,
  error,
  hint,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | null;
  hint?: string;
}) {
  const { t } = useTranslation();
  return (
    <Field label={t("passkeys.account")} {...(hint !== undefined ? { hint } : {})} error={error}>
      {(p) => (
        <input
          {...p}
          data-recovery-account
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
