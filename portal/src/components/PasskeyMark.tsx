/**
 * "패스키 계정" beside an address whose code on the chain is a passkey account of this deployment
 * (sdk/passkey.ts): the records it acted on were signed by a passkey. Read from the chain, so
 * neither the API nor this server can claim it falsely.
 */
import { useTranslation } from "react-i18next";
import type { Address } from "viem";
import { isPasskeyAccountCode } from "../../../sdk/passkey.ts";
import { getConfig } from "../api/client.ts";
import { getCode } from "../chain/rpc-lite.ts";
import { useAsync } from "../lib/hooks.ts";

/**
 * The same mark from the API's `passkeyAccount` field, for list rows: a chain read per row would
 * cost a request per row, and a list is a view, not the proof (the record page reads the chain).
 */
export function PasskeyFlag({ marked }: { marked: unknown }) {
  const { t } = useTranslation();
  if (marked !== true) return null;
  return (
    <span className="demo-tag" data-passkey-flag title={t("record.passkeyAccountHelp")}>
      {t("record.passkeyAccount")}
    </span>
  );
}

export function PasskeyMark({ address }: { address: string }) {
  const { t } = useTranslation();
  const state = useAsync(async () => {
    const config = await getConfig();
    const implementation = config.passkey?.implementation;
    if (implementation === undefined) return false;
    return isPasskeyAccountCode(await getCode(config.rpcUrl, address as Address), implementation);
  }, [address]);
  if (state.data !== true) return null;
  return (
    <span className="demo-tag" data-passkey-account title={t("record.passkeyAccountHelp")}>
      {t("record.passkeyAccount")}
    </span>
  );
}
