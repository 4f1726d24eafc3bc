/**
 * A minimal Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
 * with labels. Enough for `/metrics` without a dependency.
 */

type Labels = Readonly<Record<string, string>>;

type Series = { labels: Labels; value: number };
type HistogramSeries = { labels: Labels; buckets: number[]; sum: number; count: number };

export type Counter = { inc(labels?: Labels, by?: number): void };
export type Gauge = { set(value: number, labels?: Labels): void };
export type Histogram = { observe(value: number, labels?: Labels): void };

export type Metrics = {
  counter(name: string, help: string): Counter;
  /** A gauge; with `collect`, its one unlabelled value is read from `collect` at every render. */
  gauge(name: string, help: string, collect?: () => number): Gauge;
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram;
  /** The whole registry in Prometheus text format. */
  render(): string;
};

const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map(
      (k) =>
        `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
    )
    .join(",");

const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const createMetrics = (): Metrics => {
  const blocks: Array<() => string> = [];
  return {
    counter(name, help) {
      const series = new Map<string, Series>();
      blocks.push(() => renderSimple(name, help, "counter", series));
      return {
        inc(labels = {}, by = 1) {
          const key = labelKey(labels);
          const s = series.get(key) ?? { labels, value: 0 };
          s.value += by;
          series.set(key, s);
        },
      };
    },
    gauge(name, help, collect) {
      const series = new Map<string, Series>();
      blocks.push(() => {
        if (collect !== undefined) series.set("", { labels: {}, value: collect() });
        return renderSimple(name, help, "gauge", series);
      });
      return {
        set(value, labels = {}) {
          series.set(labelKey(labels), { labels, value });
        },
      };
    },
    histogram(name, help, buckets = DEFAULT_BUCKETS) {
      const series = new Map<string, HistogramSeries>();
      blocks.push(() => {
        const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
        for (const s of series.values()) {
          const base = labelKey(s.labels);
          const sep = base ? "," : "";
          buckets.forEach((le, i) => {
            lines.push(`${name}_bucket{${base}${sep}le="${le}"} ${s.buckets[i]}`);
          });
          lines.push(`${name}_bucket{${base}${sep}le="+Inf"} ${s.count}`);
          lines.push(`${name}_sum${base ? `{${base}}` : ""} ${s.sum}`);
          lines.push(`${name}_count${base ? `{${base}}` : ""} ${s.count}`);
        }
        return lines.join("\n");
      });
      return {
        observe(value, labels = {}) {
          const key = labelKey(labels);
          let s = series.get(key);
          if (s === undefined) {
            s = { labels, buckets: buckets.map(() => 0), sum: 0, count: 0 };
            series.set(key, s);
          }
          buckets.forEach((le, i) => {
            if (value <= le && s) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
          });
          s.sum += value;
          s.count += 1;
        },
      };
    },
    render: () => `${blocks.map((b) => b()).join("\n")}\n`,
  };
};

function renderSimple(name: string, help: string, type: string, series: Map<string, Series>) {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const s of series.values()) {
    const key = labelKey(s.labels);
    lines.push(`${name}${key ? `{${key}}` : ""} ${s.value}`);
  }
  return lines.join("\n");
}

/** The metrics the indexer records, created once per service. */
export type IndexerMetrics = ReturnType<typeof createIndexerMetrics>;

export const createIndexerMetrics = (metrics: Metrics = createMetrics()) => ({
  registry: metrics,
  rpcRequests: metrics.counter(
    "jangbu_rpc_requests_total",
    "JSON-RPC requests by method and outcome",
  ),
  rpcRetries: metrics.counter("jangbu_rpc_retries_total", "JSON-RPC attempts that were retried"),
  eventsIndexed: metrics.counter("jangbu_events_indexed_total", "Events applied to the store"),
  reorgs: metrics.counter("jangbu_reorgs_total", "Chain reorganisations rolled back"),
  indexedBlock: metrics.gauge("jangbu_indexed_block", "Last block applied to the store"),
  headBlock: metrics.gauge("jangbu_chain_head_block", "Chain head seen by the sync"),
  batchSeconds: metrics.histogram("jangbu_sync_batch_seconds", "Time to apply one batch"),
  httpRequests: metrics.counter("jangbu_http_requests_total", "HTTP requests by route and status"),
  httpSeconds: metrics.histogram("jangbu_http_request_seconds", "HTTP request duration"),
  // The process's memory, read when scraped (names as in the Prometheus Node.js client). With
  // PGlite the database engine's WebAssembly memory is part of RSS and of `external`.
  residentMemory: metrics.gauge(
    "process_resident_memory_bytes",
    "Resident memory size in bytes",
    () => process.memoryUsage.rss(),
  ),
  heapUsed: metrics.gauge(
    "nodejs_heap_size_used_bytes",
    "V8 heap in use, in bytes",
    () => process.memoryUsage().heapUsed,
  ),
  externalMemory: metrics.gauge(
    "nodejs_external_memory_bytes",
    "Memory of C++ objects bound to JavaScript (WebAssembly memory included), in bytes",
    () => process.memoryUsage().external,
  ),
});
