/**
 * Web3 Secret Storage (keystore v3) with scrypt + aes-128-ctr, from @noble (the same format
 * ethers v6 `Wallet.encrypt` / `Wallet.fromEncryptedJson` read and write; tested against ethers).
 */
import { ctr } from "@noble/ciphers/aes.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, randomBytes } from "@noble/hashes/utils.js";
import { privateKeyToAddress } from "viem/accounts";

export interface Keystore {
  version: 3;
  id: string;
  address: string;
  crypto: {
    cipher: "aes-128-ctr";
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: "scrypt";
    kdfparams: { dklen: number; n: number; p: number; r: number; salt: string };
    mac: string;
  };
}

const enc = new TextEncoder();
const strip = (h: string) => h.replace(/^0x/, "");

function uuid(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export async function encryptKeystore(
  privateKey: `0x${string}`,
  password: string,
  opts: { n?: number } = {},
): Promise<Keystore> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const n = opts.n ?? 1 << 17;
  const dk = await scryptAsync(enc.encode(password.normalize("NFKC")), salt, {
    N: n,
    r: 8,
    p: 1,
    dkLen: 32,
  });
  const ciphertext = ctr(dk.slice(0, 16), iv).encrypt(hexToBytes(strip(privateKey)));
  const mac = keccak_256(new Uint8Array([...dk.slice(16, 32), ...ciphertext]));
  return {
    version: 3,
    id: uuid(randomBytes(16)),
    address: strip(privateKeyToAddress(privateKey)).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: bytesToHex(iv) },
      ciphertext: bytesToHex(ciphertext),
      kdf: "scrypt",
      kdfparams: { dklen: 32, n, p: 1, r: 8, salt: bytesToHex(salt) },
      mac: bytesToHex(mac),
    },
  };
}

export class WrongPassword extends Error {}

export async function decryptKeystore(
  json: string | Keystore,
  password: string,
): Promise<`0x${string}`> {
  const ks = (typeof json === "string" ? JSON.parse(json) : json) as Keystore;
  const c = ks.crypto ?? (ks as unknown as { Crypto: Keystore["crypto"] }).Crypto;
  if (c?.kdf !== "scrypt" || c.cipher !== "aes-128-ctr")
    throw new WrongPassword("unsupported keystore");
  const { n, r, p, dklen, salt } = c.kdfparams;
  const dk = await scryptAsync(enc.encode(password.normalize("NFKC")), hexToBytes(strip(salt)), {
    N: n,
    r,
    p,
    dkLen: dklen,
  });
  const ct = hexToBytes(strip(c.ciphertext));
  const mac = bytesToHex(keccak_256(new Uint8Array([...dk.slice(16, 32), ...ct])));
  if (mac !== strip(c.mac).toLowerCase()) throw new WrongPassword("wrong password");
  const pk = ctr(dk.slice(0, 16), hexToBytes(strip(c.cipherparams.iv))).decrypt(ct);
  return `0x${bytesToHex(pk)}`;
}

export function newPrivateKey(): `0x${string}` {
  return `0x${bytesToHex(randomBytes(32))}`;
}
