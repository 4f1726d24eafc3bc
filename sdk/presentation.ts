/**
 * The holder's credential file, presentations of chosen fields, and their verification against
 * the chain (docs/credential-claims.md). A presentation has the shape of a W3C Verifiable
 * Presentation, in plain JSON: its `@context` entries are names only, never fetched.
 *
 * The holder signs, with EIP-712, the credential id, the verifier's one-time challenge and the hash
 * of the leaves she discloses; a verifier recovers the signer and requires the credential's
 * subject. Only EOA holders: a contract account (a passkey wallet) would need ERC-1271.
 */
import {
  type Address,
  decodeEventLog,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddress,
  keccak256,
  recoverTypedDataAddress,
  type TypedDataDefinition,
  toHex,
} from "viem";
import {
  type ClaimField,
  claimLeaf,
  claimProof,
  claimsRoot,
  sortedFields,
  verifyClaimProof,
} from "./claims.ts";
import { CredentialRegistryAbi } from "./generated/abis.ts";
import { RoleNames } from "./generated/enums.ts";
import { decodeCredentialId } from "./ids.ts";

/** The context names written into files and presentations (identifiers only: nothing fetches them). */
export const VC_CONTEXT = "https://www.w3.org/ns/credentials/v2";
export const JANGBU_CONTEXT = "urn:jangbu:credential-claims:v1";

/** What the holder keeps: everything needed to present any of her fields. */
export interface CredentialFile {
  readonly type: "JangbuCredentialFile";
  readonly version: 1;
  readonly chainId: number;
  /** The CredentialRegistry address. */
  readonly registry: Address;
  /** The credential id (decimal). */
  readonly credentialId: string;
  readonly subject: Address;
  readonly role: (typeof RoleNames)[number];
  readonly region: number;
  readonly issuer: Address;
  /** The Merkle root, as `claimsHash` on chain. */
  readonly claimsRoot: Hex;
  readonly fields: readonly ClaimField[];
}

/** One disclosed field's opening: its salt and Merkle proof (the value is in credentialSubject). */
export interface Disclosure {
  readonly name: string;
  readonly salt: Hex;
  readonly proof: readonly Hex[];
}

export interface Presentation {
  readonly "@context": readonly string[];
  readonly type: readonly ["VerifiablePresentation", "JangbuFieldPresentation"];
  /** did:pkh:eip155:<chainId>:<holder address> */
  readonly holder: string;
  readonly verifiableCredential: readonly [
    {
      readonly "@context": readonly string[];
      readonly type: readonly ["VerifiableCredential", "JangbuFieldCredential"];
      /** urn:jangbu:credential:<chainId>:<registry>:<credential id> */
      readonly id: string;
      /** As the holder's file says; a verifier takes the issuer from the chain. */
      readonly issuer: string;
      readonly credentialSubject: Readonly<Record<string, string>> & { readonly id: string };
      readonly proof: {
        readonly type: "JangbuSaltedMerkleDisclosure";
        readonly claimsRoot: Hex;
        readonly disclosures: readonly Disclosure[];
      };
    },
  ];
  readonly proof: {
    readonly type: "JangbuEip712Presentation";
    readonly proofPurpose: "authentication";
    readonly verificationMethod: string;
    /** The verifier's one-time challenge (32 bytes). */
    readonly challenge: Hex;
    readonly created: string;
    readonly proofValue: Hex;
  };
}

/** Thrown for a file or presentation that is not what it claims to be. */
export class PresentationFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PresentationFormatError";
  }
}

const fail = (m: string): never => {
  throw new PresentationFormatError(m);
};
const isHex32 = (v: unknown): v is Hex => typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const didPkh = (chainId: number, address: Address) =>
  `did:pkh:eip155:${chainId}:${getAddress(address)}`;

function fromDidPkh(did: unknown): { chainId: number; address: Address } {
  const m = typeof did === "string" ? /^did:pkh:eip155:(\d+):(0x[0-9a-fA-F]{40})$/.exec(did) : null;
  if (!m) return fail(`not a did:pkh account: ${String(did)}`);
  return { chainId: Number(m[1]), address: getAddress(m[2] as string) };
}

export const credentialUrn = (chainId: number, registry: Address, id: bigint | string) =>
  `urn:jangbu:credential:${chainId}:${getAddress(registry)}:${BigInt(id).toString()}`;

