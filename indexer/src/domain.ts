/**
 * The domain enums, from the SDK (generated from the Solidity enums; never re-declared here),
 * and the decoders of the ids that encode several fields.
 */

// The id decoders live in the SDK with the reducers that use them too.
export { decodeCredentialId, decodeSaleId } from "../../sdk/ids.ts";
export {
  BidStatus,
  BidStatusNames,
  GradeNames,
  Packaging,
  PackagingNames,
  PaymentKind,
  PaymentKindNames,
  ReleaseReason,
  ReleaseReasonNames,
  Role,
  RoleNames,
  SaleState,
  SaleStateNames,
  TenderState,
  TenderStateNames,
} from "../../sdk/index.ts";
