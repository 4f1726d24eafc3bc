import { useTranslation } from "react-i18next";
import { decodeEventLog, type Hex as HexString } from "viem";
import { getConfig } from "../api/client.ts";
import { ALL_ABI } from "../chain/abis.ts";
import { getBlock, getBlockNumber, getReceipt } from "../chain/rpc-lite.ts";
import { Async, CopyButton, DL, Hex, Section } from "../components/ui.tsx";
import { dateTime, num } from "../lib/format.ts";
import { useAsync } from "../lib/hooks.ts";
import { eventLabel } from "../lib/labels.ts";
import { TxAudit } from "./verify-panels.tsx";

/** A transaction straight from the RPC, every log decoded with the SDK ABIs (Otterscan-like). */
export default function TxPage({ hash }: { hash: string }) {
  const { t } = useTranslation();
  const state = useAsync(async () => {
    const cfg = await getConfig();
    const receipt = await getReceipt(cfg.rpcUrl, hash as HexString);
    if (!receipt) throw new Error(t("app.notFound"));
    const [block, head] = await Promise.all([
      getBlock(cfg.rpcUrl, receipt.blockNumber),
      getBlockNumber(cfg.rpcUrl),
    ]);
    const names = Object.fromEntries(
      Object.entries(cfg.contracts).map(([k, v]) => [v.toLowerCase(), k]),
    );
    const logs = receipt.logs.map((l) => {
      const contract = names[l.address.toLowerCase()];
      try {
        const d = decodeEventLog({ abi: ALL_ABI, data: l.data, topics: l.topics, strict: false });
        return {
          index: l.logIndex,
          contract,
          address: l.address,
          event: d.eventName,
          args: d.args,
        };
      } catch {
        return {
          index: l.logIndex,
          contract,
          address: l.address,
          event: "",
          args: { data: l.data },
        };
      }
    });
    return { receipt, block, head, logs };
  }, [hash]);
  return (
    <>
      <h1>{t("record.txHash")}</h1>
      <Async state={state}>
        {({ receipt, block, head, logs }) => (
          <Section title={t("record.provenance")}>
            <DL
              rows={[
                [
                  t("record.txHash"),
                  <span key="h" className="hex-wrap">
                    <code className="hex" style={{ wordBreak: "break-all" }}>
                      {hash}
                    </code>
                    <CopyButton value={hash} />
                  </span>,
                ],
                [t("record.block"), num(receipt.blockNumber)],
                [t("record.confirmations"), num(head - receipt.blockNumber + 1n)],
                [t("fields.time"), dateTime(Number(block.timestamp))],
                [t("ux.tx.relayer"), <Hex key="f" value={receipt.from} />],
                [t("fields.state"), t(`ux.tx.${receipt.status}`)],
              ]}
            />
            <h3>{t("ux.tx.logs")}</h3>
            <ol>
              {logs.map((l) => (
                <li key={l.index}>
                  <strong>{eventLabel(t, l.event)}</strong> (
                  {l.contract ? t(`ux.contracts.${l.contract}`) : <Hex value={l.address} />}, #
                  {l.index})
                  <details>
                    <summary>{t("ux.tx.raw")}</summary>
                    <pre style={{ whiteSpace: "pre-wrap" }}>
                      {JSON.stringify(
                        l.args,
                        (_k, v) => (typeof v === "bigint" ? v.toString() : v),
                        2,
                      )}
                    </pre>
                  </details>
                </li>
              ))}
            </ol>
            <h3>{t("record.verify")}</h3>
            <TxAudit
              hash={hash}
              blockNumber={receipt.blockNumber}
              status={receipt.status}
              logs={logs.map((l) => ({ ...l, event: l.event ?? "" }))}
            />
          </Section>
        )}
      </Async>
    </>
  );
}
