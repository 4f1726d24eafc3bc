/**
 * Passkey accounts (contracts/PasskeyAccount.sol): the one place portal, relay, bench and tests
 * build the challenge a passkey signs, turn a browser's WebAuthn assertion into the contract's
 * `WebAuthnAuth`, and derive an account's address before it is deployed. Browser- and Node-safe:
 * only viem and the platform's `btoa`/`atob`.
 */
import {
  type Address,
  concat,
  encodeAbiParameters,
  getContractAddress,
  type Hex,
  keccak256,
  pad,
  sha256,
  toBytes,
  toHex,
} from "viem";

/** The EIP-712-style type string of the signed challenge (PasskeyAccount.CALL_TYPEHASH). */
export const PASSKEY_CALL_TYPE =
  "JangbuPasskeyCall(uint256 chainId,address account,address target,bytes32 dataHash,uint64 nonce,uint48 deadline)";
const CALL_TYPEHASH = keccak256(toHex(PASSKEY_CALL_TYPE));

/** The P-256 group order; a signature's s above half of it is refused on chain (malleable). */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A passkey's public key, as the account stores it. */
export type PasskeyPublicKey = { qx: Hex; qy: Hex };

/** OpenZeppelin's `WebAuthn.WebAuthnAuth`, in the shape viem encodes. */
export type WebAuthnAuth = {
  r: Hex;
  s: Hex;
  challengeIndex: bigint;
  typeIndex: bigint;
  authenticatorData: Hex;
  clientDataJSON: string;
};

/** One passkey-signed call, as the relay's `POST /relay/passkey` takes it (JSON-safe). */
export type PasskeyCall = {
  account: Address;
  target: Address;
  data: Hex;
  nonce: bigint;
  deadline: number;
  key: PasskeyPublicKey;
  auth: WebAuthnAuth;
};

/** The 32 bytes the passkey signs as its WebAuthn challenge for one call. */
export function passkeyChallenge(p: {
  chainId: number;
  account: Address;
  target: Address;
  data: Hex;
  nonce: bigint;
  deadline: number;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "bytes32" },
        { type: "uint256" },
        { type: "address" },
        { type: "address" },
        { type: "bytes32" },
        { type: "uint64" },
        { type: "uint48" },
      ],
      [
        CALL_TYPEHASH,
        BigInt(p.chainId),
        p.account,
        p.target,
        keccak256(p.data),
        p.nonce,
        p.deadline,
      ],
    ),
  );
}

/** sha256 of the relying-party id: what the authenticator data starts with and the account checks. */
export const rpIdHashOf = (rpId: string): Hex => sha256(toBytes(rpId));

/** A passkey's key id on chain: keccak256(abi.encode(qx, qy)) (also the factory's CREATE2 salt). */
export const passkeyKeyId = (key: PasskeyPublicKey): Hex =>
  keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [key.qx, key.qy]));

/**
 * The account address of a first passkey, deployed or not: OpenZeppelin `Clones` minimal proxy
 * of `implementation`, CREATE2 from `factory` with the key id as salt.
 */
export function passkeyAccountAddress(
  factory: Address,
  implementation: Address,
  key: PasskeyPublicKey,
): Address {
  const bytecode = concat([
    "0x3d602d80600a3d3981f3363d3d373d3d3d363d73",
    implementation,
    "0x5af43d82803e903d91602b57fd5bf3",
  ]);
  return getContractAddress({
    opcode: "CREATE2",
    from: factory,
    salt: passkeyKeyId(key),
    bytecode,
  });
}

/** The runtime code of a passkey account: OpenZeppelin's minimal proxy of `implementation`. */
export const passkeyAccountCode = (implementation: Address): Hex =>
  `0x363d3d373d3d3d363d73${implementation.slice(2).toLowerCase()}5af43d82803e903d91602b57fd5bf3`;

/**
 * True when `code` (an address's code, from the chain) is a passkey account of this deployment:
 * how the portal marks records signed by a passkey, from the chain itself.
 */
export const isPasskeyAccountCode = (code: Hex | undefined, implementation: Address): boolean =>
  code !== undefined && code.toLowerCase() === passkeyAccountCode(implementation);

