/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const api = process.env.JANGBU_API ?? "http://127.0.0.1:8080";

// Built by `npm run build` into portal/dist, which the indexer serves on its own port.
export default defineConfig({
  root: here,
  base: "./",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // scripts/bench/portal.ts reads the chunk graph from it (each route's JS, gzipped).
    manifest: true,
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { "/api": api } },
  preview: { proxy: { "/api": api } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    css: false,
  },
});
