/**
 * The contracts' enums as numbers, for the seed only (ABIs carry no enum members). When sdk/
 * grows its domain enums, import those instead and delete this file.
 */
export const Role = { Farmer: 0, Supplier: 1, Official: 2, Inspector: 3, Auditor: 4 } as const;
export type RoleName = keyof typeof Role;
export const ROLE_NAMES = Object.keys(Role) as RoleName[];

export const Packaging = { Bag40: 0, TonBag: 1, Bulk: 2 } as const;
export const PaymentKind = { Interim: 0, FinalBalance: 1, ClawbackRepayment: 2 } as const;

/** IRicePurchase.SaleState, in declaration order. */
export const SALE_STATES = [
  "None",
  "Submitted",
  "Cancelled",
  "Inspected",
  "Rejected",
  "Disputed",
  "Reinspected",
  "RejectedOnReinspection",
  "Approved",
  "InterimPaid",
  "ClawbackDue",
  "Settled",
] as const;
export type SaleStateName = (typeof SALE_STATES)[number];

export const REGION = { NATIONAL: 0, JEONNAM: 46_000, GANGJIN: 46_810 } as const;
