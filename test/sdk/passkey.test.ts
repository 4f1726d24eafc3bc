/**
 * sdk/passkey.ts: the encodings between a browser's WebAuthn assertion and the account's
 * `WebAuthnAuth`, checked against an independent P-256 implementation (WebCrypto).
 */
import assert from "node:assert/strict";
import type { webcrypto } from "node:crypto";
import { describe, it } from "node:test";
import { concat, type Hex, sha256, toBytes, toHex } from "viem";
import {
  base64UrlOf,
  bytesOfBase64Url,
  isPasskeyAccountCode,
  lowS,
  P256_N,
  parseDerSignature,
  passkeyAccountCode,
  passkeyChallenge,
  publicKeyOfSpki,
  rpIdHashOf,
  webAuthnAuthOf,
} from "../../sdk/passkey.ts";

/** DER of (r, s) as an authenticator writes it. */
const der = (r: bigint, s: bigint) => {
  const int = (v: bigint) => {
    let b = toBytes(toHex(v));
    if ((b[0] ?? 0) & 0x80) b = Uint8Array.from([0, ...b]);
    return [0x02, b.length, ...b];
  };
  const body = [...int(r), ...int(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
};

describe("sdk/passkey", () => {
  it("reads r and s from DER and moves s to the lower half", () => {
    const r = 0x80n << 248n; // high bit set: DER pads it with a zero byte
    const s = P256_N - 5n;
    assert.deepEqual(parseDerSignature(der(r, s)), { r, s });
    assert.equal(lowS(s), 5n);
    assert.equal(lowS(5n), 5n);
    assert.throws(() => parseDerSignature(Uint8Array.from([0x31, 0])));
  });

  it("base64url round-trips without padding, as clientDataJSON writes the challenge", () => {
    const bytes = toBytes("0xfbff00ff10");
    const text = base64UrlOf(bytes);
    assert.equal(text, "-_8A_xA");
    assert.deepEqual([...bytesOfBase64Url(text)], [...bytes]);
  });

  it("turns a WebCrypto signature of an assertion into a WebAuthnAuth that WebCrypto verifies", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
    const key = publicKeyOfSpki(spki);
    const challenge = passkeyChallenge({
      chainId: 31337,
      account: "0x00000000000000000000000000000000000000aa",
      target: "0x00000000000000000000000000000000000000bb",
      data: "0x1234",
      nonce: 3n,
      deadline: 1_800_000_000,
    });
    const authenticatorData = concat([rpIdHashOf("localhost"), "0x05", "0x00000001"]);
    const clientDataJSON = JSON.stringify({
      type: "webauthn.get",
      challenge: base64UrlOf(toBytes(challenge)),
      origin: "http://localhost:8080",
    });
    const signed = toBytes(concat([authenticatorData, sha256(toHex(clientDataJSON))]));
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, signed),
    );
    const auth = webAuthnAuthOf({
      authenticatorData: toBytes(authenticatorData),
      clientDataJSON: new TextEncoder().encode(clientDataJSON),
      signature: der(BigInt(toHex(raw.slice(0, 32))), BigInt(toHex(raw.slice(32)))),
    });
    assert.equal(auth.typeIndex, 1n);
    assert.equal(
      clientDataJSON.slice(Number(auth.challengeIndex)).startsWith('"challenge":"'),
      true,
    );
    assert.ok(BigInt(auth.s) <= P256_N / 2n, "s is low");
    const publicKey = await crypto.subtle.importKey(
      "raw",
      toBytes(concat(["0x04", key.qx, key.qy])),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    const verify = (s: Hex) =>
      crypto.subtle.verify(
        { name: "ECDSA", hash: "SHA-256" },
        publicKey,
        toBytes(concat([auth.r, s])),
        signed,
      );
    assert.equal(await verify(auth.s), true);
    // A flipped bit of r fails: the check can fail.
    assert.equal(
      await crypto.subtle.verify(
        { name: "ECDSA", hash: "SHA-256" },
        publicKey,
        toBytes(concat([toHex(BigInt(auth.r) ^ 1n, { size: 32 }), auth.s])),
        signed,
      ),
      false,
    );
  });

  it("recognises a passkey account's code and nothing else", () => {
    const implementation = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    assert.equal(isPasskeyAccountCode(passkeyAccountCode(implementation), implementation), true);
    assert.equal(
      isPasskeyAccountCode(
        passkeyAccountCode("0x0000000000000000000000000000000000000001"),
        implementation,
      ),
      false,
    );
    assert.equal(isPasskeyAccountCode(undefined, implementation), false);
  });
});
