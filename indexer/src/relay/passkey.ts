/**
 * Passkey-signed calls (issue 23): `POST /relay/passkey` takes a call signed by a WebAuthn
 * passkey for a `PasskeyAccount` (contracts/PasskeyAccount.sol) and sends
 * `account.execute(target, data, nonce, deadline, qx, qy, auth)`, the county paying the gas.
 *
 * Checks before anything is sent, cheapest first: shape and sizes → the challenge in the client
 * data is this call's (action, target, chain, account, nonce, deadline) → relying party, user
 * presence and verification flags, low s → the P-256 signature (WebCrypto) → deadline → target
 * and function allow-list → (a first call deploys the account from its factory) → simulation of
 * the exact `execute`. The account contract checks all of it again; the relay's checks only spare
 * the county the gas of a call that would revert.
 */
import { z } from "@hono/zod-openapi";
import {
  type Abi,
  type AbiFunction,
  type Address,
  concat,
  encodeFunctionData,
  getAddress,
  type Hex,
  hexToBigInt,
  isAddress,
  isAddressEqual,
  sha256,
  toBytes,
  toFunctionSelector,
} from "viem";
import { PasskeyAccountAbi } from "../../../sdk/generated/abis.ts";
import {
  AUTH_FLAG_UP,
  AUTH_FLAG_UV,
  base64UrlOf,
  P256_N,
  type PasskeyCall,
  passkeyAccountAddress,
  passkeyChallenge,
  rpIdHashOf,
} from "../../../sdk/passkey.ts";
import { RelayRefusal } from "./errors.ts";

const address = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), "must be an address (0x + 40 hex)");
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of hex");
const hexBytes = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x-prefixed hex bytes");
const decimal = z.union([
  z.string().regex(/^(0|[1-9][0-9]{0,19})$/, "must be a decimal integer"),
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
]);

export const PasskeyRelayBodySchema = z
  .strictObject({
    account: address,
    target: address,
    data: hexBytes,
    nonce: decimal,
    deadline: decimal,
    key: z.strictObject({ qx: bytes32, qy: bytes32 }),
    auth: z.strictObject({
      r: bytes32,
      s: bytes32,
      challengeIndex: decimal,
      typeIndex: decimal,
      authenticatorData: hexBytes.refine((h) => h.length <= 2 + 2 * 512, "at most 512 bytes"),
      clientDataJSON: z.string().max(2_048),
    }),
  })
  .openapi("PasskeyRelayRequest", {
    description:
      "A call signed by a passkey (WebAuthn assertion) for a PasskeyAccount; integers as decimal strings.",
  });

/** Checks the body's shape and converts it (RELAY_MALFORMED / RELAY_TOO_LARGE). */
export function parsePasskeyBody(json: unknown, limits: { maxDataBytes: number }): PasskeyCall {
  const parsed = PasskeyRelayBodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RelayRefusal(
      "RELAY_MALFORMED",
      issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "malformed request",
    );
  }
  const b = parsed.data;
  const dataBytes = (b.data.length - 2) / 2;
  if (dataBytes > limits.maxDataBytes) {
    throw new RelayRefusal(
      "RELAY_TOO_LARGE",
      `data is ${dataBytes} bytes, above the ${limits.maxDataBytes} the relay accepts`,
      { size: dataBytes, max: limits.maxDataBytes },
    );
  }
  const deadline = BigInt(b.deadline);
  if (deadline >= 2n ** 48n)
    throw new RelayRefusal("RELAY_MALFORMED", "deadline: must fit in uint48");
  const nonce = BigInt(b.nonce);
  if (nonce >= 2n ** 64n) throw new RelayRefusal("RELAY_MALFORMED", "nonce: must fit in uint64");
  return {
    account: getAddress(b.account),
    target: getAddress(b.target),
    data: b.data.toLowerCase() as Hex,
    nonce,
    deadline: Number(deadline),
    key: { qx: b.key.qx.toLowerCase() as Hex, qy: b.key.qy.toLowerCase() as Hex },
    auth: {
      r: b.auth.r.toLowerCase() as Hex,
      s: b.auth.s.toLowerCase() as Hex,
      challengeIndex: BigInt(b.auth.challengeIndex),
      typeIndex: BigInt(b.auth.typeIndex),
      authenticatorData: b.auth.authenticatorData.toLowerCase() as Hex,
      clientDataJSON: b.auth.clientDataJSON,
    },
  };
}

const refuse = (message: string, details?: Record<string, unknown>) =>
  new RelayRefusal("RELAY_PASSKEY_REFUSED", message, details);

/**
 * The assertion checks the account makes, off chain (no RPC): returns the challenge. Refuses
 * with RELAY_PASSKEY_REFUSED naming the account's error that the chain would give.
 */
