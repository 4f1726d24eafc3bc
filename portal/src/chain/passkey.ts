/**
 * Passkeys (WebAuthn, P-256, user verification required): register one on this device, sign in
 * with it, and sign one action's challenge (sdk/passkey.ts builds it). The account is a
 * PasskeyAccount whose address is known before it exists; the relay deploys it on its first call.
 */
import { type Address, type Hex, toBytes } from "viem";
import {
  base64UrlOf,
  bytesOfBase64Url,
  passkeyAccountAddress,
  publicKeyOfSpki,
  type WebAuthnAuth,
  webAuthnAuthOf,
} from "../../../sdk/passkey.ts";
import { getConfig, type PortalConfig } from "../api/client.ts";
import { type PasskeyLogin, type Session, setSession } from "./session.ts";

const STORE = "jangbu.passkey";

/** Why a passkey cannot be used here (the i18n key of a message), or null when it can. */
export function passkeyUnsupportedReason():
  | "wallet.passkeyNoSupport"
  | "wallet.passkeyInsecure"
  | null {
  if (typeof window === "undefined" || !("PublicKeyCredential" in window) || !navigator.credentials)
    return "wallet.passkeyNoSupport";
  if (!window.isSecureContext) return "wallet.passkeyInsecure";
  return null;
}

export class PasskeyError extends Error {
  /** An i18n key naming what went wrong, in words for the user. */
  constructor(readonly reason: string) {
    super(reason);
  }
}

const deploymentOf = (config: PortalConfig) => {
  const p = config.passkey;
  if (p === undefined) throw new PasskeyError("wallet.passkeyNotDeployed");
  if (p.rpId !== location.hostname) throw new PasskeyError("wallet.passkeyWrongSite");
  return p;
};

export const storedPasskey = (): PasskeyLogin | null => {
  try {
    const v = localStorage.getItem(STORE);
    return v ? (JSON.parse(v) as PasskeyLogin) : null;
  } catch {
    return null;
  }
};

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** Signs in with a passkey login: the session's address is its account. */
export async function signInWithPasskey(login: PasskeyLogin): Promise<Session> {
  const config = await getConfig();
  const p = deploymentOf(config);
  const address: Address = passkeyAccountAddress(
    p.factory as Address,
    p.implementation as Address,
    {
      qx: login.qx,
      qy: login.qy,
    },
  );
  const s: Session = { kind: "passkey", address, passkey: login };
  setSession(s);
  return s;
}

/** Creates a passkey on this device (the phone asks for a fingerprint, face or PIN) and signs in. */
export async function registerPasskey(): Promise<Session> {
  const config = await getConfig();
  const p = deploymentOf(config);
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.create({
      publicKey: {
        rp: { id: p.rpId, name: "장부" },
        user: {
          id: random(16),
          name: `jangbu-${new Date().toISOString().slice(0, 10)}`,
          displayName: "장부",
        },
        challenge: random(32),
        pubKeyCredParams: [{ type: "public-key", alg: -7 }], // ES256: P-256 with SHA-256
        authenticatorSelection: { userVerification: "required", residentKey: "preferred" },
        attestation: "none",
        timeout: 120_000,
      },
    })) as PublicKeyCredential | null;
  } catch {
    throw new PasskeyError("wallet.passkeyCancelled");
  }
  const response = credential?.response as AuthenticatorAttestationResponse | undefined;
  const spki = response?.getPublicKey?.();
  if (!credential || !spki) throw new PasskeyError("wallet.passkeyNoSupport");
  let key: { qx: Hex; qy: Hex };
  try {
    key = publicKeyOfSpki(new Uint8Array(spki));
  } catch {
    throw new PasskeyError("wallet.passkeyNoSupport");
  }
  const login: PasskeyLogin = {
    credentialId: base64UrlOf(new Uint8Array(credential.rawId)),
    ...key,
  };
  localStorage.setItem(STORE, JSON.stringify(login));
  return signInWithPasskey(login);
}

/** The passkey's assertion over `challenge` (user verification required). */
export async function passkeyAssertion(login: PasskeyLogin, challenge: Hex): Promise<WebAuthnAuth> {
  const config = await getConfig();
  const p = deploymentOf(config);
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.get({
      publicKey: {
        challenge: new Uint8Array(toBytes(challenge)),
        rpId: p.rpId,
        allowCredentials: [
          { type: "public-key", id: new Uint8Array(bytesOfBase64Url(login.credentialId)) },
        ],
        userVerification: "required",
        timeout: 120_000,
      },
    })) as PublicKeyCredential | null;
  } catch {
    throw new PasskeyError("wallet.passkeyCancelled");
  }
  const r = credential?.response as AuthenticatorAssertionResponse | undefined;
  if (!r) throw new PasskeyError("wallet.passkeyCancelled");
  return webAuthnAuthOf({
    authenticatorData: new Uint8Array(r.authenticatorData),
    clientDataJSON: new Uint8Array(r.clientDataJSON),
    signature: new Uint8Array(r.signature),
  });
}
