import { Wallet } from "ethers";
import { encodeErrorResult } from "viem";
import { describe, expect, it } from "vitest";
import { RicePurchaseAbi } from "../../../sdk/generated/abis.ts";
import { drawReserve } from "../../../sdk/tenders.ts";
import { decodeRevert, describeError } from "../chain/errors.ts";
import { decryptKeystore, encryptKeystore } from "../chain/keystore.ts";
import i18n from "../i18n/index.ts";
import { date, dateTime, won } from "../lib/format.ts";

describe("formatting (ko-KR, Asia/Seoul)", () => {
  it("won and dates", () => {
    expect(won(1234000n)).toBe("₩1,234,000");
    expect(won("-860")).toBe("−₩860");
    expect(date("2026-10-04T15:30:00Z")).toBe("2026년 10월 5일");
    expect(dateTime(1_791_216_000)).toMatch(/KST$/);
  });
});

describe("keystore (Web3 Secret Storage)", () => {
  it("ethers reads what we write, and we read what ethers writes", async () => {
    const pk = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as const;
    const ours = await encryptKeystore(pk, "비밀번호1234", { n: 1024 });
    const w = await Wallet.fromEncryptedJson(JSON.stringify(ours), "비밀번호1234");
    expect(w.privateKey).toBe(pk);
    const theirs = await new Wallet(pk).encrypt("pass-word-9", () => undefined);
    expect(await decryptKeystore(theirs, "pass-word-9")).toBe(pk);
    await expect(decryptKeystore(theirs, "wrong")).rejects.toThrow();
  }, 30_000);
});

describe("reverts as sentences", () => {
  it("decodes a custom error from the SDK ABI and says it in Korean", () => {
    const data = encodeErrorResult({
      abi: RicePurchaseAbi,
      errorName: "ExceedsAllocation",
      args: [120, 40],
    });
    const d = decodeRevert(data);
    expect(d?.name).toBe("ExceedsAllocation");
    expect(describeError(i18n.t, d ?? { name: "", args: {} })).toBe(
      "배정 물량을 넘습니다: 신청 120포대, 남은 물량 40포대.",
    );
  });
});

describe("the tender draw", () => {
  it("reserve draw: 4 most-picked candidates, floor rounded up", () => {
    const seed = `0x${"11".repeat(32)}` as const;
    const d = drawReserve(
      100_000_000n,
      87_745n,
      seed,
      [2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    expect(d.chosen).toEqual([0, 1, 2, 3]);
    expect(d.reserve).toBe(d.chosen.reduce((s, i) => s + (d.candidates[i] ?? 0n), 0n) / 4n);
    for (const c of d.candidates) expect(c >= 97_000_000n && c <= 103_000_000n).toBe(true);
  });
});