function fromUrn(urn: unknown): { chainId: number; registry: Address; id: bigint } {
  const m =
    typeof urn === "string"
      ? /^urn:jangbu:credential:(\d+):(0x[0-9a-fA-F]{40}):(\d+)$/.exec(urn)
      : null;
  if (!m) return fail(`not a jangbu credential id: ${String(urn)}`);
  return {
    chainId: Number(m[1]),
    registry: getAddress(m[2] as string),
    id: BigInt(m[3] as string),
  };
}

// ---- The holder's file ----

/** The holder's file for a credential just issued (the root is computed from the fields). */
export function credentialFile(
  p: Omit<CredentialFile, "type" | "version" | "claimsRoot">,
): CredentialFile {
  const decoded = decodeCredentialId(BigInt(p.credentialId));
  if (decoded.subject !== getAddress(p.subject))
    fail("the credential id does not name this holder");
  return {
    type: "JangbuCredentialFile",
    version: 1,
    chainId: p.chainId,
    registry: getAddress(p.registry),
    credentialId: BigInt(p.credentialId).toString(),
    subject: getAddress(p.subject),
    role: p.role,
    region: p.region,
    issuer: getAddress(p.issuer),
    claimsRoot: claimsRoot(p.fields),
    fields: sortedFields(p.fields),
  };
}

/** Reads a holder's file (JSON text or parsed), checking that its fields make its root. */
export function parseCredentialFile(input: unknown): CredentialFile {
  let v = input;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      fail("the file is not JSON");
    }
  }
  if (!isObject(v) || v.type !== "JangbuCredentialFile" || v.version !== 1)
    return fail("not a jangbu credential file");
  for (const k of ["registry", "subject", "issuer"] as const)
    if (typeof v[k] !== "string" || !isAddress(v[k] as string)) fail(`${k} is not an address`);
  if (typeof v.credentialId !== "string" || !/^\d+$/.test(v.credentialId))
    fail("bad credential id");
  if (!Number.isInteger(v.chainId)) fail("bad chain id");
  if (!RoleNames.includes(v.role as (typeof RoleNames)[number])) fail("bad role");
  if (!isHex32(v.claimsRoot)) fail("bad claims root");
  if (!Array.isArray(v.fields)) fail("no fields");
  const fields = (v.fields as unknown[]).map((f) => {
    if (!isObject(f)) return fail("bad field");
    return { name: String(f.name), value: String(f.value), salt: f.salt as Hex };
  });
  let root: Hex;
  try {
    root = claimsRoot(fields);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  if (root.toLowerCase() !== (v.claimsRoot as string).toLowerCase())
    fail("the fields do not make the file's claims root");
  return credentialFile({
    chainId: v.chainId as number,
    registry: v.registry as Address,
    credentialId: v.credentialId as string,
    subject: v.subject as Address,
    role: v.role as CredentialFile["role"],
    region: Number(v.region),
    issuer: v.issuer as Address,
    fields,
  });
}

// ---- Presenting ----

