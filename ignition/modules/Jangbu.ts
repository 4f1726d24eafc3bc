/**
 * The jangbu contracts as one Hardhat Ignition module (`scripts/deploy.ts` runs it):
 * JangbuForwarder, CredentialRegistry(forwarder, admin, adminTransferDelay),
 * RicePurchase(forwarder, registry), TenderBoard(forwarder, registry),
 * FarmGatePrices(forwarder, registry, ricePurchase) and
 * PasskeyAccountFactory(forwarder, registry, sha256(passkey relying-party id)). VarietyTesting is
 * deployed by RicePurchase's constructor; the module reads its address (`varietyTesting()`).
 *
 * Parameters (module "Jangbu"):
 *   admin               registry admin (default: the deploying account)
 *   adminTransferDelay  seconds a new registry admin must wait before taking over (default 3 days)
 *   passkeyRpIdHash     sha256 of the portal's domain, which passkeys are made for (default "localhost")
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { rpIdHashOf } from "../../sdk/passkey.ts";

export const JANGBU_MODULE_ID = "Jangbu";
export const DEFAULT_ADMIN_TRANSFER_DELAY = 3 * 24 * 60 * 60;
/** The relying-party id (domain) of the local portal, http://localhost:8080/. */
export const DEFAULT_PASSKEY_RP_ID = "localhost";

export default buildModule(JANGBU_MODULE_ID, (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminTransferDelay = m.getParameter("adminTransferDelay", DEFAULT_ADMIN_TRANSFER_DELAY);

  const forwarder = m.contract("JangbuForwarder");
  const registry = m.contract("CredentialRegistry", [forwarder, admin, adminTransferDelay]);
  const ricePurchase = m.contract("RicePurchase", [forwarder, registry]);
  const tenderBoard = m.contract("TenderBoard", [forwarder, registry]);
  const varietyTesting = m.contractAt(
    "VarietyTesting",
    m.staticCall(ricePurchase, "varietyTesting"),
  );
  const farmGatePrices = m.contract("FarmGatePrices", [forwarder, registry, ricePurchase]);
  const passkeyRpIdHash = m.getParameter("passkeyRpIdHash", rpIdHashOf(DEFAULT_PASSKEY_RP_ID));
  const passkeyFactory = m.contract("PasskeyAccountFactory", [
    forwarder,
    registry,
    passkeyRpIdHash,
  ]);
  return {
    forwarder,
    registry,
    ricePurchase,
    tenderBoard,
    varietyTesting,
    farmGatePrices,
    passkeyFactory,
  };
});
