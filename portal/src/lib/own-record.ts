/**
 * The holder's own record (name, farm registration number, region) as kept on her device: the
 * fields of the credential file she received when her credential was issued, which the portal
 * keeps encrypted under her key (chain/credential-store.ts). Only her device reads it; the public
 * API and the chain never hold these values (only their Merkle root).
 */
import { loadCredentials } from "../chain/credential-store.ts";
import type { Session } from "../chain/session.ts";

export interface OwnRecord {
  name?: string;
  farmRegistrationNo?: string;
  region?: string;
}

/** Her newest kept credential file's name, farm and region, or null (none kept, or unreadable). */
export async function ownRecord(session: Session): Promise<OwnRecord | null> {
  try {
    for (const file of await loadCredentials(session)) {
      const field = (name: string) => file.fields.find((f) => f.name === name)?.value;
      const record: OwnRecord = {
        name: field("name"),
        farmRegistrationNo: field("farmRegistrationNo"),
        region: field("region"),
      };
      if (record.name !== undefined || record.farmRegistrationNo !== undefined) return record;
    }
    return null;
  } catch {
    // A file that does not decrypt (another key) or parse is as good as none: the receipt then
    // names her by her sign-in details only.
    return null;
  }
}