/** A fresh one-time challenge (the verifier's). */
export function newChallenge(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** The hash of the disclosed leaves in presentation order: what the holder's signature covers. */
export function disclosuresHash(leaves: readonly Hex[]): Hex {
  return keccak256(encodeAbiParameters([{ type: "bytes32[]" }], [leaves]));
}

export const presentationTypes = {
  Presentation: [
    { name: "credentialId", type: "uint256" },
    { name: "challenge", type: "bytes32" },
    { name: "disclosures", type: "bytes32" },
  ],
} as const;

/** The EIP-712 data the holder signs for presenting `leaves` of `credentialId` over `challenge`. */
export function presentationTypedData(p: {
  chainId: number;
  registry: Address;
  credentialId: bigint;
  challenge: Hex;
  leaves: readonly Hex[];
}): TypedDataDefinition<typeof presentationTypes, "Presentation"> {
  return {
    domain: {
      name: "jangbu credential presentation",
      version: "1",
      chainId: p.chainId,
      verifyingContract: getAddress(p.registry),
    },
    types: presentationTypes,
    primaryType: "Presentation",
    message: {
      credentialId: p.credentialId,
      challenge: p.challenge,
      disclosures: disclosuresHash(p.leaves),
    },
  };
}

/** A signer: a viem local account's or the portal session's `signTypedData`. */
export type TypedDataSigner = (
  typed: TypedDataDefinition<typeof presentationTypes, "Presentation">,
) => Promise<Hex>;

/** Builds and signs a presentation of the fields `names` of `file` over `challenge`. */
export async function makePresentation(
  file: CredentialFile,
  names: readonly string[],
  challenge: Hex,
  sign: TypedDataSigner,
  created = new Date(),
): Promise<Presentation> {
  if (!isHex32(challenge)) fail("the challenge is not 32 bytes of hex");
  if (names.length === 0) fail("choose at least one field to show");
  const chosen = names.map((n) => {
    const f = file.fields.find((x) => x.name === n);
    return f ?? fail(`the credential has no field ${n}`);
  });
  const typed = presentationTypedData({
    chainId: file.chainId,
    registry: file.registry,
    credentialId: BigInt(file.credentialId),
    challenge,
    leaves: chosen.map(claimLeaf),
  });
  const proofValue = await sign(typed);
  const holder = didPkh(file.chainId, file.subject);
  return {
    "@context": [VC_CONTEXT, JANGBU_CONTEXT],
    type: ["VerifiablePresentation", "JangbuFieldPresentation"],
    holder,
    verifiableCredential: [
      {
        "@context": [VC_CONTEXT, JANGBU_CONTEXT],
        type: ["VerifiableCredential", "JangbuFieldCredential"],
        id: credentialUrn(file.chainId, file.registry, file.credentialId),
        issuer: didPkh(file.chainId, file.issuer),
        credentialSubject: {
          id: holder,
          ...Object.fromEntries(chosen.map((f) => [f.name, f.value])),
        },
        proof: {
          type: "JangbuSaltedMerkleDisclosure",
          claimsRoot: file.claimsRoot,
          disclosures: chosen.map((f) => ({
            name: f.name,
            salt: f.salt,
            proof: claimProof(file.fields, f.name),
          })),
        },
      },
    ],
    proof: {
      type: "JangbuEip712Presentation",
      proofPurpose: "authentication",
      verificationMethod: `${holder}#blockchainAccountId`,
      challenge,
      created: created.toISOString(),
      proofValue,
    },
  };
}

/** The parts of a presentation a verifier checks, with the shape checked. */
export interface ParsedPresentation {
  chainId: number;
  registry: Address;
  credentialId: bigint;
  holder: Address;
  challenge: Hex;
  signature: Hex;
  fields: ClaimField[];
  proofs: Hex[][];
}

export function parsePresentation(input: unknown): ParsedPresentation {
  let v = input;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      fail("the presentation is not JSON");
    }
  }
  if (!isObject(v) || !Array.isArray(v.type) || !v.type.includes("VerifiablePresentation"))
    return fail("not a verifiable presentation");
  const holder = fromDidPkh(v.holder);
  const vcs = v.verifiableCredential;
  if (!Array.isArray(vcs) || vcs.length !== 1 || !isObject(vcs[0]))
    return fail("a presentation carries exactly one credential");
  const vc = vcs[0];
  const urn = fromUrn(vc.id);
  if (urn.chainId !== holder.chainId) fail("the holder and the credential name different chains");
  const subject = vc.credentialSubject;
  const dproof = vc.proof;
  if (!isObject(subject) || !isObject(dproof) || !Array.isArray(dproof.disclosures))
    return fail("the credential has no disclosed fields");
  if (dproof.disclosures.length === 0) fail("the presentation shows no field");
  const fields: ClaimField[] = [];
  const proofs: Hex[][] = [];
  for (const d of dproof.disclosures as unknown[]) {
    if (!isObject(d) || typeof d.name !== "string") return fail("bad disclosure");
    const value = subject[d.name];
    if (typeof value !== "string") fail(`no value for ${d.name}`);
    if (!isHex32(d.salt)) fail(`the salt of ${d.name} is not 32 bytes`);
    if (!Array.isArray(d.proof) || !d.proof.every(isHex32)) fail(`bad proof for ${d.name}`);
    if (fields.some((f) => f.name === d.name)) fail(`${d.name} is shown twice`);
    fields.push({ name: d.name, value: value as string, salt: d.salt as Hex });
    proofs.push(d.proof as Hex[]);
  }
  const p = v.proof;
  if (!isObject(p) || !isHex32(p.challenge)) return fail("the presentation answers no challenge");
  if (typeof p.proofValue !== "string" || !/^0x[0-9a-fA-F]+$/.test(p.proofValue))
    fail("the presentation is not signed");
  return {
    chainId: holder.chainId,
    registry: urn.registry,
    credentialId: urn.id,
    holder: holder.address,
    challenge: p.challenge as Hex,
    signature: p.proofValue as Hex,
    fields,
    proofs,
  };
}

