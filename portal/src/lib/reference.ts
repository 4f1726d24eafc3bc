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
