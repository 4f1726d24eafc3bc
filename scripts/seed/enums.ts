/** The contracts' enums for the seed: the SDK's generated ones, plus the demo's region codes. */
import { RoleNames, SaleStateNames } from "../../sdk/generated/enums.ts";

export { Packaging, PaymentKind, Role, TenderStateNames } from "../../sdk/generated/enums.ts";

export type RoleName = (typeof RoleNames)[number];
export const ROLE_NAMES: RoleName[] = [...RoleNames];

/** IRicePurchase.SaleState, in declaration order. */
export const SALE_STATES = SaleStateNames;
export type SaleStateName = (typeof SaleStateNames)[number];

export const REGION = { NATIONAL: 0, JEONNAM: 46_000, GANGJIN: 46_810 } as const;
