import { useTranslation } from "react-i18next";
import { decodeEventLog } from "viem";
import { getConfig } from "../api/client.ts";
import { ALL_ABI } from "../chain/abis.ts";
import { publicClient } from "../chain/verify.ts";
import { Async, CopyButton, DL, Hex, Section } from "../components/ui.tsx";
import { dateTime, num } from "../lib/format.ts";
import { useAsync } from "../lib/hooks.ts";

/** A transaction straight from the RPC, every log decoded with the SDK ABIs (Otterscan-like). */
export default function TxPage({ hash }: { hash: string }) {
  const { t } = useTranslation();
  const state = useAsync(async () => {
    const cfg = await getConfig();
    const c = publicClient(cfg.rpcUrl);
    const receipt = await c.getTransactionReceipt({ hash: hash as `0x${string}` });
    const [block, head] = await Promise.all([
      c.getBlock({ blockNumber: receipt.blockNumber }),
      c.getBlockNumber(),
    ]);
    const names = Object.fromEntries(
      Object.entries(cfg.contracts).map(([k, v]) => [v.toLowerCase(), k]),
    );
    const logs = receipt.logs.map((l) => {
      try {
        const d = decodeEventLog({ abi: ALL_ABI, data: l.data, topics: l.topics, strict: false });
        return {
          index: l.logIndex,
          contract: names[l.address.toLowerCase()] ?? l.address,
          event: d.eventName,
          args: d.args,
        };
      } catch {
        return {
          index: l.logIndex,
          contract: names[l.address.toLowerCase()] ?? l.address,
          event: "?",
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
                ["from (relayer)", <Hex key="f" value={receipt.from} />],
                [t("fields.state"), receipt.status],
              ]}
            />
            <h3>{t("record.event")}</h3>
            <ol>
              {logs.map((l) => (
                <li key={l.index}>
                  <strong>{l.event}</strong> ({l.contract}, #{l.index})
                  <pre style={{ whiteSpace: "pre-wrap" }}>
                    {JSON.stringify(
                      l.args,
                      (_k, v) => (typeof v === "bigint" ? v.toString() : v),
                      2,
                    )}
                  </pre>
                </li>
              ))}
            </ol>
          </Section>
        )}
      </Async>
    </>
  );
}
