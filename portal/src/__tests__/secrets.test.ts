/**
 * Issue 21 item 1: a committed bid's secret is never overwritten. The old page stored the second
 * form's price, picks and salt over the first before the chain refused the second commit, so the
 * stored secret no longer opened the commitment and the bond was forfeited at reveal.
 */
import { type Hex, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { beforeEach, describe, expect, it } from "vitest";
import { BidStatus } from "../../../sdk/generated/enums.ts";
import {
  BidAlreadyCommittedError,
  type BidSecret,
  type ChainBid,
  importSecrets,
  keepNewSecret,
  loadSecrets,
  secretForBid,
  withSecret,
} from "../chain/secrets.ts";
import type { Session } from "../chain/session.ts";

const secret = (tenderId: string, price: string, n: number): BidSecret => {
  const salt = keccak256(toHex(`salt-${tenderId}-${n}`));
  return {
    tenderId,
    price,
    picks: [n % 15, (n + 1) % 15],
    salt,
    docHash: keccak256(toHex(`doc-${n}`)),
    commitment: keccak256(salt),
    createdAt: n,
  };
};
/** The chain keeps bytes28 of the commitment. */
const onChain = (s: BidSecret, version = 1, status: number = BidStatus.Committed): ChainBid => ({
  commitment: s.commitment.slice(0, 58) as Hex,
  version,
  status,
});

describe("withSecret (append-only, refused once the chain holds a bid)", () => {
  const first = secret("7", "1000000", 1);
  const second = secret("7", "900000", 2);

  it("refuses a second secret while the chain holds a bid of the current version", () => {
    const list = withSecret([], first, null, 1);
    expect(() => withSecret(list, second, onChain(first), 1)).toThrow(BidAlreadyCommittedError);
    // Revealed (or any status but None) still holds the slot.
    expect(() => withSecret(list, second, onChain(first, 1, BidStatus.Revealed), 1)).toThrow(
      BidAlreadyCommittedError,
    );
  });

  it("appends next to an earlier secret of the same tender, never replacing it", () => {
    // The first commit was never mined (cancelled dialog): the chain holds nothing.
    const list = withSecret(withSecret([], first, null, 1), second, null, 1);
    expect(list).toEqual([first, second]);
    // A bid of an older version (the tender was amended) may be re-confirmed with a new secret.
    expect(withSecret([first], second, onChain(first, 1), 2)).toEqual([first, second]);
    // The same secret twice is kept once.
    expect(withSecret([first], first, null, 1)).toEqual([first]);
  });

  it("the reveal uses the secret whose commitment the chain holds", () => {
    const list = [first, second, secret("8", "5", 3)];
    expect(secretForBid(list, "7", onChain(second))).toBe(second);
    expect(secretForBid(list, "7", onChain(first))).toBe(first);
    expect(secretForBid(list, "7", null)).toBeUndefined();
    expect(secretForBid(list, "8", onChain(first))).toBeUndefined();
  });
});

describe("keepNewSecret (the encrypted store)", () => {
  const account = privateKeyToAccount(
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  );
  const session: Session = { address: account.address, kind: "keystore", account };
  beforeEach(() => localStorage.clear());

  it("keeps the committed bid's secret when a second commit is attempted", async () => {
    const first = secret("7", "1000000", 1);
    const chain = { bid: null as ChainBid | null, tenderVersion: 1 };
    await keepNewSecret(session, first, async () => chain);
    // The first commit is mined; a resubmitted form brings a new price and salt.
    chain.bid = onChain(first);
    const second = secret("7", "900000", 2);
    await expect(keepNewSecret(session, second, async () => chain)).rejects.toThrow(
      BidAlreadyCommittedError,
    );
    const stored = await loadSecrets(session);
    expect(stored).toEqual([first]);
    expect(secretForBid(stored, "7", chain.bid)?.salt).toBe(first.salt);
  });

  it("reads the stored list afresh, so a page's stale copy cannot drop a secret", async () => {
    const a = secret("7", "1", 1);
    const b = secret("9", "2", 2);
    const none = async () => ({ bid: null, tenderVersion: 1 });
    await keepNewSecret(session, a, none);
    await keepNewSecret(session, b, none);
    expect(await loadSecrets(session)).toEqual([a, b]);
    // Importing a backup adds what is missing and replaces nothing.
    const c = secret("7", "3", 3);
    expect(await importSecrets(session, [{ ...a, price: "999" }, c])).toEqual([a, b, c]);
  });
});
