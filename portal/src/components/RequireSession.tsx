import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { type Session, useSession } from "../chain/session.ts";
import { href } from "../lib/hooks.ts";

export function RequireSession({ children }: { children: (s: Session) => ReactNode }) {
  const { t } = useTranslation();
  const s = useSession();
  if (!s)
    return (
      <div className="alert warn">
        <p>{t("wallet.needSignIn")}</p>
        <a className="btn" href={href("/wallet")}>
          {t("nav.signIn")}
        </a>
      </div>
    );
  return <>{children(s)}</>;
}
