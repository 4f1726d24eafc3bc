/**
 * Who acted, for events whose arguments name no actor (ReserveDrawn, TenderClosed…).
 *
 * A request relayed through the forwarder runs inside the relayer's transaction, so the
 * transaction's sender is the relayer, not the person who signed the request. The forwarder emits
 * `ExecutedForwardRequest(signer, nonce, success)` right after each request's call, in the same
 * transaction: every log of a request therefore comes before its own ExecutedForwardRequest and
 * after the previous request's. This holds for `execute` and for `executeBatch` (where one
 * transaction carries requests of several signers, and a request skipped as invalid emits
 * nothing), and needs no RPC call: the forwarder's events are indexed with the others.
 */
import type { Address } from "viem";
import type { EventRecord } from "./decode.ts";

/**
 * Sets `signer` on events that have none and that ran inside a forwarded request, from the
 * request's ExecutedForwardRequest. `events` are in chain order and hold whole transactions (a
 * batch covers whole blocks). Returns the events still without a signer.
 */
export function attributeForwardedSigners(
  events: readonly EventRecord[],
  forwarder: Address | undefined,
): EventRecord[] {
  const unattributed: EventRecord[] = [];
  const forwarderAddress = forwarder?.toLowerCase();
  // Walk backwards: the request signer in force is that of the next ExecutedForwardRequest.
  let tx: string | undefined;
  let requestSigner: Address | null = null;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as EventRecord;
    if (event.txHash !== tx) {
      tx = event.txHash;
      requestSigner = null;
    }
    if (
      forwarderAddress !== undefined &&
      event.event === "ExecutedForwardRequest" &&
      event.address.toLowerCase() === forwarderAddress
    ) {
      const signer = event.args.signer;
      requestSigner = typeof signer === "string" ? (signer as Address) : null;
      continue;
    }
    if (event.signer !== null) continue;
    if (requestSigner !== null) event.signer = requestSigner;
    else unattributed.push(event);
  }
  return unattributed.reverse();
}
