/**
 * Schema-driven boundary requests: for every operation of an app's `/openapi.json`, each parameter
 * in turn at and beyond each bound its schema documents (minimum/maximum, maxLength/minLength,
 * enum, pattern), with the values that broke earlier versions (2^31, 2^43, 2^53, 2^63, NUL and
 * other control characters), and all parameters at their largest valid values together. Every
 * answer must be one the operation documents, with a body valid against the documented schema, and
 * never a 5xx.
 */
import Ajv2020Module from "ajv/dist/2020.js";

// A CommonJS module: the class is on `.default` under NodeNext.
const Ajv2020 = Ajv2020Module.default;

type Schema = {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
export type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
};

type Fetcher = { request(path: string, init?: RequestInit): Response | Promise<Response> };

/** `integer` or `number`, alone or in a type list (`["integer", "null"]`). */
const isNumeric = (schema: Schema | undefined) =>
  [schema?.type ?? []].flat().some((t) => t === "integer" || t === "number");

/** A value the schema accepts (its example, default, first enum value or a bound). */
function validValue(schema: Schema | undefined): string {
  if (schema === undefined) return "1";
  if (schema.example !== undefined) return String(schema.example);
  if (schema.default !== undefined) return String(schema.default);
  if (schema.enum !== undefined && schema.enum.length > 0) return String(schema.enum[0]);
  if (isNumeric(schema)) return String(schema.minimum ?? 1);
  return "a".repeat(Math.max(1, schema.minLength ?? 1));
}

/** Values at and beyond each bound the schema documents, plus the historical troublemakers. */
export function boundaryValues(schema: Schema | undefined): string[] {
  const values = new Set<string>();
  const add = (v: unknown) => values.add(String(v));
  const numeric = isNumeric(schema);
  if (numeric) {
    const min = schema?.minimum ?? schema?.exclusiveMinimum;
    const max = schema?.maximum ?? schema?.exclusiveMaximum;
    if (min !== undefined) for (const d of [0n, -1n, 1n]) add(BigInt(min) + d);
    if (max !== undefined) for (const d of [0n, -1n, 1n, 2n]) add(BigInt(max) + d);
    for (const n of [2n ** 31n, 2n ** 32n, 2n ** 43n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n])
      for (const v of [n, -n]) add(v);
    for (const v of ["0", "-0", "1.5", "1e3", "0x10", " 1", "NaN", "Infinity", "9".repeat(400)])
      add(v);
  }
  if (schema?.enum !== undefined) {
    for (const v of schema.enum) {
      add(v);
      add(String(v).toUpperCase());
      add(`${String(v)}\u0000`);
    }
    add("none-of-these");
  }
  if (schema?.maxLength !== undefined) {
    for (const unit of ["a", "가", "9"]) {
      add(unit.repeat(schema.maxLength));
      add(unit.repeat(schema.maxLength + 1));
    }
  }
  if (schema?.minLength !== undefined) {
    add("a".repeat(schema.minLength));
    if (schema.minLength > 0) add("a".repeat(schema.minLength - 1));
  }
  if (schema?.pattern !== undefined) {
    // The bounds a pattern states: a uint256 id (2^256 − 1 and 2^256, 64 and 65 hex digits) and
    // an address (40 hex digits, one less, one more, lower case).
    if (schema.pattern.includes("[0-9]{1,78}"))
      for (const v of [2n ** 256n - 1n, 2n ** 256n, 0n, -1n]) add(v);
    if (schema.pattern.includes("{1,64}"))
      for (const digits of [64, 65]) add(`0x${"f".repeat(digits)}`);
    if (schema.pattern.includes("{40}"))
      for (const digits of [39, 40, 41]) add(`0x${"aB".repeat(21).slice(0, digits)}`);
  }
  const valid = validValue(schema);
  for (const v of [
    valid,
    `${valid}\u0000`,
    `\u0000${valid}`,
    `${valid}\u0001`,
    `${valid}\u001f`,
    `${valid}\u007f`,
    `${valid}\t`,
    `${valid}\n`,
    "' OR 1=1 --",
    "%",
    "𝟘",
    "x".repeat(2_000),
  ])
    add(v);
  return [...values];
}

export type BoundsReport = {
  operations: number;
  requests: number;
  byStatus: Record<string, number>;
  /** Every answer that broke the contract (empty when all held). */
  failures: string[];
};

/**
 * Sends the boundary requests of every operation to `app` and checks each answer; throws on the
 * first answer that breaks the contract. Operations with a request body are sent `{}` and the
 * boundary parameters (their bodies are the relay's, fuzzed by its own tests).
 */
