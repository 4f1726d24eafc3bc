/** sdk/tenders.ts `tenderPhase` for a tender as the API gives it (state name, ISO deadlines). */
import { TenderStateNames } from "../../../sdk/generated/enums.ts";
import { type TenderPhase, tenderPhase } from "../../../sdk/tenders.ts";
import type { Json } from "../api/client.ts";
import { secs } from "./format.ts";
import { tenderStateName } from "./labels.ts";

export function tenderPhaseOf(x: Json, now: number): TenderPhase {
  return tenderPhase(
    {
      state: TenderStateNames.indexOf(tenderStateName(x.state) as never),
      bidDeadline: secs(x.bidDeadline),
      revealDeadline: secs(x.revealDeadline),
      drawBlock: x.drawBlock == null ? null : Number(x.drawBlock),
      deliveryDeadline: x.deliveryDeadline == null ? null : secs(x.deliveryDeadline),
    },
    now,
  );
}
