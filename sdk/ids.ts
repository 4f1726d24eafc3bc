/**
 * The ids that encode several fields, decoded as the contracts encode them: a RicePurchase sale
 * id and a CredentialRegistry credential id. One definition for the indexer, the reducers and the
 * verifiers.
 */
import { type Address, getAddress } from "viem";

const MASK_24 = (1n << 24n) - 1n;
const MASK_32 = (1n << 32n) - 1n;
const MASK_64 = (1n << 64n) - 1n;
const MASK_160 = (1n << 160n) - 1n;

const addressOf = (value: bigint): Address =>
  getAddress(`0x${value.toString(16).padStart(40, "0")}`);

/** RicePurchase sale id: `programId << 216 | region << 192 | seq << 160 | farmer`. */
export function decodeSaleId(id: bigint) {
  return {
    programId: Number((id >> 216n) & MASK_32),
    region: Number((id >> 192n) & MASK_24),
    seq: Number((id >> 160n) & MASK_32),
    farmer: addressOf(id & MASK_160),
  };
}

/** CredentialRegistry id: `subject << 96 | role << 88 | region << 64 | serial`. */
export function decodeCredentialId(id: bigint) {
  return {
    subject: addressOf((id >> 96n) & MASK_160),
    role: Number((id >> 88n) & 0xffn),
    region: Number((id >> 64n) & MASK_24),
    serial: (id & MASK_64).toString(),
  };
}
