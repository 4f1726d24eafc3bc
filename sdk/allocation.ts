/**
 * How much of a farm allocation a sale holds, exactly as RicePurchase keeps
 * `Allocation.committed`:
 *   - submitSale adds the sale's units (Submitted holds all delivered units);
 *   - cancelSale subtracts them (Cancelled holds nothing);
 *   - recordInspection swaps the held units for the accepted ones (sum of the four grades), so
 *     Rejected / RejectedOnReinspection hold nothing, and Inspected, Disputed, Reinspected and
 *     every later state hold the accepted units (a dispute keeps the first inspection's accepted
 *     units until the reinspection replaces them).
 * The portal's "남은 물량" is `allocationRemaining` (checked in portal/src/__tests__/farmer.test.tsx).
 */
import { type SaleState, SaleStateNames } from "./generated/enums.ts";

/** A sale as the API lists it: state by name (or number), delivered and accepted units. */
export interface HeldSale {
  state: string | number | SaleState;
  units: number | string;
  acceptedUnits?: number | string | null;
}

const stateName = (s: HeldSale["state"]): string =>
  typeof s === "number" || /^\d+$/.test(String(s))
    ? (SaleStateNames[Number(s)] ?? String(s))
    : String(s);

/** Units of its allocation the sale holds (what `committed` counts for it on chain). */
export function unitsHeld(sale: HeldSale): number {
  switch (stateName(sale.state)) {
    case "None":
    case "Cancelled":
    case "Rejected":
    case "RejectedOnReinspection":
      return 0;
    case "Submitted":
      return Number(sale.units);
    default:
      return Number(sale.acceptedUnits ?? 0);
  }
}

/** The allocation's free units: `units − committed`, never below 0. */
export function allocationRemaining(allocationUnits: number, sales: readonly HeldSale[]): number {
  const committed = sales.reduce((sum, s) => sum + unitsHeld(s), 0);
  return Math.max(0, Number(allocationUnits) - committed);
}
