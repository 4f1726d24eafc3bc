import { createRoot } from "react-dom/client";
import { i18nReady } from "./i18n/index.ts";
import "./styles.css";
import { App } from "./App.tsx";
import { prefetch } from "./api/client.ts";
import { type Session, setSession } from "./chain/session.ts";

const size = localStorage.getItem("jangbu.textSize");
if (size === "large" || size === "xlarge") document.documentElement.classList.add(`text-${size}`);
if (localStorage.getItem("jangbu.hc") === "1") document.documentElement.classList.add("hc");
document.documentElement.lang = localStorage.getItem("jangbu.lang") === "en" ? "en" : "ko";
const demo = sessionStorage.getItem("jangbu.demo");
if (demo) {
  // Who is signed in is known before the first paint (the header would otherwise grow when the
  // name arrives and push the page down: CLS 0.148 on the official's pages); the signing key
  // follows with the wallet chunk a moment later.
  try {
    setSession(JSON.parse(demo) as Session);
  } catch {
    /* restoreDemo decides */
  }
  void import("./chain/wallet.ts").then((m) => m.restoreDemo());
}

// A deep link to a record: fetch its chunk and its data while React starts.
const deep = /^#\/(sale|programme|tender|credential)\/([^/?]+)/.exec(location.hash);
if (deep) {
  void import("./pages/Record.tsx");
  const kind = {
    sale: "sales",
    programme: "programs",
    tender: "tenders",
    credential: "credentials",
  }[deep[1] as "sale"];
  prefetch(`/api/v1/${kind}/${encodeURIComponent(decodeURIComponent(deep[2] ?? ""))}`);
}

const root = document.getElementById("root");
if (root) void i18nReady.then(() => createRoot(root).render(<App />));
