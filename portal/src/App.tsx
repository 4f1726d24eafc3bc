import { lazy, Suspense, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "./chain/session.ts";
import { usePending } from "./components/sign-store.ts";
import { Loading } from "./components/ui.tsx";
import { setLanguage } from "./i18n/index.ts";
import { href, useRoute } from "./lib/hooks.ts";

const Home = lazy(() => import("./pages/Home.tsx").then((m) => ({ default: m.Home })));
const Search = lazy(() => import("./pages/Search.tsx").then((m) => ({ default: m.Search })));
const RecordPage = lazy(() =>
  import("./pages/Record.tsx").then((m) => ({ default: m.RecordPage })),
);
const SignDialog = lazy(() => import("./components/SignDialog.tsx"));

const Stats = lazy(() => import("./pages/Stats.tsx"));
const WalletPage = lazy(() => import("./pages/Wallet.tsx"));
const Farmer = lazy(() => import("./pages/Farmer.tsx"));
const Inspector = lazy(() => import("./pages/Inspector.tsx"));
const Official = lazy(() => import("./pages/Official.tsx"));
const Supplier = lazy(() => import("./pages/Supplier.tsx"));
const Receipt = lazy(() => import("./pages/Receipt.tsx"));

const RECORD_KINDS = new Set(["sale", "programme", "tender", "credential", "account", "tx"]);

function Page() {
  const { parts } = useRoute();
  const [first = ""] = parts;
  if (first === "") return <Home />;
  if (first === "search") return <Search />;
  if (RECORD_KINDS.has(first) && parts[1])
    return <RecordPage kind={first} id={decodeURIComponent(parts[1])} />;
  if (first === "stats") return <Stats />;
  if (first === "wallet") return <WalletPage />;
  if (first === "farmer") return <Farmer />;
  if (first === "inspector") return <Inspector />;
  if (first === "official") return <Official />;
  if (first === "supplier") return <Supplier />;
  if (first === "receipt" && parts[1]) return <Receipt id={decodeURIComponent(parts[1])} />;
  return <Home />;
}

function Settings() {
  const { t, i18n } = useTranslation();
  const [size, setSize] = useState(() => localStorage.getItem("jangbu.textSize") ?? "normal");
  const [hc, setHc] = useState(() => localStorage.getItem("jangbu.hc") === "1");
  useEffect(() => {
    const cl = document.documentElement.classList;
    cl.remove("text-large", "text-xlarge");
    if (size !== "normal") cl.add(`text-${size}`);
    localStorage.setItem("jangbu.textSize", size);
  }, [size]);
  useEffect(() => {
    document.documentElement.classList.toggle("hc", hc);
    localStorage.setItem("jangbu.hc", hc ? "1" : "0");
  }, [hc]);
  return (
    <fieldset
      className="settings"
      aria-label={t("app.settings")}
      style={{ border: 0, padding: 0, margin: 0 }}
    >
      <label>
        <span className="sr-only">{t("app.language")}</span>
        <select
          value={i18n.language.startsWith("en") ? "en" : "ko"}
          onChange={(e) => setLanguage(e.target.value as "ko" | "en")}
          aria-label={t("app.language")}
        >
          <option value="ko">한국어</option>
          <option value="en">English</option>
        </select>
      </label>
      <label>
        <span className="sr-only">{t("app.textSize")}</span>
        <select
          value={size}
          onChange={(e) => setSize(e.target.value)}
          aria-label={t("app.textSize")}
        >
          <option value="normal">{`${t("app.textSize")}: ${t("app.textSizeNormal")}`}</option>
          <option value="large">{`${t("app.textSize")}: ${t("app.textSizeLarge")}`}</option>
          <option value="xlarge">{`${t("app.textSize")}: ${t("app.textSizeXLarge")}`}</option>
        </select>
      </label>
      <button
        type="button"
        className="btn small secondary"
        aria-pressed={hc}
        onClick={() => setHc(!hc)}
      >
        {t("app.highContrast")}
      </button>
    </fieldset>
  );
}

function SignSlot() {
  const pending = usePending();
  const [used, setUsed] = useState(false);
  useEffect(() => {
    if (pending) setUsed(true);
  }, [pending]);
  if (!pending && !used) return null;
  return (
    <Suspense fallback={null}>
      <SignDialog />
    </Suspense>
  );
}

export function App() {
  const { t } = useTranslation();
  const { parts } = useRoute();
  const session = useSession();
  const current = parts[0] ?? "";
  // On a phone the eight links and the settings sit behind one menu button (header ≤ 120 px).
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page closes the menu
  useEffect(() => setMenuOpen(false), [current]);
  useEffect(() => {
    if (!menuOpen) return;
    // Escape closes the phone menu and returns to its button.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setMenuOpen(false);
      document.getElementById("menu-toggle")?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [menuOpen]);
  // A signed-in persona sees the work page of its own role only (the others' actions would be
  // refused by the contracts); signed out, every work page is listed (each asks to sign in).
  const work = (k: string, role: string): [string, string][] =>
    !session?.role || session.role === role ? [[k, t(`nav.${k}`)]] : [];
  const links: [string, string][] = [
    ["", t("nav.home")],
    ["search", t("nav.search")],
    ["stats", t("nav.stats")],
    ...work("farmer", "Farmer"),
    ...work("inspector", "Inspector"),
    ...work("official", "Official"),
    ...work("supplier", "Supplier"),
    ["wallet", session ? t("nav.wallet") : t("nav.signIn")],
  ];
  useEffect(() => {
    document.title = `${t("app.name")} — ${links.find(([k]) => k === current)?.[1] ?? t("app.tagline")}`;
  });
  return (
    <>
      <button
        type="button"
        className="skip"
        onClick={() => document.getElementById("main")?.focus()}
      >
        {t("app.skip")}
      </button>
      <header className="top">
        <div className="top-inner">
          <a className="brand" href={href("/")}>
            <span className="mark" aria-hidden="true">
              장부
            </span>
            <span className="sr-only">{t("app.name")}</span>
            <span aria-hidden="true" className="brand-latin">
              jangbu
            </span>
          </a>
          {session && (
            <p className="session">
              {session.kind === "demo" && <span className="demo-tag">{t("app.demo")}</span>}
              <span>
                {session.name ?? ""} {session.role ? `(${t(`roles.${session.role}`)})` : ""}
              </span>
            </p>
          )}
          <button
            type="button"
            id="menu-toggle"
            className="btn small secondary menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="site-menu"
            onClick={() => setMenuOpen(!menuOpen)}
          >
            {menuOpen ? t("ux.header.closeMenu") : t("ux.header.menu")}
          </button>
          <div id="site-menu" className="site-menu" data-open={menuOpen}>
            <nav className="main" aria-label={t("app.menu")}>
              <ul>
                {links.map(([k, label]) => (
                  <li key={k}>
                    <a href={href(`/${k}`)} aria-current={current === k ? "page" : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <Settings />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Page />
        </Suspense>
      </main>
      <footer>
        <div className="inner">
          <p>{t("app.footer")}</p>
        </div>
      </footer>
      <SignSlot />
    </>
  );
}