// ---------------------------------------------------------------- encodings

/** base64url without padding, as WebAuthn writes the challenge into clientDataJSON. */
export function base64UrlOf(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function bytesOfBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The public key of a P-256 SubjectPublicKeyInfo (what `AuthenticatorAttestationResponse.getPublicKey()` returns). */
export function publicKeyOfSpki(spki: Uint8Array): PasskeyPublicKey {
  // The uncompressed point 04 || x || y closes the DER structure of a P-256 key.
  if (spki.length < 65 || spki[spki.length - 65] !== 0x04) {
    throw new Error("not an uncompressed P-256 public key");
  }
  const point = spki.slice(spki.length - 64);
  return { qx: toHex(point.slice(0, 32)), qy: toHex(point.slice(32)) };
}

/** The public key of a raw uncompressed point (65 bytes, 04 || x || y; WebCrypto's "raw" export). */
export function publicKeyOfRaw(raw: Uint8Array): PasskeyPublicKey {
  if (raw.length !== 65 || raw[0] !== 0x04) throw new Error("not an uncompressed P-256 point");
  return { qx: toHex(raw.slice(1, 33)), qy: toHex(raw.slice(33)) };
}

/** r and s of a DER-encoded ECDSA signature (what a WebAuthn assertion carries). */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } {
  let i = 0;
  const byte = () => {
    const b = der[i++];
    if (b === undefined) throw new Error("truncated DER signature");
    return b;
  };
  if (byte() !== 0x30) throw new Error("not a DER sequence");
  let length = byte();
  if (length & 0x80) length = byte(); // a one-byte long form (never longer for P-256)
  const int = () => {
    if (byte() !== 0x02) throw new Error("not a DER integer");
    const n = byte();
    if (n === 0 || n > 33 || i + n > der.length) throw new Error("bad DER integer length");
    const value = BigInt(toHex(der.slice(i, i + n)));
    i += n;
    return value;
  };
  const r = int();
  const s = int();
  return { r, s };
}

/** s moved to the lower half of the order (the same signature; the contract accepts only this one). */
export const lowS = (s: bigint): bigint => (s > P256_N / 2n ? P256_N - s : s);

/**
 * The contract's `WebAuthnAuth` of a browser assertion: signature in DER (or raw r||s, 64 bytes)
 * with s made low, and where the type and challenge fields sit in the client data.
 */
export function webAuthnAuthOf(assertion: {
  authenticatorData: Uint8Array;
  clientDataJSON: Uint8Array;
  signature: Uint8Array;
}): WebAuthnAuth {
  const clientDataJSON = new TextDecoder().decode(assertion.clientDataJSON);
  const typeIndex = clientDataJSON.indexOf('"type":"');
  const challengeIndex = clientDataJSON.indexOf('"challenge":"');
  if (typeIndex < 0 || challengeIndex < 0) throw new Error("client data without type or challenge");
  const { r, s } =
    assertion.signature.length === 64
      ? {
          r: BigInt(toHex(assertion.signature.slice(0, 32))),
          s: BigInt(toHex(assertion.signature.slice(32))),
        }
      : parseDerSignature(assertion.signature);
  return {
    r: pad(toHex(r), { size: 32 }),
    s: pad(toHex(lowS(s)), { size: 32 }),
    challengeIndex: BigInt(challengeIndex),
    typeIndex: BigInt(typeIndex),
    authenticatorData: toHex(assertion.authenticatorData),
    clientDataJSON,
  };
}

/** Authenticator-data flags (WebAuthn §6.1). */
export const AUTH_FLAG_UP = 0x01;
export const AUTH_FLAG_UV = 0x04;

/** The JSON body of `POST /api/v1/relay/passkey` (integers as decimal strings). */
export function passkeyRelayBody(call: PasskeyCall) {
  return {
    account: call.account,
    target: call.target,
    data: call.data,
    nonce: call.nonce.toString(),
    deadline: String(call.deadline),
    key: call.key,
    auth: {
      ...call.auth,
      challengeIndex: call.auth.challengeIndex.toString(),
      typeIndex: call.auth.typeIndex.toString(),
    },
  };
}
