/**
 * A CredentialRegistry credential folded from the events indexed by its id (`CredentialIssued`,
 * `CredentialRevoked`, and `SuccessorNamed` naming it as the previous one), and its status the
 * way `isValid` decides it: revoked, superseded (not the subject's current credential), expired,
 * or valid.
 */
import type { Address, Hex } from "viem";
import type { CredentialRegistryAbi } from "../generated/abis.ts";
import type { Role } from "../generated/enums.ts";
import { decodeCredentialId } from "../ids.ts";
import {
  assertAfter,
  type ChainPosition,
  FoldError,
  foldEvents,
  type HistoryEntry,
  historyEntry,
  type PositionedEvent,
} from "./event.ts";

export type CredentialEvent = PositionedEvent<typeof CredentialRegistryAbi>;

export interface CredentialRecord {
  readonly id: bigint;
  readonly subject: Address;
  readonly role: Role;
  readonly region: number;
  readonly serial: bigint;
  readonly issuer: Address;
  readonly claimsHash: Hex;
  readonly expiresAt: number;
  readonly householdTag: Hex;
  readonly issued: ChainPosition;
  readonly revoked: boolean;
  readonly revokedAt: number | null;
  readonly revokedBy: Address | null;
  readonly revokeReasonHash: Hex | null;
  readonly successorId: bigint | null;
  readonly updated: ChainPosition;
  readonly history: readonly HistoryEntry[];
}

/** The id of the credential an event is about (SuccessorNamed: the previous one), if any. */
export function credentialIdOf(event: CredentialEvent): bigint | undefined {
  switch (event.eventName) {
    case "CredentialIssued":
    case "CredentialRevoked":
      return event.args.id;
    case "SuccessorNamed":
      return event.args.previousId;
    default:
      return undefined;
  }
}

/** The credential after `event`; `credential` undefined only before its `CredentialIssued`. */
export function applyCredentialEvent(
  credential: CredentialRecord | undefined,
  event: CredentialEvent,
): CredentialRecord {
  const here = historyEntry(event);
  if (event.eventName === "CredentialIssued") {
    if (credential !== undefined) throw new FoldError(`credential ${event.args.id} issued twice`);
    const a = event.args;
    return {
      id: a.id,
      subject: a.subject,
      role: a.role as Role,
      region: a.region,
      serial: BigInt(decodeCredentialId(a.id).serial),
      issuer: a.issuer,
      claimsHash: a.claimsHash,
      expiresAt: Number(a.expiresAt),
      householdTag: a.householdTag,
      issued: here,
      revoked: false,
      revokedAt: null,
      revokedBy: null,
      revokeReasonHash: null,
      successorId: null,
      updated: here,
      history: [here],
    };
  }
  if (credential === undefined)
    throw new FoldError(`${event.eventName} before the credential was issued`);
  if (credentialIdOf(event) !== credential.id)
    throw new FoldError(`${event.eventName} is not an event of credential ${credential.id}`);
  assertAfter(credential.history.at(-1), event, `credential ${credential.id}`);
  const next = (change: Partial<CredentialRecord>): CredentialRecord => ({
    ...credential,
    ...change,
    updated: here,
    history: [...credential.history, here],
  });
  switch (event.eventName) {
    case "CredentialRevoked":
      return next({
        revoked: true,
        revokedAt: event.blockTime ?? null,
        revokedBy: event.args.revoker,
        revokeReasonHash: event.args.reasonHash,
      });
    case "SuccessorNamed":
      return next({ successorId: event.args.successorId });
    default:
      throw new FoldError(`${event.eventName} is not an event of credential ${credential.id}`);
  }
}

/** Folds a credential's events, in chain order, into its state. */
export function foldCredential(events: readonly CredentialEvent[]): CredentialRecord {
  return foldEvents(events, applyCredentialEvent, "CredentialIssued");
}

export type CredentialStatus = "valid" | "revoked" | "expired" | "superseded";

/** The line a credential belongs to: a later serial of the same line supersedes it. */
export const credentialLineOf = (c: Pick<CredentialRecord, "subject" | "role" | "region">) =>
  `${c.subject.toLowerCase()}|${c.role}|${c.region}`;

/**
 * The status at `now` (Unix seconds) as `isValid` decides it; `newestSerial` is the highest serial
 * of the credential's line (same subject, role and region) on chain.
 */
export function credentialStatus(
  credential: CredentialRecord,
  newestSerial: bigint,
  now: number,
): CredentialStatus {
  if (credential.revoked) return "revoked";
  if (newestSerial > credential.serial) return "superseded";
  return credential.expiresAt <= now ? "expired" : "valid";
}