export async function verifyPasskeyCall(
  call: PasskeyCall,
  expected: { chainId: number; rpId: string },
): Promise<Hex> {
  const { auth, key } = call;
  const challenge = passkeyChallenge({ chainId: expected.chainId, ...call });
  const json = auth.clientDataJSON;
  const type = '"type":"webauthn.get"';
  if (json.slice(Number(auth.typeIndex), Number(auth.typeIndex) + type.length) !== type) {
    throw refuse("the client data is not a WebAuthn sign-in (type webauthn.get)", {
      errorName: "PasskeyInvalidAssertion",
    });
  }
  const field = `"challenge":"${base64UrlOf(toBytes(challenge))}"`;
  const at = Number(auth.challengeIndex);
  if (json.slice(at, at + field.length) !== field) {
    throw refuse(
      "the passkey signed another challenge: another action, contract, chain, account, nonce or deadline",
      { errorName: "PasskeyInvalidAssertion", challenge },
    );
  }
  const data = toBytes(auth.authenticatorData);
  if (data.length < 37)
    throw refuse("the authenticator data is too short", { errorName: "PasskeyMalformedAssertion" });
  const rp = auth.authenticatorData.slice(0, 66) as Hex;
  if (rp !== rpIdHashOf(expected.rpId)) {
    throw refuse(`the assertion was made for another site, not ${expected.rpId}`, {
      errorName: "PasskeyWrongRelyingParty",
      rpIdHash: rp,
    });
  }
  const flags = data[32] ?? 0;
  if ((flags & AUTH_FLAG_UP) === 0)
    throw refuse("the user was not present", { errorName: "PasskeyUserNotPresent" });
  if ((flags & AUTH_FLAG_UV) === 0) {
    throw refuse("the user was not verified (fingerprint, face or PIN)", {
      errorName: "PasskeyUserNotVerified",
    });
  }
  if (hexToBigInt(auth.s) > P256_N / 2n)
    throw refuse("the signature's s is high", { errorName: "PasskeyHighS" });
  let valid = false;
  try {
    const publicKey = await crypto.subtle.importKey(
      "raw",
      toBytes(concat(["0x04", key.qx, key.qy])),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    const signed = concat([auth.authenticatorData, sha256(new TextEncoder().encode(json))]);
    valid = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      publicKey,
      toBytes(concat([auth.r, auth.s])),
      toBytes(signed),
    );
  } catch {
    valid = false;
  }
  if (!valid)
    throw refuse("the passkey signature does not verify", { errorName: "PasskeyInvalidAssertion" });
  return challenge;
}

/** The account's own settings a passkey may change through the relay. */
const SELF_FUNCTIONS = new Map<Hex, string>(
  (PasskeyAccountAbi as Abi)
    .filter(
      (item): item is AbiFunction =>
        item.type === "function" &&
        ["addPasskey", "removePasskey", "cancelRecovery"].includes(item.name),
    )
    .map((item) => [toFunctionSelector(item), item.name]),
);

/** The recovery functions of an account that others call, through the forwarder. */
const RECOVERY_FUNCTIONS = new Map<Hex, "startRecovery" | "finishRecovery">(
  (PasskeyAccountAbi as Abi)
    .filter(
      (item): item is AbiFunction =>
        item.type === "function" && ["startRecovery", "finishRecovery"].includes(item.name),
    )
    .map((item) => [toFunctionSelector(item), item.name as "startRecovery" | "finishRecovery"]),
);

/** `startRecovery` or `finishRecovery` when `data` calls one of them, else undefined. */
export const recoveryFunctionOf = (data: Hex) => RECOVERY_FUNCTIONS.get(data.slice(0, 10) as Hex);

/** The function name when `call` changes the account's own settings, else undefined. */
export function selfCallOf(
  call: Pick<PasskeyCall, "account" | "target" | "data">,
): string | undefined {
  if (!isAddressEqual(call.account, call.target)) return undefined;
  const name = SELF_FUNCTIONS.get(call.data.slice(0, 10) as Hex);
  if (name === undefined) {
    throw new RelayRefusal("RELAY_SELECTOR_NOT_ALLOWED", "this account function is not relayed", {
      selector: call.data.slice(0, 10),
    });
  }
  return name;
}

/** The `execute` calldata of a checked call. */
export const executeDataOf = (call: PasskeyCall): Hex =>
  encodeFunctionData({
    abi: PasskeyAccountAbi,
    functionName: "execute",
    args: [call.target, call.data, call.nonce, call.deadline, call.key.qx, call.key.qy, call.auth],
  });

/** True when `account` is the address the factory gives the call's key (a first call may deploy it). */
export const isFirstKeyAccount = (
  call: Pick<PasskeyCall, "account" | "key">,
  passkey: { factory: Address; implementation: Address },
): boolean =>
  isAddressEqual(
    call.account,
    passkeyAccountAddress(passkey.factory, passkey.implementation, call.key),
  );
