/**
 * The way back to a secret this browser does not hold (a tender's draw seed, a county's
 * variety-test secret): the backup file downloaded when it was committed. The 32-byte value under
 * `field` is taken only if `opens` says it opens the commitment on record.
 */
import { useState } from "react";
import type { Hex } from "viem";
import { Field } from "./ui.tsx";

export function SecretFileImport({
  field,
  opens,
  onTaken,
  testId,
  describedBy,
  text,
}: {
  field: string;
  opens: (value: Hex) => boolean;
  onTaken: (value: Hex) => void;
  testId: string;
  /** The id the disabled button's aria-describedby points at. */
  describedBy: string;
  /** Already translated: why the button cannot be pressed, the field's label, the two refusals. */
  text: { missing: string; label: string; wrong: string; unreadable: string };
}) {
  const [err, setErr] = useState<string | null>(null);
  const take = async (file: File) => {
    setErr(null);
    try {
      const body = JSON.parse(await file.text()) as Record<string, unknown>;
      const value = String(body[field] ?? "");
      if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new Error("shape");
      if (!opens(value as Hex)) return setErr(text.wrong);
      onTaken(value as Hex);
    } catch {
      setErr(text.unreadable);
    }
  };
  return (
    <div className="alert info" data-testid={testId}>
      <p id={describedBy} style={{ marginTop: 0 }}>
        {text.missing}
      </p>
      <Field label={text.label} error={err ?? undefined}>
        {(p) => (
          <input
            {...p}
            type="file"
            accept="application/json,.json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void take(f);
            }}
          />
        )}
      </Field>
    </div>
  );
}
