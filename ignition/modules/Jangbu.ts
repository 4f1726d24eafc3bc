/**
 * The jangbu contracts as one Hardhat Ignition module (`scripts/deploy.ts` runs it):
 * JangbuForwarder, CredentialRegistry(forwarder, admin, adminTransferDelay),
 * RicePurchase(forwarder, registry) and TenderBoard(forwarder, registry). VarietyTesting is
 * deployed by RicePurchase's constructor; the module reads its address (`varietyTesting()`).
 *
 * Parameters (module "Jangbu"):
 *   admin               registry admin (default: the deploying account)
 *   adminTransferDelay  seconds a new registry admin must wait before taking over (default 3 days)
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export const JANGBU_MODULE_ID = "Jangbu";
export const DEFAULT_ADMIN_TRANSFER_DELAY = 3 * 24 * 60 * 60;

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
  return { forwarder, registry, ricePurchase, tenderBoard, varietyTesting };
});
