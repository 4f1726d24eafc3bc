import { createRoot } from "react-dom/client";
import "./i18n/index.ts";
import "./styles.css";
import { App } from "./App.tsx";

const size = localStorage.getItem("jangbu.textSize");
if (size === "large" || size === "xlarge") document.documentElement.classList.add(`text-${size}`);
if (localStorage.getItem("jangbu.hc") === "1") document.documentElement.classList.add("hc");
document.documentElement.lang = localStorage.getItem("jangbu.lang") === "en" ? "en" : "ko";
if (sessionStorage.getItem("jangbu.demo"))
  void import("./chain/wallet.ts").then((m) => m.restoreDemo());

const root = document.getElementById("root");
if (root) createRoot(root).render(<App />);
