/**
 * The holder's own claims record (name, farm registration, address…) as kept on her device,
 * under `jangbu.claims:<address>` in this browser's storage: what she received with her
 * credential. Only this device reads it; the public API never holds it.
 */
export interface OwnRecord {
  name?: string;
  farmRegistration?: string;
  address?: string;
}

export const ownRecordKey = (address: string) => `jangbu.claims:${address.toLowerCase()}`;

/** The record stored for `address` on this device, or null (none, or unreadable). */
export function ownRecord(address: string): OwnRecord | null {
  try {
    const raw = localStorage.getItem(ownRecordKey(address));
    if (raw === null) return null;
    const body = JSON.parse(raw) as { record?: OwnRecord } & OwnRecord;
    const r = body.record ?? body;
    return typeof r === "object" && r !== null ? r : null;
  } catch {
    return null;
  }
}
