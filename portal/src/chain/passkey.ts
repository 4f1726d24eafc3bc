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

/** The first passkey made on this device (kept where earlier versions kept their one login). */
const STORE = "jangbu.passkey";
/** The other passkeys on this device: added to an account, or made for a recovery. */
const STORE_MORE = "jangbu.passkeys";

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

const readList = (): PasskeyLogin[] => {
  try {
    const v = localStorage.getItem(STORE_MORE);
    return v ? (JSON.parse(v) as PasskeyLogin[]) : [];
  } catch {
    return [];
  }
};

/** Every passkey login kept on this device, the first one first. */
export const storedPasskeys = (): PasskeyLogin[] => {
  const first = storedPasskey();
  return [...(first ? [first] : []), ...readList()];
};

/** Keeps another passkey login on this device (a second key, or one made for a recovery). */
export function rememberPasskey(login: PasskeyLogin): void {
  const rest = readList().filter((l) => l.credentialId !== login.credentialId);
  localStorage.setItem(STORE_MORE, JSON.stringify([...rest, login]));
}

/** The account a login signs for: the one it names, else the address of its own key. */
export function accountOfLogin(
  login: PasskeyLogin,
  p: { factory: string; implementation: string },
): Address {
  return (
    login.account ??
    passkeyAccountAddress(p.factory as Address, p.implementation as Address, {
      qx: login.qx,
      qy: login.qy,
    })
  );
}

/**
 * What a new device shows the county for a recovery: its passkey's public key as one line of
 * text (also a QR), which the official pastes into startRecovery.
 */
export const passkeyKeyText = (key: { qx: Hex; qy: Hex }): string =>
  `jangbu-passkey:${key.qx.slice(2)}${key.qy.slice(2)}`;

/** The key in a {@link passkeyKeyText} line (spaces and line breaks ignored), or null. */
export function parsePasskeyKeyText(text: string): { qx: Hex; qy: Hex } | null {
  const m = /^jangbu-passkey:([0-9a-fA-F]{64})([0-9a-fA-F]{64})$/.exec(text.replace(/\s+/g, ""));
  if (!m) return null;
  return { qx: `0x${(m[1] as string).toLowerCase()}`, qy: `0x${(m[2] as string).toLowerCase()}` };
}

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** Signs in with a passkey login: the session's address is its account. */
export async function signInWithPasskey(login: PasskeyLogin): Promise<Session> {
  const config = await getConfig();
  const p = deploymentOf(config);
  const address = accountOfLogin(login, p);
  const s: Session = { kind: "passkey", address, passkey: login };
  setSession(s);
  return s;
}

/**
 * Creates a passkey (the phone asks for a fingerprint, face or PIN). `elsewhere`: on another
 * phone or a security key (a second passkey), not this device's own authenticator.
 */
export async function createPasskey(
  options: { elsewhere?: boolean; exclude?: readonly PasskeyLogin[] } = {},
): Promise<PasskeyLogin> {
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
        authenticatorSelection: {
          userVerification: "required",
          residentKey: "preferred",
          ...(options.elsewhere ? { authenticatorAttachment: "cross-platform" as const } : {}),
        },
        excludeCredentials: (options.exclude ?? []).map((l) => ({
          type: "public-key" as const,
          id: new Uint8Array(bytesOfBase64Url(l.credentialId)),
        })),
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
  return { credentialId: base64UrlOf(new Uint8Array(credential.rawId)), ...key };
}

/** Creates this device's passkey, keeps it and signs in with its account. */
export async function registerPasskey(): Promise<Session> {
  const login = await createPasskey();
  localStorage.setItem(STORE, JSON.stringify(login));
  return signInWithPasskey(login);
}

/**
 * An assertion over `challenge` (user verification required) by whichever of `logins` the
 * browser finds (this phone, or a security key held to it), and the login that made it.
 */
export async function passkeyAssertion(
  logins: readonly PasskeyLogin[],
  challenge: Hex,
): Promise<{ auth: WebAuthnAuth; login: PasskeyLogin }> {
  const config = await getConfig();
  const p = deploymentOf(config);
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.get({
      publicKey: {
        challenge: new Uint8Array(toBytes(challenge)),
        rpId: p.rpId,
        allowCredentials: logins.map((l) => ({
          type: "public-key" as const,
          id: new Uint8Array(bytesOfBase64Url(l.credentialId)),
        })),
        userVerification: "required",
        timeout: 120_000,
      },
    })) as PublicKeyCredential | null;
  } catch {
    throw new PasskeyError("wallet.passkeyCancelled");
  }
  const r = credential?.response as AuthenticatorAssertionResponse | undefined;
  const used = credential && base64UrlOf(new Uint8Array(credential.rawId));
  const login = logins.find((l) => l.credentialId === used);
  if (!r || !login) throw new PasskeyError("wallet.passkeyCancelled");
  const auth = webAuthnAuthOf({
    authenticatorData: new Uint8Array(r.authenticatorData),
    clientDataJSON: new Uint8Array(r.clientDataJSON),
    signature: new Uint8Array(r.signature),
  });
  return { auth, login };
}
