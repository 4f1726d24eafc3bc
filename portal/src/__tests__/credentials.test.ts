/**
 * Issue 25: the holder's credential files are kept on her device encrypted (only her key opens
 * them), only when they are good and hers; pasted QR parts join back into the file.
 */
import { privateKeyToAccount } from "viem/accounts";
import { beforeEach, describe, expect, it } from "vitest";
import { saltFields } from "../../../sdk/claims.ts";
import { credentialFile, toQrParts } from "../../../sdk/presentation.ts";
import {
  importCredential,
  loadCredentials,
  NotMyCredentialError,
} from "../chain/credential-store.ts";
import type { Session } from "../chain/session.ts";
import { pastedDocument } from "../pages/Credentials.tsx";

const holder = privateKeyToAccount(`0x${"a1".repeat(32)}`);
const other = privateKeyToAccount(`0x${"b2".repeat(32)}`);
const session = (a: typeof holder): Session => ({ kind: "demo", address: a.address, account: a });
const fileOf = (a: typeof holder, serial: bigint) =>
  credentialFile({
    chainId: 31337,
    registry: "0x00000000000000000000000000000000000c0de1",
    credentialId: ((BigInt(a.address) << 96n) | (46810n << 64n) | serial).toString(),
    subject: a.address,
    role: "Farmer",
    region: 46810,
    issuer: other.address,
    fields: saltFields({ region: "전라남도 강진군", bankAccount: "강진농협 351-0042-****-**" }),
  });

beforeEach(() => localStorage.clear());

describe("credential store (chain/credential-store.ts)", () => {
  it("keeps a good file of hers encrypted, once, and gives it back", async () => {
    const file = fileOf(holder, 1n);
    await importCredential(session(holder), JSON.stringify(file));
    await importCredential(session(holder), JSON.stringify(file));
    const stored = Object.values({ ...localStorage }).join("");
    expect(stored).not.toContain("강진농협");
    expect(stored).not.toContain(file.fields[0]?.salt.slice(2));
    expect(await loadCredentials(session(holder))).toEqual([file]);
    // Another wallet cannot open them.
    localStorage.setItem(
      `jangbu.credentials.${other.address.toLowerCase()}`,
      localStorage.getItem(`jangbu.credentials.${holder.address.toLowerCase()}`) ?? "",
    );
    await expect(loadCredentials(session(other))).rejects.toThrow();
  });

  it("refuses someone else's file and a file whose fields do not make its root, keeping nothing", async () => {
    await expect(importCredential(session(holder), fileOf(other, 1n))).rejects.toBeInstanceOf(
      NotMyCredentialError,
    );
    const file = fileOf(holder, 1n);
    const forged = { ...file, fields: file.fields.map((f) => ({ ...f, value: "서울특별시" })) };
    await expect(importCredential(session(holder), forged)).rejects.toThrow(/claims root/);
    // A backup of two files with one bad: nothing kept.
    await expect(importCredential(session(holder), [fileOf(holder, 2n), forged])).rejects.toThrow();
    expect(await loadCredentials(session(holder))).toEqual([]);
  });

  it("joins pasted QR parts back into the file", async () => {
    const text = JSON.stringify(fileOf(holder, 3n));
    expect(pastedDocument(toQrParts(text, 100).join("\n"))).toBe(text);
    expect(pastedDocument(`  ${text}\n`)).toBe(text);
    expect(() => pastedDocument(toQrParts(text, 100).slice(1).join("\n"))).toThrow(/missing/);
  });
});