export async function runBoundaryRequests(app: Fetcher, spec: Spec): Promise<BoundsReport> {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: "openapi", components: spec.components ?? {} });
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  const validatorFor = (schema: unknown) => {
    const text = JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/');
    let validate = compiled.get(text);
    if (validate === undefined) {
      validate = ajv.compile(JSON.parse(text) as object);
      compiled.set(text, validate);
    }
    return validate;
  };
  const report: BoundsReport = { operations: 0, requests: 0, byStatus: {}, failures: [] };
  for (const [template, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      report.operations++;
      const params = operation.parameters ?? [];
      const base = new Map(
        params.filter((p) => p.in === "path").map((p) => [`path:${p.name}`, validValue(p.schema)]),
      );
      const cases: Map<string, string>[] = [new Map(base)];
      /** Cases whose status is known in advance. */
      const expected = new Map<Map<string, string>, number>();
      for (const p of params) {
        for (const value of boundaryValues(p.schema)) {
          // An empty path segment is another route, not this operation's parameter; a header
          // carries only visible ASCII here (the client refuses controls and non-Latin-1).
          if (p.in === "path" && value === "") continue;
          if (p.in === "header" && [...value].some((ch) => ch < " " || ch > "\u007e")) continue;
          cases.push(new Map([...base, [`${p.in}:${p.name}`, value]]));
        }
      }
      // Every parameter at its largest valid value at once.
      const largest = new Map(base);
      for (const p of params) {
        if (p.in !== "query") continue;
        const s = p.schema;
        const key = `query:${p.name}`;
        if (s?.maximum !== undefined) largest.set(key, String(s.maximum));
        else if (s?.enum !== undefined) largest.set(key, String(s.enum.at(-1)));
        else if (s?.maxLength !== undefined) largest.set(key, "a".repeat(s.maxLength));
      }
      cases.push(largest);
      // A range whose ends contradict each other is documented as 422.
      const reversed = new Map(base);
      for (const [from, to, high, low] of [
        ["fromBlock", "toBlock", String(Number.MAX_SAFE_INTEGER), "0"],
        ["from", "to", "2026-10-06", "2026-10-05"],
      ] as const) {
        if (
          params.some((p) => p.in === "query" && p.name === from) &&
          params.some((p) => p.in === "query" && p.name === to)
        ) {
          reversed.set(`query:${from}`, high);
          reversed.set(`query:${to}`, low);
        }
      }
      if (reversed.size > base.size) {
        cases.push(reversed);
        expected.set(reversed, 422);
      }
      // HEAD of a never-ending event stream would leave its writer blocked: GET only there.
      const streams = operation.responses?.["200"]?.content?.["text/event-stream"] !== undefined;
      const methodsToSend =
        method === "get" ? (streams ? ["GET"] : ["GET", "HEAD"]) : [method.toUpperCase()];
      for (const values of cases) {
        const path = template.replace(/\{([^}]+)\}/g, (_m, name: string) =>
          encodeURIComponent(values.get(`path:${name}`) ?? "1"),
        );
        const query = new URLSearchParams();
        const headers: Record<string, string> = {};
        for (const p of params) {
          const value = values.get(`${p.in}:${p.name}`);
          if (value === undefined) continue;
          if (p.in === "query") query.set(p.name, value);
          if (p.in === "header") headers[p.name] = value;
        }
        const url = `${path}${query.size > 0 ? `?${query}` : ""}`;
        for (const m of methodsToSend) {
          const init: RequestInit =
            m === "GET" || m === "HEAD"
              ? { method: m, headers }
              : {
                  method: m,
                  body: "{}",
                  headers: { ...headers, "content-type": "application/json" },
                };
          try {
            const res = await app.request(url, init);
            const must = expected.get(values);
            if (must !== undefined && res.status !== must)
              throw new Error(`${m} ${url} → ${res.status}, not ${must}`);
            await checkAnswer(res, m, url, operation);
          } catch (error) {
            report.failures.push((error as Error).message);
          }
        }
      }
    }
  }
  return report;

  async function checkAnswer(res: Response, m: string, url: string, operation: Operation) {
    report.requests++;
    report.byStatus[res.status] = (report.byStatus[res.status] ?? 0) + 1;
    const where = `${m} ${url.slice(0, 200)} → ${res.status}`;
    if (res.status >= 500) throw new Error(`${where}: ${(await res.text()).slice(0, 300)}`);
    const documented = operation.responses?.[String(res.status)];
    if (documented === undefined) {
      throw new Error(
        `${where}, not among the documented ${Object.keys(operation.responses ?? {}).join(", ")}: ${(await res.text()).slice(0, 300)}`,
      );
    }
    const type = res.headers.get("content-type") ?? "";
    if (m === "HEAD" || type.startsWith("text/event-stream")) {
      await res.body?.cancel();
      return;
    }
    const text = await res.text();
    if (type.startsWith("application/json")) {
      const schema = documented.content?.["application/json"]?.schema;
      if (schema === undefined) throw new Error(`${where}: JSON where none is documented`);
      const validate = validatorFor(schema);
      if (!validate(JSON.parse(text))) {
        throw new Error(
          `${where}: body not as documented: ${ajv.errorsText(validate.errors)}; ${text.slice(0, 200)}`,
        );
      }
    } else if (type.startsWith("text/csv")) {
      if (documented.content?.["text/csv"] === undefined)
        throw new Error(`${where}: CSV where none is documented`);
      if (/^#ERROR,/m.test(text)) throw new Error(`${where}: the export failed midway`);
    } else if (!type.startsWith("text/html")) {
      throw new Error(`${where}: undocumented content type ${type}`);
    }
  }
}
