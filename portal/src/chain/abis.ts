/** The contracts' ABIs, from the SDK only (never re-declared), merged for decoding. */
import type { Abi } from "viem";
import {
  CredentialRegistryAbi,
  FarmGatePricesAbi,
  IPasskeyAccountAbi,
  JangbuForwarderAbi,
  PasskeyAccountAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  VarietyTestingAbi,
} from "../../../sdk/generated/abis.ts";

export {
  CredentialRegistryAbi,
  FarmGatePricesAbi,
  JangbuForwarderAbi,
  PasskeyAccountAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  VarietyTestingAbi,
};

/** Every event and error of the system, deduplicated by signature. */
export const ALL_ABI: Abi = (() => {
  const seen = new Set<string>();
  const out: Abi[number][] = [];
  for (const abi of [
    RicePurchaseAbi,
    TenderBoardAbi,
    CredentialRegistryAbi,
    JangbuForwarderAbi,
    FarmGatePricesAbi,
    IPasskeyAccountAbi,
    VarietyTestingAbi,
  ] as Abi[]) {
    for (const item of abi) {
      if (item.type !== "event" && item.type !== "error") continue;
      const key = `${item.type}:${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  return out;
})();
