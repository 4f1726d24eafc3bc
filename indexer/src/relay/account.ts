/**
 * The relayer's key: RELAYER_PRIVATE_KEY, or RELAYER_KEYSTORE (a Web3 Secret Storage v3 JSON
 * file, as geth, Besu's tooling and ethers write it) with RELAYER_KEYSTORE_PASSWORD. On the local
 * Hardhat chain (31337) without either, a funded Hardhat development account. The key is never
 * logged and never appears in an error message.
 */
import { createDecipheriv, pbkdf2Sync, scryptSync, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { concat, type Hex, hexToBytes, isHex, keccak256, toHex } from "viem";
import { type LocalAccount, privateKeyToAccount } from "viem/accounts";
import { RelayConfigError } from "./config.ts";

/** Hardhat's well-known development mnemonic: its accounts are funded on every Hardhat chain. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/**
 * The development relayer is Hardhat account #9: account #0 deploys and #1 relays the demo seed
 * (scripts/seed), so #9 never competes with them for nonces.
 */
export const DEV_RELAYER_INDEX = 9;
/**
 * Account #9's key as Hardhat publishes it (test/relay/units.test.ts derives it from the mnemonic
 * and compares). Deriving it at every start ran BIP-39's 2,048 rounds of PBKDF2 in JavaScript:
 * 150 ms of a start-up on the local chain, against 40 ms from the key.
 */
export const DEV_RELAYER_PRIVATE_KEY =
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
const HARDHAT_CHAIN_ID = 31337;

export type RelayerAccountSource = "RELAYER_PRIVATE_KEY" | "RELAYER_KEYSTORE" | "hardhat-dev";

export type RelayerAccount = {
  account: LocalAccount;
  /** Where the key came from (safe to log). */
  source: RelayerAccountSource;
};

/**
 * The relayer account from the environment, or undefined when none is configured (and the chain
 * is not the local Hardhat chain): the relay then answers 503 RELAY_DISABLED.
 */
export function relayerAccountFromEnv(
  env: NodeJS.ProcessEnv,
  { chainId }: { chainId: number },
): RelayerAccount | undefined {
  const key = env.RELAYER_PRIVATE_KEY?.trim();
  const keystore = env.RELAYER_KEYSTORE?.trim();
  if (key) {
    if (keystore) {
      throw new RelayConfigError("set RELAYER_PRIVATE_KEY or RELAYER_KEYSTORE, not both");
    }
    const normalised = key.startsWith("0x") ? key : `0x${key}`;
    if (!isHex(normalised) || normalised.length !== 66) {
      throw new RelayConfigError("RELAYER_PRIVATE_KEY: must be 32 bytes of hex");
    }
    try {
      return { account: privateKeyToAccount(normalised), source: "RELAYER_PRIVATE_KEY" };
    } catch {
      throw new RelayConfigError("RELAYER_PRIVATE_KEY: not a valid secp256k1 private key");
    }
  }
  if (keystore) {
    const password = env.RELAYER_KEYSTORE_PASSWORD;
    if (password === undefined) {
      throw new RelayConfigError("RELAYER_KEYSTORE is set but RELAYER_KEYSTORE_PASSWORD is not");
    }
    let json: string;
    try {
      json = readFileSync(keystore, "utf8");
    } catch (error) {
      throw new RelayConfigError(
        `RELAYER_KEYSTORE: cannot read ${keystore} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    const privateKey = decryptKeystore(json, password);
    return { account: privateKeyToAccount(privateKey), source: "RELAYER_KEYSTORE" };
  }
  if (chainId === HARDHAT_CHAIN_ID) {
    return {
      account: privateKeyToAccount(DEV_RELAYER_PRIVATE_KEY),
      source: "hardhat-dev",
    };
  }
  return undefined;
}

type KeystoreV3 = {
  version: number;
  crypto?: KeystoreCrypto;
  Crypto?: KeystoreCrypto;
};
type KeystoreCrypto = {
  cipher: string;
  ciphertext: string;
  cipherparams: { iv: string };
  kdf: string;
  kdfparams: Record<string, unknown>;
  mac: string;
};

const hex = (value: unknown, field: string): Buffer => {
  if (typeof value !== "string" || !/^(0x)?[0-9a-fA-F]*$/.test(value)) {
    throw new RelayConfigError(`RELAYER_KEYSTORE: ${field} is not hex`);
  }
  return Buffer.from(value.replace(/^0x/, ""), "hex");
};
const num = (value: unknown, field: string): number => {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new RelayConfigError(`RELAYER_KEYSTORE: ${field} is not a positive integer`);
  }
  return value;
};

/**
 * The private key in a Web3 Secret Storage v3 keystore (scrypt or pbkdf2-hmac-sha256, aes-128-ctr,
 * keccak-256 MAC). A wrong password fails the MAC check.
 */
export function decryptKeystore(json: string, password: string): Hex {
  let parsed: KeystoreV3;
  try {
    parsed = JSON.parse(json) as KeystoreV3;
  } catch {
    throw new RelayConfigError("RELAYER_KEYSTORE: not JSON");
  }
  const c = parsed.crypto ?? parsed.Crypto;
  if (parsed.version !== 3 || c === undefined) {
    throw new RelayConfigError("RELAYER_KEYSTORE: not a version 3 keystore");
  }
  const pass = Buffer.from(password.normalize("NFKC"), "utf8");
  const p = c.kdfparams;
  const salt = hex(p.salt, "kdfparams.salt");
  const dklen = num(p.dklen, "kdfparams.dklen");
  let derived: Buffer;
  if (c.kdf === "scrypt") {
    const N = num(p.n, "kdfparams.n");
    const r = num(p.r, "kdfparams.r");
    derived = scryptSync(pass, salt, dklen, {
      N,
      r,
      p: num(p.p, "kdfparams.p"),
      maxmem: 256 * N * r + 1024 * 1024,
    });
  } else if (c.kdf === "pbkdf2") {
    if (p.prf !== "hmac-sha256") {
      throw new RelayConfigError("RELAYER_KEYSTORE: pbkdf2 prf must be hmac-sha256");
    }
    derived = pbkdf2Sync(pass, salt, num(p.c, "kdfparams.c"), dklen, "sha256");
  } else {
    throw new RelayConfigError(`RELAYER_KEYSTORE: unsupported kdf ${String(c.kdf)}`);
  }
  if (derived.length < 32) throw new RelayConfigError("RELAYER_KEYSTORE: dklen below 32");
  const ciphertext = hex(c.ciphertext, "ciphertext");
  const mac = hexToBytes(keccak256(concat([toHex(derived.subarray(16, 32)), toHex(ciphertext)])));
  const expected = hex(c.mac, "mac");
  if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) {
    throw new RelayConfigError("RELAYER_KEYSTORE: wrong password (MAC mismatch)");
  }
  if (c.cipher !== "aes-128-ctr") {
    throw new RelayConfigError(`RELAYER_KEYSTORE: unsupported cipher ${String(c.cipher)}`);
  }
  const decipher = createDecipheriv(
    "aes-128-ctr",
    derived.subarray(0, 16),
    hex(c.cipherparams.iv, "cipherparams.iv"),
  );
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (key.length !== 32) throw new RelayConfigError("RELAYER_KEYSTORE: key is not 32 bytes");
  return toHex(key);
}
