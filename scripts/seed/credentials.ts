/**
 * Credentials of the whole cast, issued through the forwarder by the demo issuers the deploy
 * script named: the national official (농림축산식품부) issues Official, Inspector and Auditor
 * credentials; the county official (강진군) issues Farmer and Supplier credentials. Each credential
 * commits to the holder's off-chain record by the root of a tree of salted fields
 * (docs/credential-claims.md; the holders' files are written by ./holders.ts), and carries the holder's household tag
 * (a hash of the household's secret, which the county keeps); nothing personal goes on-chain.
 */
import { CredentialRegistryAbi } from "../../sdk/generated/abis.ts";
import type { Persona } from "./actors.ts";
import { DAY } from "./clock.ts";
import { by, type SeedContext } from "./context.ts";
import { Role, type RoleName } from "./enums.ts";
import { call, relayBatch } from "./forward.ts";

/** Which demo official issues each role's credentials. */
export const ISSUER_OF: Record<RoleName, string> = {
  Official: "official-mafra",
  Inspector: "official-mafra",
  Auditor: "official-mafra",
  Farmer: "official-gangjin",
  Supplier: "official-gangjin",
};

export async function issueCredentials(ctx: SeedContext): Promise<void> {
  const registry = ctx.deployment.addresses.CredentialRegistry;
  const expiresAt = BigInt((await ctx.clock.now()) + 2 * 365 * DAY);
  const holders: Persona[] = [...Object.values(ctx.cast.staff), ...ctx.cast.farmers];
  // Officials first: their credentials must exist before anything they do.
  const items = holders.map((p) =>
    by(
      ctx,
      ISSUER_OF[p.role],
      call(registry, {
        abi: CredentialRegistryAbi,
        functionName: "issue",
        args: [p.address, Role[p.role], p.region, p.claimsHash, expiresAt, p.householdTag],
      }),
    ),
  );
  await relayBatch(ctx.relay, items);
  ctx.log(`credentials: ${holders.length} issued (${ctx.cast.farmers.length} farmers)`);
}
