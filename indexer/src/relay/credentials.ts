/**
 * The relay's credential gate. The rule:
 *
 * 1. Pre-check (this file): the signer must hold at least one valid credential, whatever its role
 *    and region. This keeps strangers from making the relay simulate for them. Credentials are not
 *    enumerable in the registry's storage, but `CredentialIssued` indexes the subject, so the
 *    signer's credential ids come from one `eth_getLogs` filtered on that topic and each is
 *    checked with `isValid(id)` (revocation and expiry included). A positive answer is cached for
 *    a short while; a negative one never is (a farmer credentialed a minute ago can act at once).
 *    The indexer's store can answer instead (`credentialCheck` of `createRelay`).
 * 2. Authoritative check: the simulation. Every jangbu action checks the exact role and region it
 *    needs and reverts with `CredentialRequired(account, role, region)` (or `NotIssuer`); the relay
 *    answers that as RELAY_NO_CREDENTIAL too, with the decoded role and region.
 */
import { type Address, getAbiItem, type PublicClient } from "viem";
import { CredentialRegistryAbi } from "../../../sdk/generated/abis.ts";
import { RelayUnavailable } from "./errors.ts";
import type { RelayedAction } from "./policy.ts";

/** True when `signer` may use the relay for `action` (see the rule above). */
export type CredentialCheck = (p: { signer: Address; action: RelayedAction }) => Promise<boolean>;

const CredentialIssued = getAbiItem({ abi: CredentialRegistryAbi, name: "CredentialIssued" });

export type CreateChainCredentialCheckParameters = {
  publicClient: Pick<PublicClient, "getLogs" | "readContract">;
  registry: Address;
  /** First block to scan (the deployment's start block). */
  fromBlock: bigint;
  /** How long a positive answer is kept (ms). */
  cacheMs: number;
  now?: () => number;
};

/** The pre-check read from the chain: one topic-filtered `eth_getLogs` and `isValid` calls. */
export const createChainCredentialCheck = ({
  publicClient,
  registry,
  fromBlock,
  cacheMs,
  now = Date.now,
}: CreateChainCredentialCheckParameters): CredentialCheck => {
  const validUntil = new Map<Address, number>();
  const inflight = new Map<Address, Promise<boolean>>();

  const lookup = async (signer: Address): Promise<boolean> => {
    try {
      const logs = await publicClient.getLogs({
        address: registry,
        event: CredentialIssued,
        args: { subject: signer },
        fromBlock,
        toBlock: "latest",
      });
      // Newest first: the most recent credential is the most likely to be valid.
      const ids = [...new Set(logs.map((log) => log.args.id).filter((id) => id !== undefined))];
      for (const id of ids.reverse()) {
        const valid = await publicClient.readContract({
          address: registry,
          abi: CredentialRegistryAbi,
          functionName: "isValid",
          args: [id],
        });
        if (valid) return true;
      }
      return false;
    } catch (error) {
      throw new RelayUnavailable(
        "RELAY_UNAVAILABLE",
        "the chain's RPC failed reading credentials",
        {
          cause: error,
        },
      );
    }
  };

  return async ({ signer }) => {
    const cached = validUntil.get(signer);
    if (cached !== undefined && cached > now()) return true;
    let pending = inflight.get(signer);
    if (pending === undefined) {
      pending = lookup(signer).finally(() => inflight.delete(signer));
      inflight.set(signer, pending);
    }
    const valid = await pending;
    if (valid && cacheMs > 0) {
      validUntil.set(signer, now() + cacheMs);
      if (validUntil.size > 100_000) {
        const t = now();
        for (const [key, until] of validUntil) if (until <= t) validUntil.delete(key);
      }
    }
    return valid;
  };
};

/** The indexer store's SQL, as far as the check needs it. */
export type CredentialQuery = (
  text: string,
  params: readonly unknown[],
) => Promise<readonly Record<string, unknown>[]>;

/**
 * The pre-check from the indexer's store (the `credentials` projection): a current, unrevoked,
 * unexpired credential of the signer there is enough. The store may lag the chain, so "none in
 * the store" falls back to `fallback` (the chain check) before refusing.
 */
export const createStoreCredentialCheck = ({
  query,
  fallback,
  now = Date.now,
}: {
  query: CredentialQuery;
  fallback: CredentialCheck;
  now?: () => number;
}): CredentialCheck => {
  const sql = `select 1 as ok from credentials c
    where c.subject = $1 and not c.revoked and c.expires_at > $2
      and c.serial = (select max(d.serial) from credentials d
                      where d.subject = c.subject and d.role = c.role and d.region = c.region)
    limit 1`;
  return async (p) => {
    try {
      const rows = await query(sql, [p.signer, Math.floor(now() / 1_000)]);
      if (rows.length > 0) return true;
    } catch {
      // the store is not answering: the chain decides
    }
    return fallback(p);
  };
};
