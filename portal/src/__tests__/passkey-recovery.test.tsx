import { act, fireEvent, render, screen } from "@testing-library/react";
import { encodeAbiParameters } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";

const ACCOUNT = "0x590CE8602CC3964e547763e0F7B7069C77b51aE1";
const OLD = { qx: `0x${"11".repeat(32)}`, qy: `0x${"22".repeat(32)}` } as const;
const NEW = { qx: `0x${"33".repeat(32)}`, qy: `0x${"44".repeat(32)}` } as const;
const READY_AT = 1_800_000_000;
let chainNow = READY_AT - 86_400;

vi.mock("../api/client.ts", async (real) => ({
  ...(await real<typeof import("../api/client.ts")>()),
  getConfig: async () => ({
    chainId: 31337,
    rpcUrl: "http://chain.test",
    rpcSource: "server",
    contracts: {},
    demo: false,
  }),
}));
// The account on the chain: deployed, with a recovery to NEW pending until READY_AT.
vi.mock("../chain/rpc-lite.ts", async (real) => ({
  ...(await real<typeof import("../chain/rpc-lite.ts")>()),
  getCode: async () => "0x363d3d37",
  getBlock: async () => ({ number: 1n, timestamp: BigInt(chainNow) }),
  ethCall: async () =>
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "uint64" }],
      [NEW.qx, NEW.qy, BigInt(READY_AT)],
    ),
}));
const signed: { functionName: string; contract: string; args: readonly unknown[] }[] = [];
vi.mock("../components/sign-store.ts", () => ({
  requestSignature: async (action: (typeof signed)[number]) => {
    signed.push(action);
    return { txHash: `0x${"cd".repeat(32)}`, receipt: {} };
  },
}));

import { parsePasskeyKeyText, passkeyKeyText } from "../chain/passkey.ts";
import { setSession } from "../chain/session.ts";
import { HolderPasskeys } from "../components/PasskeyRecovery.tsx";

describe("passkey recovery", () => {
  afterEach(() => {
    setSession(null);
    signed.length = 0;
  });

  it("reads back the key text a new phone shows, however it was pasted, and nothing else", () => {
    const text = passkeyKeyText(NEW);
    expect(parsePasskeyKeyText(text)).toEqual(NEW);
    expect(parsePasskeyKeyText(` ${text.slice(0, 40)}\n${text.slice(40)} `)).toEqual(NEW);
    expect(parsePasskeyKeyText(text.slice(0, -2))).toBeNull();
    expect(parsePasskeyKeyText(ACCOUNT)).toBeNull();
  });

  it("shows the holder's old passkey the pending recovery, when it becomes final, and lets it object", async () => {
    chainNow = READY_AT - 86_400;
    setSession({ kind: "passkey", address: ACCOUNT, passkey: { credentialId: "AA", ...OLD } });
    render(<HolderPasskeys />);
    const pending = await screen.findByText(/복구를 시작했습니다/);
    expect(pending.textContent).toMatch(/확정됩니다/);
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "이의 제기" }));
    });
    expect(signed).toEqual([
      expect.objectContaining({ contract: "PasskeyAccount", functionName: "cancelRecovery" }),
    ]);
  });

  it("offers no objection on the new phone's passkey, nor once the delay is over", async () => {
    chainNow = READY_AT - 86_400;
    setSession({ kind: "passkey", address: ACCOUNT, passkey: { credentialId: "BB", ...NEW } });
    const { unmount } = render(<HolderPasskeys />);
    expect(await screen.findByText(/이 패스키로 계정을 옮기는 복구/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "이의 제기" })).toBeNull();
    unmount();
    chainNow = READY_AT + 1;
    setSession({ kind: "passkey", address: ACCOUNT, passkey: { credentialId: "AA", ...OLD } });
    render(<HolderPasskeys />);
    expect(await screen.findByText(/기다리는 기간이 끝났습니다/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "이의 제기" })).toBeNull();
  });
});
