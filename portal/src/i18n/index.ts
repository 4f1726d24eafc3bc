import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { setFormatLocale } from "../lib/format.ts";
import { en } from "./en.ts";
import { ko } from "./ko.ts";

const stored = typeof localStorage !== "undefined" ? localStorage.getItem("jangbu.lang") : null;
export const initialLang = stored === "en" ? "en" : "ko";
setFormatLocale(initialLang);

void i18next.use(initReactI18next).init({
  resources: { ko: { translation: ko }, en: { translation: en } },
  lng: initialLang,
  fallbackLng: "ko",
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(lang: "ko" | "en"): void {
  localStorage.setItem("jangbu.lang", lang);
  setFormatLocale(lang);
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

export default i18next;
