/**
 * Credential claims a holder can prove field by field (docs/credential-claims.md).
 *
 * A credential's on-chain `claimsHash` is the root of a Merkle tree whose leaves are the holder's
 * fields, each with its own 32-byte random salt. The holder keeps the fields and salts (her
 * credential file); to show a verifier some fields she hands over those fields, their salts and
 * their Merkle proofs, and nothing about the others.
 *
 *   leaf(name, value, salt) = keccak256(keccak256(abi.encode(string name, string value, bytes32 salt)))
 *   node(a, b)              = keccak256(min(a, b) ‖ max(a, b))         (sorted pair, 64 bytes)
 *
 * Leaves are ordered by field name (UTF-16 code unit order, as `Array.prototype.sort`), names are
 * unique; each level pairs neighbours left to right and an odd last node moves up unchanged.
 */
import { concat, encodeAbiParameters, type Hex, keccak256, size, toHex } from "viem";

/** One salted field of a credential. */
export interface ClaimField {
  readonly name: string;
  readonly value: string;
  /** 32 random bytes, hex. */
  readonly salt: Hex;
}

/** The field names the portal offers for each role (others may be added; names are free text). */
export const CLAIM_FIELDS = {
  Farmer: ["name", "farmRegistrationNo", "region", "bankAccount"],
  Supplier: ["businessRegistrationNo", "companyName"],
  Official: ["name", "organisation", "title"],
  Inspector: ["name", "organisation", "title"],
  Auditor: ["name", "organisation", "title"],
} as const satisfies Record<string, readonly string[]>;

/** The most fields one credential may hold (keeps files, proofs and QR codes small). */
export const MAX_CLAIM_FIELDS = 32;
/** The longest field name and value, in characters. */
export const MAX_CLAIM_NAME = 64;
export const MAX_CLAIM_VALUE = 512;

/** Thrown for a field list that cannot make a tree (empty, duplicate names, bad salt, …). */
export class ClaimsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaimsError";
  }
}

const LEAF_PARAMS = [{ type: "string" }, { type: "string" }, { type: "bytes32" }] as const;

/** A fresh salt from the platform's cryptographic random source. */
export function newClaimSalt(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

function checkField(f: ClaimField): void {
  if (typeof f?.name !== "string" || f.name === "" || f.name.length > MAX_CLAIM_NAME)
    throw new ClaimsError(`a field name is 1 to ${MAX_CLAIM_NAME} characters`);
  if (typeof f.value !== "string" || f.value.length > MAX_CLAIM_VALUE)
    throw new ClaimsError(
      `the value of ${f.name} is a text of at most ${MAX_CLAIM_VALUE} characters`,
    );
  if (typeof f.salt !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(f.salt))
    throw new ClaimsError(`the salt of ${f.name} is not 32 bytes of hex`);
}

/** The leaf of one field. */
export function claimLeaf(f: ClaimField): Hex {
  checkField(f);
  return keccak256(keccak256(encodeAbiParameters(LEAF_PARAMS, [f.name, f.value, f.salt])));
}

/** The parent of two nodes: the hash of the smaller then the larger (as 32-byte numbers). */
export function claimNode(a: Hex, b: Hex): Hex {
  const [x, y] = BigInt(a) <= BigInt(b) ? [a, b] : [b, a];
  return keccak256(concat([x, y]));
}

/** The fields in tree order (by name), refusing empty lists, too many fields and duplicate names. */
export function sortedFields(fields: readonly ClaimField[]): ClaimField[] {
  if (fields.length === 0) throw new ClaimsError("a credential needs at least one field");
  if (fields.length > MAX_CLAIM_FIELDS)
    throw new ClaimsError(`a credential holds at most ${MAX_CLAIM_FIELDS} fields`);
  for (const f of fields) checkField(f);
  const sorted = [...fields].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]?.name === sorted[i - 1]?.name)
      throw new ClaimsError(`the field ${sorted[i]?.name} appears twice`);
  return sorted;
}

/** Every level of the tree, leaves first, the root last (a one-element level). */
export function claimsLevels(fields: readonly ClaimField[]): Hex[][] {
  const levels: Hex[][] = [sortedFields(fields).map(claimLeaf)];
  for (let level = levels[0] as Hex[]; level.length > 1; ) {
    const next: Hex[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i] as Hex;
      const b = level[i + 1];
      next.push(b === undefined ? a : claimNode(a, b));
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

/** The root: what the credential's `claimsHash` holds on chain. */
export function claimsRoot(fields: readonly ClaimField[]): Hex {
  const levels = claimsLevels(fields);
  return (levels[levels.length - 1] as Hex[])[0] as Hex;
}

/** The sibling hashes from the field's leaf up to the root (a level without a sibling adds none). */
export function claimProof(fields: readonly ClaimField[], name: string): Hex[] {
  const levels = claimsLevels(fields);
  let index = sortedFields(fields).findIndex((f) => f.name === name);
  if (index < 0) throw new ClaimsError(`the credential has no field ${name}`);
  const proof: Hex[] = [];
  for (const level of levels.slice(0, -1)) {
    const sibling = level[index ^ 1];
    if (sibling !== undefined) proof.push(sibling);
    index >>= 1;
  }
  return proof;
}

/** The root a field and its proof lead to. */
export function rootFromProof(field: ClaimField, proof: readonly Hex[]): Hex {
  let node = claimLeaf(field);
  for (const sibling of proof) {
    if (size(sibling) !== 32) throw new ClaimsError("a proof step is not 32 bytes");
    node = claimNode(node, sibling);
  }
  return node;
}

/** True when the field (name, value, salt) and its proof open `root`. Never throws. */
export function verifyClaimProof(root: Hex, field: ClaimField, proof: readonly Hex[]): boolean {
  try {
    return rootFromProof(field, proof).toLowerCase() === root.toLowerCase();
  } catch {
    return false;
  }
}

/** Salted fields from a plain record, each with a fresh salt (or `saltOf(name)`). */
export function saltFields(
  record: Readonly<Record<string, string>>,
  saltOf: (name: string) => Hex = newClaimSalt,
): ClaimField[] {
  return Object.entries(record).map(([name, value]) => ({
    name: name.normalize("NFC"),
    value: value.normalize("NFC"),
    salt: saltOf(name),
  }));
}
