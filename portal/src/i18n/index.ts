import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { setFormatLocale } from "../lib/format.ts";
import { ko } from "./ko.ts";

const stored = typeof localStorage !== "undefined" ? localStorage.getItem("jangbu.lang") : null;
export const initialLang = stored === "en" ? "en" : "ko";
setFormatLocale(initialLang);

void i18next.use(initReactI18next).init({
  // English is its own chunk, loaded only by readers who chose it (the Korean entry stays small).
  resources: { ko: { translation: ko } },
  lng: "ko",
  fallbackLng: "ko",
  interpolation: { escapeValue: false },
  returnNull: false,
});

async function loadEnglish(): Promise<void> {
  if (i18next.hasResourceBundle("en", "translation")) return;
  const { en } = await import("./en.ts");
  i18next.addResourceBundle("en", "translation", en);
}

/** Resolves once the stored language is ready; main.tsx renders after it (no Korean flash). */
export const i18nReady: Promise<void> =
  initialLang === "en"
    ? loadEnglish()
        .then(() => i18next.changeLanguage("en"))
        .then(
          () => undefined,
          () => undefined,
        )
    : Promise.resolve();

export function setLanguage(lang: "ko" | "en"): void {
  localStorage.setItem("jangbu.lang", lang);
  setFormatLocale(lang);
  document.documentElement.lang = lang;
  void (lang === "en" ? loadEnglish() : Promise.resolve()).then(() => i18next.changeLanguage(lang));
}

/**
 * Adds a page section's Korean strings (ko-official.ts and the like): the pages that use a section
 * call this at load, so its strings travel in their chunks instead of the portal's first script
 * (issue 21: each route's JavaScript within 150 KB gzipped). Adding one twice is harmless.
 */
export function addKoSection(name: string, strings: Record<string, unknown>): void {
  i18next.addResourceBundle("ko", "translation", { [name]: strings }, true, true);
}

export default i18next;