// ---- Verifying against the chain ----

/** What the chain says of a credential (read from a node, not the API). */
export interface ChainCredential {
  /** From the CredentialIssued event. */
  readonly claimsHash: Hex;
  readonly issuer: Address;
  readonly subject: Address;
  readonly role: number;
  readonly region: number;
  /** From `credential(id)` now. */
  readonly expiresAt: number;
  readonly issuedAt: number;
  readonly revoked: boolean;
}

export interface CredentialReader {
  /** The credential, or null when the registry never issued it. */
  credential(id: bigint): Promise<ChainCredential | null>;
  /** The latest block's timestamp (seconds). */
  now(): Promise<number>;
}

/** A JSON-RPC call (the portal's bare fetch, or any client's `request`). */
export type Rpc = (method: string, params: unknown[]) => Promise<unknown>;

/** A reader that asks a node directly: the issue event's root and `credential(id)` now. */
export function rpcCredentialReader(rpc: Rpc, registry: Address, fromBlock = 0n): CredentialReader {
  return {
    async credential(id) {
      const topics = encodeEventTopics({
        abi: CredentialRegistryAbi,
        eventName: "CredentialIssued",
        args: { id },
      });
      const logs = (await rpc("eth_getLogs", [
        { address: registry, topics, fromBlock: toHex(fromBlock), toBlock: "latest" },
      ])) as { topics: [Hex, ...Hex[]]; data: Hex }[];
      const log = logs[logs.length - 1];
      if (!log) return null;
      const ev = decodeEventLog({
        abi: CredentialRegistryAbi,
        eventName: "CredentialIssued",
        topics: log.topics,
        data: log.data,
      }).args;
      const raw = (await rpc("eth_call", [
        {
          to: registry,
          data: encodeFunctionData({
            abi: CredentialRegistryAbi,
            functionName: "credential",
            args: [id],
          }),
        },
        "latest",
      ])) as Hex;
      const c = decodeFunctionResult({
        abi: CredentialRegistryAbi,
        functionName: "credential",
        data: raw,
      });
      return {
        claimsHash: ev.claimsHash,
        issuer: getAddress(ev.issuer),
        subject: getAddress(ev.subject),
        role: Number(ev.role),
        region: Number(ev.region),
        expiresAt: Number(c.expiresAt),
        issuedAt: Number(c.issuedAt),
        revoked: c.revoked,
      };
    },
    async now() {
      const b = (await rpc("eth_getBlockByNumber", ["latest", false])) as { timestamp: Hex };
      return Number(BigInt(b.timestamp));
    },
  };
}

/** Why a presentation is refused. */
export type RefusalCode =
  | "format"
  | "network"
  | "challenge"
  | "signature"
  | "notIssued"
  | "revoked"
  | "superseded"
  | "expired"
  | "field";

export interface Refusal {
  readonly code: RefusalCode;
  /** The field concerned (code "field"). */
  readonly field?: string;
  readonly detail: string;
}

export interface PresentationResult {
  readonly ok: boolean;
  readonly refusals: readonly Refusal[];
  /** Fields whose proofs open the on-chain root (shown only when `ok`). */
  readonly proven: readonly { name: string; value: string }[];
  readonly credentialId?: bigint;
  readonly holder?: Address;
  readonly signer?: Address;
  readonly chain?: ChainCredential;
  readonly now?: number;
}

/**
 * Checks a presentation against the chain: the challenge is the one this verifier issued, the
 * signature is the credential subject's over that challenge and these fields, the credential was
 * issued and is neither revoked, superseded nor expired at the chain's time, and every field opens
 * the on-chain root. Every failure is reported, each with its reason.
 */
