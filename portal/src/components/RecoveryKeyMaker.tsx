/**
 * On a new phone (issue 23, recovery): a passkey made for the holder's existing account, whose
 * public key her county's official pastes to start moving the account to it. Its own module so
 * the signed-out wallet page does not load the recovery screens' account ABI (PasskeyRecovery.tsx).
 */
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { getAddress, isAddress } from "viem";
import {
  createPasskey,
  PasskeyError,
  passkeyKeyText,
  rememberPasskey,
  signInWithPasskey,
} from "../chain/passkey.ts";
import type { PasskeyLogin } from "../chain/session.ts";
import { RecoveryAccountField } from "./RecoveryAccountField.tsx";
import { Loading } from "./ui.tsx";

const QrCode = lazy(() => import("./QrCode.tsx"));

export function RecoveryKeyMaker() {
  const { t } = useTranslation();
  const [account, setAccount] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const [made, setMade] = useState<PasskeyLogin | null>(null);
  const make = async () => {
    if (!isAddress(account.trim())) return setErr(t("passkeys.errAccount"));
    setErr(null);
    try {
      const login = { ...(await createPasskey()), account: getAddress(account.trim()) };
      rememberPasskey(login);
      setMade(login);
    } catch (e) {
      setErr(e instanceof PasskeyError ? t(e.reason) : t("wallet.passkeyCancelled"));
    }
  };
  return (
    <details>
      <summary>{t("passkeys.lostPhone")}</summary>
      <p>{t("passkeys.lostPhoneIntro")}</p>
      {made ? (
        <>
          <p>{t("passkeys.showOfficial")}</p>
          <p>
            <code data-recovery-key style={{ wordBreak: "break-all" }}>
              {passkeyKeyText(made)}
            </code>
          </p>
          <div style={{ width: 220, height: 220 }}>
            <Suspense fallback={<Loading />}>
              <QrCode value={passkeyKeyText(made)} label={t("passkeys.keyText")} />
            </Suspense>
          </div>
          <button
            type="button"
            className="btn"
            data-recovery-signin
            onClick={() => void signInWithPasskey(made)}
          >
            {t("passkeys.signInNew")}
          </button>
        </>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void make();
          }}
        >
          <RecoveryAccountField
            value={account}
            onChange={setAccount}
            error={err}
            hint={t("passkeys.accountHint")}
          />
          <button type="submit" className="btn secondary" data-recovery-create>
            {t("passkeys.makeNew")}
          </button>
        </form>
      )}
    </details>
  );
}
