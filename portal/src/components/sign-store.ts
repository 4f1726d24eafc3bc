/** The one pending signature request (the dialog itself is loaded on first use). */
import { useSyncExternalStore } from "react";
import type { Action, Sent } from "../chain/tx.ts";

export interface Pending {
  action: Action;
  resolve: (s: Sent | null) => void;
}
let pending: Pending | null = null;
const subs = new Set<() => void>();
const emit = () => {
  for (const s of subs) s();
};

/** Opens the signing dialog for `action`; resolves with the mined tx, or null when cancelled/failed. */
export function requestSignature(action: Action): Promise<Sent | null> {
  return new Promise((resolve) => {
    pending?.resolve(null);
    pending = { action, resolve };
    emit();
  });
}

export function finishSignature(result: Sent | null): void {
  const p = pending;
  pending = null;
  emit();
  p?.resolve(result);
}

export function usePending(): Pending | null {
  return useSyncExternalStore(
    (fn) => {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    () => pending,
    () => null,
  );
}
