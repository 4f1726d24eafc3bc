/**
 * sdk/claims.ts and sdk/presentation.ts: the worked vector of docs/credential-claims.md, proofs
 * for every tree shape, and every refusal a verifier owes (changed value, wrong salt, another
 * credential's field, revoked / superseded / expired credential, old challenge, someone else's
 * signature) against an in-memory chain.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, concat, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type ClaimField,
  ClaimsError,
  claimLeaf,
  claimProof,
  claimsLevels,
  claimsRoot,
  rootFromProof,
  saltFields,
  verifyClaimProof,
} from "../../sdk/claims.ts";
import {
  type ChainCredential,
  ChallengeBook,
  type CredentialFile,
  type CredentialReader,
  credentialFile,
  fromQrParts,
  makePresentation,
  newChallenge,
  type Presentation,
  parseCredentialFile,
  toQrParts,
  verifyPresentation,
} from "../../sdk/presentation.ts";

const salt = (byte: string) => `0x${byte.repeat(32)}` as Hex;
/** The worked vector of docs/credential-claims.md. */
const VECTOR: ClaimField[] = [
  { name: "name", value: "김순자", salt: salt("11") },
  { name: "farmRegistrationNo", value: "4681012345", salt: salt("22") },
  { name: "region", value: "전라남도 강진군", salt: salt("33") },
  { name: "bankAccount", value: "강진농협 351-0001-****-**", salt: salt("44") },
];
const VECTOR_ROOT = "0x8b1fd63a3eaa4852cdbd394fa88176bda7a6e2eef63f365e4376e89a3a06c440";

/** abi.encode(string, string, bytes32) written out by hand, as the docs describe it. */
function leafByHand(f: ClaimField): Hex {
  const word = (n: number) => n.toString(16).padStart(64, "0");
  const padded = (b: Uint8Array) =>
    Buffer.from(b)
      .toString("hex")
      .padEnd(Math.ceil(b.length / 32) * 64, "0");
  const name = new TextEncoder().encode(f.name);
  const value = new TextEncoder().encode(f.value);
  const nameTail = word(name.length) + padded(name);
  const enc =
    word(96) +
    word(96 + nameTail.length / 2) +
    f.salt.slice(2) +
    nameTail +
    word(value.length) +
    padded(value);
  const inner = keccak_256(Buffer.from(enc, "hex"));
  return `0x${bytesToHex(keccak_256(inner)).replace(/^0x/, "")}` as Hex;
}