export async function verifyPresentation(
  input: unknown,
  opts: { challenge: Hex; chainId: number; registry: Address; reader: CredentialReader },
): Promise<PresentationResult> {
  let p: ParsedPresentation;
  try {
    p = parsePresentation(input);
  } catch (e) {
    return {
      ok: false,
      refusals: [{ code: "format", detail: e instanceof Error ? e.message : String(e) }],
      proven: [],
    };
  }
  const refusals: Refusal[] = [];
  if (p.chainId !== opts.chainId || p.registry.toLowerCase() !== opts.registry.toLowerCase()) {
    refusals.push({
      code: "network",
      detail: `made for chain ${p.chainId} registry ${p.registry}, not this one`,
    });
    return { ok: false, refusals, proven: [], credentialId: p.credentialId, holder: p.holder };
  }
  if (p.challenge.toLowerCase() !== opts.challenge.toLowerCase())
    refusals.push({ code: "challenge", detail: "answers another (old) challenge" });

  const typed = presentationTypedData({
    chainId: p.chainId,
    registry: p.registry,
    credentialId: p.credentialId,
    challenge: p.challenge,
    leaves: p.fields.map(claimLeaf),
  });
  let signer: Address | undefined;
  try {
    signer = await recoverTypedDataAddress({ ...typed, signature: p.signature });
  } catch {
    signer = undefined;
  }
  const subject = decodeCredentialId(p.credentialId).subject;
  if (signer !== subject || p.holder !== subject)
    refusals.push({
      code: "signature",
      detail: `signed by ${signer ?? "nobody"}, not by the holder ${subject}`,
    });

  const [chain, now] = await Promise.all([
    opts.reader.credential(p.credentialId),
    opts.reader.now(),
  ]);
  if (chain === null) {
    refusals.push({ code: "notIssued", detail: "the registry never issued this credential" });
    return {
      ok: false,
      refusals,
      proven: [],
      credentialId: p.credentialId,
      holder: p.holder,
      signer,
      now,
    };
  }
  if (chain.revoked && chain.issuedAt === 0)
    refusals.push({ code: "superseded", detail: "a newer credential replaced this one" });
  else if (chain.revoked) refusals.push({ code: "revoked", detail: "the issuer revoked it" });
  if (chain.issuedAt !== 0 && chain.expiresAt <= now)
    refusals.push({ code: "expired", detail: `expired at ${chain.expiresAt}` });
  p.fields.forEach((f, i) => {
    if (!verifyClaimProof(chain.claimsHash, f, p.proofs[i] ?? []))
      refusals.push({
        code: "field",
        field: f.name,
        detail: `${f.name} does not open the root on chain (changed value, wrong salt or another credential's field)`,
      });
  });
  const ok = refusals.length === 0;
  return {
    ok,
    refusals,
    proven: ok ? p.fields.map((f) => ({ name: f.name, value: f.value })) : [],
    credentialId: p.credentialId,
    holder: p.holder,
    signer,
    chain,
    now,
  };
}

/**
 * A verifier's one-time challenges: one is current at a time; a presentation is checked against
 * the current one, and an accepted presentation uses it up (a new one is issued).
 */
export class ChallengeBook {
  #current: Hex;
  readonly #used = new Set<string>();
  constructor(initial: Hex = newChallenge()) {
    this.#current = initial;
  }
  get current(): Hex {
    return this.#current;
  }
  /** True when `c` was already used up. */
  wasUsed(c: Hex): boolean {
    return this.#used.has(c.toLowerCase());
  }
  /** Uses up the current challenge and issues the next. */
  next(): Hex {
    this.#used.add(this.#current.toLowerCase());
    this.#current = newChallenge();
    return this.#current;
  }
}

// ---- QR sequences ----

const QR_PREFIX = "JB1";

/** Splits text into QR-sized parts `JB1 i/n <chunk>` (each part scanned in any order). */
export function toQrParts(text: string, partSize = 700): string[] {
  const n = Math.max(1, Math.ceil(text.length / partSize));
  return Array.from(
    { length: n },
    (_, i) => `${QR_PREFIX} ${i + 1}/${n} ${text.slice(i * partSize, (i + 1) * partSize)}`,
  );
}

/** Joins scanned parts back (any order, repeats ignored); throws while parts are missing. */
export function fromQrParts(parts: readonly string[]): string {
  const got = new Map<number, string>();
  let total = 0;
  for (const part of parts) {
    const m = /^JB1 (\d+)\/(\d+) ([\s\S]*)$/.exec(part);
    if (!m) throw new PresentationFormatError("not a jangbu QR part");
    const [i, n] = [Number(m[1]), Number(m[2])];
    if (total !== 0 && n !== total)
      throw new PresentationFormatError("parts of two different codes");
    total = n;
    got.set(i, m[3] as string);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !got.has(i));
  if (total === 0 || missing.length > 0)
    throw new PresentationFormatError(`QR parts missing: ${missing.join(", ") || "all"}`);
  return Array.from({ length: total }, (_, i) => got.get(i + 1)).join("");
}
