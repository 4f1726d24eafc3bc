import { keccak256, stringToBytes, toHex } from "viem";

/**
 * Off-chain documents (검사증명서, 이체확인, 입찰서…): the portal writes them as small UTF-8 text
 * files and commits keccak256(file bytes) on chain, so the document check can match the file later.
 */
export function makeDocument(
  title: string,
  fields: Record<string, string | number>,
): { text: string; hash: `0x${string}` } {
  const text = `${title}\n${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n")}\n`;
  return { text, hash: keccak256(toHex(stringToBytes(text))) };
}

export function textHash(s: string): `0x${string}` {
  return keccak256(toHex(stringToBytes(s)));
}

export function download(name: string, text: string, type = "text/plain;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
