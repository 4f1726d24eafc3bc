/**
 * Offline OCDS 1.1 validation against the OCDS 1.1.5 schemas vendored in test/fixtures/ocds (see
 * its README: source, version, licence), with the bids extension merged in (RFC 7386).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";

// CommonJS modules: their classes are on `.default` under NodeNext.
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;

const OCDS_DIR = fileURLToPath(new URL("../../fixtures/ocds/", import.meta.url));
const read = (file: string) =>
  JSON.parse(readFileSync(join(OCDS_DIR, file), "utf8")) as Record<string, unknown>;

/** JSON Merge Patch (RFC 7386). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The closed codes of a codelist CSV (first column). */
export function codelist(file: string): Set<string> {
  const lines = readFileSync(join(OCDS_DIR, "codelists", file), "utf8")
    .trim()
    .split(/\r?\n/)
    .slice(1);
  return new Set(lines.map((l) => l.split(",")[0] ?? ""));
}

export function createOcdsValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const release = mergePatch(
    read("release-schema.json"),
    read("extensions/ocds_bid_extension/release-schema.json"),
  );
  ajv.addSchema(release as object);
  const validate = ajv.compile(read("release-package-schema.json"));
  return (pkg: unknown) => {
    const ok = validate(pkg);
    return ok
      ? []
      : (validate.errors ?? []).map(
          (e: { instancePath: string; message?: string }) => `${e.instancePath} ${e.message}`,
        );
  };
}

/**
 * A validator of OCDS 1.1 record packages (records with embedded releases and a compiled
 * release), the bids extension merged in as for releases. The record package schema also refers
 * to the versioned-release schema, which is not among the shared files: jangbu serves no
 * `versionedRelease`, so that reference resolves to a schema nothing satisfies (one would fail).
 */
export function createRecordPackageValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const release = mergePatch(
    read("release-schema.json"),
    read("extensions/ocds_bid_extension/release-schema.json"),
  );
  ajv.addSchema(release as object);
  ajv.addSchema({
    id: "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json",
    not: {},
  });
  const validate = ajv.compile(read("record-package-schema.json"));
  return (pkg: unknown) => {
    const ok = validate(pkg);
    return ok
      ? []
      : (validate.errors ?? []).map(
          (e: { instancePath: string; message?: string }) => `${e.instancePath} ${e.message}`,
        );
  };
}
