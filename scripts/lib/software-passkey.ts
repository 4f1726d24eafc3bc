/**
 * A software passkey for tests, the gas bench and seeds: signs exactly as an authenticator and a
 * browser would (authenticator data, client data JSON, sha256, ECDSA P-256), deterministically
 * (RFC 6979 nonces, a key from a fixed secret), so gas figures do not move between runs.
 * Never a substitute for a real authenticator in the portal.
 *
 * `@noble/curves` is a devDependency (the same version viem already brings): Node-side tools only.
 */
import { p256 } from "@noble/curves/p256";
import { concat, type Hex, keccak256, sha256, toBytes, toHex } from "viem";
import {
  AUTH_FLAG_UP,
  AUTH_FLAG_UV,
  base64UrlOf,
  type PasskeyPublicKey,
  publicKeyOfRaw,
  rpIdHashOf,
  type WebAuthnAuth,
  webAuthnAuthOf,
} from "../../sdk/passkey.ts";

export type SoftwarePasskey = {
  key: PasskeyPublicKey;
  /** An assertion over `challenge`; options make the wrong ones tests need. */
  assert(
    challenge: Hex,
    o?: { rpId?: string; flags?: number; type?: string; counter?: number; origin?: string },
  ): WebAuthnAuth;
};

/** The passkey whose private key is derived from `label` (same label, same key). */
export function softwarePasskey(label: string, rpId = "localhost"): SoftwarePasskey {
  const secret = toBytes(keccak256(toHex(`jangbu software passkey:${label}`)));
  const key = publicKeyOfRaw(p256.getPublicKey(secret, false));
  return {
    key,
    assert(challenge, o = {}) {
      const authenticatorData = concat([
        rpIdHashOf(o.rpId ?? rpId),
        toHex(o.flags ?? AUTH_FLAG_UP | AUTH_FLAG_UV, { size: 1 }),
        toHex(o.counter ?? 1, { size: 4 }),
      ]);
      const clientDataJSON = JSON.stringify({
        type: o.type ?? "webauthn.get",
        challenge: base64UrlOf(toBytes(challenge)),
        origin: o.origin ?? "http://localhost:8080",
        crossOrigin: false,
      });
      const clientData = new TextEncoder().encode(clientDataJSON);
      const digest = sha256(concat([authenticatorData, sha256(clientData)]));
      const signature = p256.sign(toBytes(digest).slice(), secret, { lowS: false, prehash: false });
      return webAuthnAuthOf({
        authenticatorData: toBytes(authenticatorData),
        clientDataJSON: clientData,
        signature: signature.toCompactRawBytes(),
      });
    },
  };
}
