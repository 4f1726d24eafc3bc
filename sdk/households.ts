/**
 * Household tags (세대 태그): what a credential carries so the contracts can refuse a
 * conflict of interest (an inspector grading a relative's rice) without knowing who anyone is.
 *
 * The county keeps one random 32-byte secret per household, off-chain and never derived from a
 * resident number, an address or anything guessable; the tag on chain is the first 16 bytes of
 * its keccak256. A public tag reveals only that some credentials share a household.
 */
import { type Hex, keccak256, size, slice, toHex } from "viem";

/** The tag of a household whose secret is `secret` (32 bytes): 16 bytes, as `issue` takes it. */
export function householdTagOf(secret: Hex): Hex {
  if (size(secret) !== 32) throw new Error("a household secret is 32 random bytes");
  return slice(keccak256(secret), 0, 16);
}

/** A fresh household secret from the platform's cryptographic random source. */
export function newHouseholdSecret(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** The tag meaning "no household": refused by every step that compares households. */
export const NO_HOUSEHOLD: Hex = "0x00000000000000000000000000000000";
