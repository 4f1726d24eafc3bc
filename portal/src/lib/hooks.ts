import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { API } from "../api/client.ts";

export interface AsyncState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `fn` when `deps` change (and on `reload`), keeping the last data while reloading. */
export function useAsync<T>(fn: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) =>
        live &&
        setState({
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

// ---- Live updates over the API's server-sent events ----

type Listener = (data: unknown) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let connected = false;
const connListeners = new Set<() => void>();

function ensureStream(): void {
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource(`${API}/stream`);
  const setConn = (v: boolean) => {
    connected = v;
    for (const l of connListeners) l();
  };
  source.onopen = () => setConn(true);
  source.onerror = () => setConn(false);
  const dispatch = (e: MessageEvent) => {
    let data: unknown = e.data;
    try {
      data = JSON.parse(e.data as string);
    } catch {
      /* plain text */
    }
    for (const l of listeners) l(data);
  };
  source.onmessage = dispatch;
  for (const name of [
    "record",
    "block",
    "event",
    "sale",
    "tender",
    "payment",
    "credential",
    "program",
  ]) {
    source.addEventListener(name, dispatch as EventListener);
  }
}

/** Calls `onEvent` (debounced) whenever the stream announces new records. */
export function useLive(onEvent: () => void, delayMs = 400): boolean {
  const cb = useRef(onEvent);
  cb.current = onEvent;
  useEffect(() => {
    ensureStream();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const l: Listener = () => {
      clearTimeout(timer);
      timer = setTimeout(() => cb.current(), delayMs);
    };
    listeners.add(l);
    return () => {
      clearTimeout(timer);
      listeners.delete(l);
    };
  }, [delayMs]);
  return useSyncExternalStore(
    (fn) => {
      connListeners.add(fn);
      return () => connListeners.delete(fn);
    },
    () => connected,
    () => false,
  );
}

// ---- A tiny hash router: #/path?query ----

function readHash(): string {
  return typeof location === "undefined" ? "/" : location.hash.replace(/^#/, "") || "/";
}

export function useRoute(): { path: string; parts: string[]; params: URLSearchParams } {
  const hash = useSyncExternalStore(
    (fn) => {
      window.addEventListener("hashchange", fn);
      return () => window.removeEventListener("hashchange", fn);
    },
    readHash,
    () => "/",
  );
  const [path = "/", q = ""] = hash.split("?");
  return { path, parts: path.split("/").filter(Boolean), params: new URLSearchParams(q) };
}

export function navigate(to: string): void {
  location.hash = to.startsWith("#") ? to : `#${to}`;
}

export const href = (to: string) => `#${to}`;

// ---- Persistent UI preferences ----
export function useStored<T extends string>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => (localStorage.getItem(key) as T | null) ?? initial);
  const set = useCallback(
    (nv: T) => {
      localStorage.setItem(key, nv);
      setV(nv);
    },
    [key],
  );
  return [v, set];
}