describe("claims tree (sdk/claims.ts)", () => {
  it("the docs' worked vector: leaves by hand, root, and the region proof", () => {
    for (const f of VECTOR) assert.equal(claimLeaf(f), leafByHand(f), f.name);
    assert.equal(claimsRoot(VECTOR), VECTOR_ROOT);
    // Order of the input does not matter: leaves are ordered by field name.
    assert.equal(claimsRoot([...VECTOR].reverse()), VECTOR_ROOT);
    const doc = readFileSync(new URL("../../docs/credential-claims.md", import.meta.url), "utf8");
    assert.ok(doc.includes(VECTOR_ROOT), "the docs state the vector's root");
    for (const f of VECTOR)
      assert.ok(doc.includes(claimLeaf(f)), `the docs state ${f.name}'s leaf`);
    const proof = claimProof(VECTOR, "region");
    for (const step of proof) assert.ok(doc.includes(step), "the docs state the region proof");
    assert.ok(verifyClaimProof(VECTOR_ROOT, VECTOR[2] as ClaimField, proof));
  });

  it("every field of trees of 1 to 9 fields opens its root; nodes hash the sorted pair", () => {
    for (let n = 1; n <= 9; n++) {
      const fields = saltFields(
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`])),
      );
      const root = claimsRoot(fields);
      for (const f of fields)
        assert.ok(verifyClaimProof(root, f, claimProof(fields, f.name)), `${n}:${f.name}`);
      if (n === 1) assert.equal(root, claimLeaf(fields[0] as ClaimField));
    }
    const [a, b] = claimsLevels(VECTOR)[0] as Hex[];
    const [lo, hi] = BigInt(a as Hex) < BigInt(b as Hex) ? [a, b] : [b, a];
    assert.equal(
      (claimsLevels(VECTOR)[1] as Hex[])[0],
      `0x${Buffer.from(keccak_256(Buffer.from(concat([lo as Hex, hi as Hex]).slice(2), "hex"))).toString("hex")}`,
    );
  });

  it("refuses a changed value, a wrong salt, a foreign field and a cut proof", () => {
    const f = VECTOR[1] as ClaimField;
    const proof = claimProof(VECTOR, f.name);
    assert.ok(verifyClaimProof(VECTOR_ROOT, f, proof));
    assert.ok(!verifyClaimProof(VECTOR_ROOT, { ...f, value: "4681099999" }, proof));
    assert.ok(!verifyClaimProof(VECTOR_ROOT, { ...f, salt: salt("23") }, proof));
    assert.ok(!verifyClaimProof(VECTOR_ROOT, { ...f, name: "region" }, proof));
    assert.ok(!verifyClaimProof(VECTOR_ROOT, f, proof.slice(1)));
    const other = saltFields({ farmRegistrationNo: "4681012345", name: "김순자" });
    assert.ok(
      !verifyClaimProof(
        VECTOR_ROOT,
        other[0] as ClaimField,
        claimProof(other, "farmRegistrationNo"),
      ),
    );
    // An inner node is not a leaf: a 64-byte preimage cannot pass as a field.
    const inner = (claimsLevels(VECTOR)[1] as Hex[])[0] as Hex;
    assert.notEqual(rootFromProof(VECTOR[0] as ClaimField, []), inner);
  });

  it("refuses lists that make no tree", () => {
    assert.throws(() => claimsRoot([]), ClaimsError);
    assert.throws(() => claimsRoot([VECTOR[0] as ClaimField, VECTOR[0] as ClaimField]), /twice/);
    assert.throws(() => claimsRoot([{ name: "x", value: "y", salt: "0x12" }]), /salt/);
    assert.throws(() => claimsRoot([{ name: "", value: "y", salt: salt("11") }]), /name/);
  });
});

// ---- Presentations against an in-memory chain ----

const holder = privateKeyToAccount(`0x${"a1".repeat(32)}`);
const stranger = privateKeyToAccount(`0x${"b2".repeat(32)}`);
const issuer = privateKeyToAccount(`0x${"c3".repeat(32)}`).address;
const registry = "0x00000000000000000000000000000000000c0de1" as const;
const chainId = 31337;
const idOf = (subject: string, serial: bigint) =>
  (BigInt(subject) << 96n) | (0n << 88n) | (46810n << 64n) | serial;

function fileFor(fields: ClaimField[], serial = 1n): CredentialFile {
  return credentialFile({
    chainId,
    registry,
    credentialId: idOf(holder.address, serial).toString(),
    subject: holder.address,
    role: "Farmer",
    region: 46810,
    issuer,
    fields,
  });
}

class FakeChain implements CredentialReader {
  readonly creds = new Map<bigint, ChainCredential>();
  time = 1_800_000_000;
  issue(file: CredentialFile, expiresAt = this.time + 86_400): void {
    this.creds.set(BigInt(file.credentialId), {
      claimsHash: file.claimsRoot,
      issuer,
      subject: file.subject,
      role: 0,
      region: 46810,
      expiresAt,
      issuedAt: this.time,
      revoked: false,
    });
  }
  set(id: string, patch: Partial<ChainCredential>): void {
    const c = this.creds.get(BigInt(id));
    if (c) this.creds.set(BigInt(id), { ...c, ...patch });
  }
  async credential(id: bigint) {
    return this.creds.get(id) ?? null;
  }
  async now() {
    return this.time;
  }
}

const file = fileFor(VECTOR);
const present = (names: string[], challenge: Hex, f = file, who = holder) =>
  makePresentation(f, names, challenge, (typed) => who.signTypedData(typed));
const codes = (r: { refusals: readonly { code: string }[] }) => r.refusals.map((x) => x.code);
const clone = (p: Presentation): Presentation => JSON.parse(JSON.stringify(p));

describe("presentations (sdk/presentation.ts)", () => {
  it("proves the chosen fields only, and round-trips the holder's file", async () => {
    const chain = new FakeChain();
    chain.issue(file);
    const challenge = newChallenge();
    const vp = await present(["region", "farmRegistrationNo"], challenge);
    const text = JSON.stringify(vp);
    assert.ok(
      !text.includes("강진농협") && !text.includes("김순자"),
      "undisclosed fields stay out",
    );
    assert.ok(!text.includes(salt("44").slice(2)), "undisclosed salts stay out");
    const r = await verifyPresentation(text, { challenge, chainId, registry, reader: chain });
    assert.deepEqual(r.refusals, []);
    assert.ok(r.ok);
    assert.deepEqual(
      r.proven.map((f) => f.name),
      ["region", "farmRegistrationNo"],
    );
    assert.equal(r.chain?.issuer, issuer);
    assert.deepEqual(parseCredentialFile(JSON.stringify(file)), file);
    assert.throws(
      () =>
        parseCredentialFile({
          ...file,
          fields: [{ ...VECTOR[0], value: "박" }, ...VECTOR.slice(1)],
        }),
      /claims root/,
    );
  });

  it("refuses a changed value, a wrong salt and a field from another credential", async () => {
    const chain = new FakeChain();
    chain.issue(file);
    const challenge = newChallenge();
    const vp = await present(["region", "farmRegistrationNo"], challenge);

    const changed = clone(vp) as unknown as {
      verifiableCredential: [{ credentialSubject: Record<string, string> }];
    };
    changed.verifiableCredential[0].credentialSubject.region = "전라남도 해남군";
    const r1 = await verifyPresentation(changed, { challenge, chainId, registry, reader: chain });
    // The signature covers the leaves too, so a changed value also breaks it.
    assert.deepEqual(codes(r1).sort(), ["field", "signature"]);
    assert.equal(r1.refusals.find((x) => x.code === "field")?.field, "region");

    // The holder herself changes a value and re-signs: only the proof refuses it.
    const forged = fileFor(VECTOR);
    const lying = {
      ...forged,
      fields: forged.fields.map((f) => (f.name === "region" ? { ...f, value: "서울특별시" } : f)),
    };
    const r2 = await verifyPresentation(await present(["region"], challenge, lying), {
      challenge,
      chainId,
      registry,
      reader: chain,
    });
    assert.deepEqual(codes(r2), ["field"]);

    const wrongSalt = {
      ...file,
      fields: file.fields.map((f) => (f.name === "region" ? { ...f, salt: salt("34") } : f)),
    };
    const r3 = await verifyPresentation(await present(["region"], challenge, wrongSalt), {
      challenge,
      chainId,
      registry,
      reader: chain,
    });
    assert.deepEqual(codes(r3), ["field"]);

    // Another credential of the same holder (an earlier one, other salts): its field does not open this root.
    const other = fileFor(saltFields({ region: "전라남도 강진군", name: "김순자" }), 1n);
    const mixed = { ...other, credentialId: file.credentialId };
    const r4 = await verifyPresentation(await present(["region"], challenge, mixed), {
      challenge,
      chainId,
      registry,
      reader: chain,
    });
    assert.deepEqual(codes(r4), ["field"]);
    assert.equal(r4.proven.length, 0);
  });

  it("refuses a revoked, a superseded, an expired and a never-issued credential", async () => {
    const challenge = newChallenge();
    const vp = await present(["region"], challenge);
    const check = async (patch: Partial<ChainCredential> | null, time?: number) => {
      const chain = new FakeChain();
      chain.issue(file);
      if (patch) chain.set(file.credentialId, patch);
      else chain.creds.clear();
      if (time) chain.time = time;
      return codes(await verifyPresentation(vp, { challenge, chainId, registry, reader: chain }));
    };
    assert.deepEqual(await check({}), []);
    assert.deepEqual(await check({ revoked: true }), ["revoked"]);
    assert.deepEqual(await check({ revoked: true, issuedAt: 0, expiresAt: 0 }), ["superseded"]);
    assert.deepEqual(await check({}, 1_800_000_000 + 86_400), ["expired"]);
    assert.deepEqual(await check(null), ["notIssued"]);
  });

  it("refuses a replay (old challenge) and a presentation signed by someone else", async () => {
    const chain = new FakeChain();
    chain.issue(file);
    const book = new ChallengeBook();
    const first = book.current;
    const vp = await present(["region"], first);
    const ok = await verifyPresentation(vp, {
      challenge: book.current,
      chainId,
      registry,
      reader: chain,
    });
    assert.ok(ok.ok);
    book.next(); // accepted: the challenge is used up
    assert.ok(book.wasUsed(first));
    const replay = await verifyPresentation(vp, {
      challenge: book.current,
      chainId,
      registry,
      reader: chain,
    });
    assert.deepEqual(codes(replay), ["challenge"]);

    // A stranger signs the holder's disclosed fields (a stolen file) over the fresh challenge.
    const stolen = await present(["region"], book.current, file, stranger);
    const r = await verifyPresentation(stolen, {
      challenge: book.current,
      chainId,
      registry,
      reader: chain,
    });
    assert.deepEqual(codes(r), ["signature"]);
    assert.match(r.refusals[0]?.detail ?? "", new RegExp(stranger.address));

    // Swapping the challenge in a signed presentation breaks the signature.
    const swapped = clone(vp) as unknown as { proof: { challenge: Hex } };
    swapped.proof.challenge = book.current;
    const r2 = await verifyPresentation(swapped, {
      challenge: book.current,
      chainId,
      registry,
      reader: chain,
    });
    assert.deepEqual(codes(r2), ["signature"]);
  });

  it("refuses malformed input and another network's presentation with a reason", async () => {
    const chain = new FakeChain();
    chain.issue(file);
    const challenge = newChallenge();
    const r = await verifyPresentation("{not json", {
      challenge,
      chainId,
      registry,
      reader: chain,
    });
    assert.deepEqual(codes(r), ["format"]);
    const vp = await present(["region"], challenge);
    const r2 = await verifyPresentation(vp, { challenge, chainId: 1, registry, reader: chain });
    assert.deepEqual(codes(r2), ["network"]);
    await assert.rejects(present([], challenge), /at least one/);
    await assert.rejects(present(["iban"], challenge), /no field iban/);
  });

  it("QR parts join back in any order and say which are missing", () => {
    const text = JSON.stringify(file);
    const parts = toQrParts(text, 200);
    assert.ok(parts.length > 2);
    assert.equal(fromQrParts([...parts].reverse()), text);
    assert.throws(() => fromQrParts(parts.slice(1)), /missing: 1/);
    assert.throws(() => fromQrParts(["hello"]), /not a jangbu QR part/);
  });
});
