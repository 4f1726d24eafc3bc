/**
 * Off-chain reference data the chain stores as codes: region names (행정표준코드),
 * rice varieties and collection points of the demo county. Codes not listed show as numbers.
 */
export const REGIONS: Record<number, { ko: string; en: string }> = {
  0: { ko: "전국", en: "National" },
  46000: { ko: "전라남도", en: "Jeollanam-do" },
  46810: { ko: "전라남도 강진군", en: "Gangjin-gun, Jeollanam-do" },
};

export const VARIETIES: Record<number, { ko: string; en: string }> = {
  101: { ko: "새청무", en: "Saecheongmu" },
  102: { ko: "새일미", en: "Saeilmi" },
  103: { ko: "신동진", en: "Sindongjin" },
};

export const COLLECTION_POINTS: Record<number, { ko: string; en: string }> = {
  4681001: {
    ko: "강진군농협 미곡종합처리장 (RPC)",
    en: "Gangjin NH rice processing complex (RPC)",
  },
  4681002: { ko: "성전농협 건조저장시설 (DSC)", en: "Seongjeon NH drying & storage (DSC)" },
  4681003: { ko: "도암농협 수매장", en: "Doam NH purchase point" },
  4681004: { ko: "마량 공공비축 수매장", en: "Maryang stockpile purchase point" },
};

/** The demo county's programme names (the chain keeps only the id and crop year). */
export const PROGRAMMES: Record<number, { ko: string; en: string }> = {
  1: { ko: "2026년산 공공비축미곡 매입", en: "2026 public stockpile rice purchase" },
  2: { ko: "2026년산 시장격리곡 매입", en: "2026 market isolation rice purchase" },
};

/** A programme by name: the listed one, else "{crop year}년산 매입 사업 {id}". */
export function programmeName(
  id: number | string,
  cropYear: number | undefined,
  lang: string,
): string {
  const e = PROGRAMMES[Number(id)];
  if (e) return lang.startsWith("en") ? e.en : e.ko;
  const en = lang.startsWith("en");
  if (cropYear === undefined) return en ? `Programme ${id}` : `매입 사업 ${id}`;
  return en ? `${cropYear} programme ${id}` : `${cropYear}년산 매입 사업 ${id}`;
}

export function refName(
  table: Record<number, { ko: string; en: string }>,
  code: number | string | null | undefined,
  lang: string,
): string {
  if (code === null || code === undefined) return "—";
  const e = table[Number(code)];
  if (!e) return String(code);
  return lang.startsWith("en") ? e.en : e.ko;
}

/**
 * The region code a search text names: a code itself, or a name from {@link REGIONS} (Korean or
 * English, whole or in part: "강진" → 46810); the exact name wins, then the shortest that contains
 * the text. Null when the text names no listed region.
 */
export function regionCodeOf(text: string): number | null {
  const v = text.trim().toLowerCase();
  if (!v || /^0x/.test(v) || /\d{4}-/.test(v)) return null;
  const entries = Object.entries(REGIONS).map(([code, n]) => ({
    code: Number(code),
    names: [n.ko, n.en].map((x) => x.toLowerCase()),
  }));
  const exact = entries.find((e) => e.names.includes(v));
  if (exact) return exact.code;
  const partial = entries
    .filter((e) => e.code !== 0 && e.names.some((x) => x.includes(v)))
    .sort((a, b) => (a.names[0]?.length ?? 0) - (b.names[0]?.length ?? 0));
  return partial[0]?.code ?? null;
}
