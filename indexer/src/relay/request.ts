/**
 * The body of `POST /api/v1/relay`, its shape checks and the signature check. Pure functions: no
 * RPC, so every refusal here costs microseconds.
 */
import { z } from "@hono/zod-openapi";
import {
  type Address,
  getAddress,
  type Hex,
  hexToBigInt,
  isAddress,
  recoverAddress,
  sliceHex,
} from "viem";
import {
  FORWARDER_NAME,
  FORWARDER_VERSION,
  type ForwardRequest,
  forwardRequestDigest,
} from "../../../sdk/forwarder.ts";
import { RelayRefusal } from "./errors.ts";
import type { Recover } from "./recover-pool.ts";

const UINT256_DIGITS = 78;
const MAX_UINT48 = 2n ** 48n - 1n;
/** secp256k1 n / 2: OpenZeppelin's ECDSA refuses a larger `s` (malleable signatures). */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

const address = z
  .string()
  .refine((s) => isAddress(s, { strict: true }), "must be an address (0x + 40 hex, valid checksum)")
  .openapi({ example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
const decimal = z
  .union([
    z
      .string()
      .regex(new RegExp(`^(0|[1-9][0-9]{0,${UINT256_DIGITS - 1}})$`), "must be a decimal integer"),
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  ])
  .openapi({
    type: "string",
    example: "200000",
    description: "unsigned integer as a decimal string",
  });
const hexBytes = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x-prefixed hex bytes");

export const RelayDomainSchema = z
  .strictObject({
    name: z.string().max(64).optional(),
    version: z.string().max(16).optional(),
    chainId: decimal,
    verifyingContract: address,
  })
  .openapi("RelayDomain", {
    description: "The EIP-712 domain the request was signed for: it must be this relay's.",
  });

export const ForwardRequestSchema = z
  .strictObject({
    from: address,
    to: address,
    value: decimal,
    gas: decimal,
    nonce: decimal,
    deadline: decimal,
    data: hexBytes,
  })
  .openapi("ForwardRequest", {
    description: "OpenZeppelin ERC2771Forwarder ForwardRequest; integers as decimal strings.",
  });

export const RelayBodySchema = z
  .strictObject({
    domain: RelayDomainSchema.optional(),
    request: ForwardRequestSchema,
    signature: hexBytes.openapi({ description: "65-byte EIP-712 signature (r, s, v)" }),
  })
  .openapi("RelayRequest");

/** A request that passed the shape checks. */
export type ParsedRelayBody = {
  request: ForwardRequest;
  signature: Hex;
  domain?: { name?: string; version?: string; chainId: bigint; verifyingContract: Address };
};

const toBig = (value: string | number): bigint => BigInt(value);

/** Checks the body's shape and sizes and converts it; refuses with RELAY_MALFORMED / RELAY_TOO_LARGE. */
export function parseRelayBody(json: unknown, limits: { maxDataBytes: number }): ParsedRelayBody {
  const parsed = RelayBodySchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    }));
    const first = issues[0];
    throw new RelayRefusal(
      "RELAY_MALFORMED",
      first ? `${first.path || "body"}: ${first.message}` : "malformed request",
      { issues },
    );
  }
  const { request: r, signature, domain } = parsed.data;
  const dataBytes = (r.data.length - 2) / 2;
  if (dataBytes > limits.maxDataBytes) {
    throw new RelayRefusal(
      "RELAY_TOO_LARGE",
      `request.data is ${dataBytes} bytes, above the ${limits.maxDataBytes} the relay accepts`,
      { size: dataBytes, max: limits.maxDataBytes },
    );
  }
  const deadline = toBig(r.deadline);
  if (deadline > MAX_UINT48) {
    throw new RelayRefusal("RELAY_MALFORMED", "request.deadline: must fit in uint48");
  }
  return {
    request: {
      from: getAddress(r.from),
      to: getAddress(r.to),
      value: toBig(r.value),
      gas: toBig(r.gas),
      nonce: toBig(r.nonce),
      deadline: Number(deadline),
      data: r.data.toLowerCase() as Hex,
    },
    signature: signature.toLowerCase() as Hex,
    ...(domain
      ? {
          domain: {
            ...(domain.name !== undefined ? { name: domain.name } : {}),
            ...(domain.version !== undefined ? { version: domain.version } : {}),
            chainId: toBig(domain.chainId),
            verifyingContract: getAddress(domain.verifyingContract),
          },
        }
      : {}),
  };
}

/** Refuses a body signed for another chain or forwarder (when it says which domain it used). */
export function checkDomain(
  body: ParsedRelayBody,
  expected: { chainId: number; forwarder: Address },
): void {
  const d = body.domain;
  if (d === undefined) return; // then a wrong domain shows as RELAY_BAD_SIGNATURE
  if (d.chainId !== BigInt(expected.chainId)) {
    throw new RelayRefusal(
      "RELAY_WRONG_CHAIN",
      `signed for chain ${d.chainId}; this relay serves chain ${expected.chainId}`,
      { chainId: d.chainId.toString(), expected: expected.chainId },
    );
  }
  if (
    d.verifyingContract !== expected.forwarder ||
    (d.name !== undefined && d.name !== FORWARDER_NAME) ||
    (d.version !== undefined && d.version !== FORWARDER_VERSION)
  ) {
    throw new RelayRefusal(
      "RELAY_WRONG_FORWARDER",
      `signed for forwarder ${d.verifyingContract} ("${d.name ?? FORWARDER_NAME}" v${d.version ?? FORWARDER_VERSION}); this relay's is ${expected.forwarder} ("${FORWARDER_NAME}" v${FORWARDER_VERSION})`,
      { verifyingContract: d.verifyingContract, expected: expected.forwarder },
    );
  }
}

/**
 * The request's EIP-712 digest under this relay's domain, once the signature is a canonical one
 * (65 bytes, v 27/28, low s: what the forwarder accepts) that recovers to `request.from`.
 */
export async function verifySignature(
  body: ParsedRelayBody,
  domain: { chainId: number; forwarder: Address },
  recover: Recover = (hash, signature) => recoverAddress({ hash, signature }),
): Promise<Hex> {
  const { request, signature } = body;
  const refuse = (message: string) =>
    new RelayRefusal("RELAY_BAD_SIGNATURE", message, { from: request.from });
  if (signature.length !== 132) throw refuse("the signature must be 65 bytes (r, s, v)");
  const s = hexToBigInt(sliceHex(signature, 32, 64));
  const v = Number.parseInt(signature.slice(130), 16);
  if (v !== 27 && v !== 28) throw refuse("the signature's v must be 27 or 28");
  if (s > HALF_N || s === 0n) throw refuse("the signature's s is not in the lower half order");
  const digest = forwardRequestDigest(domain.chainId, domain.forwarder, request);
  let signer: Address;
  try {
    signer = await recover(digest, signature);
  } catch {
    throw refuse("the signature does not recover to any address");
  }
  if (signer !== request.from) {
    throw new RelayRefusal(
      "RELAY_BAD_SIGNATURE",
      `the signature is not request.from's for this chain and forwarder`,
      { from: request.from, recovered: signer },
    );
  }
  return digest;
}
