/// <reference types="vitest/config" />
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const api = process.env.JANGBU_API ?? "http://127.0.0.1:8080";

/**
 * Writes name.br and name.gz next to every hashed JS/CSS asset: the indexer serves them as they
 * are (Content-Encoding, Cache-Control immutable) instead of compressing on each request.
 */
function precompress(): Plugin {
  let outDir = "";
  return {
    name: "jangbu-precompress",
    apply: "build",
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir, c.build.assetsDir);
    },
    closeBundle() {
      for (const name of readdirSync(outDir)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const file = join(outDir, name);
        const body = readFileSync(file);
        if (body.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

// Built by `npm run build` into portal/dist, which the indexer serves on its own port.
export default defineConfig({
  root: here,
  base: "./",
  plugins: [react(), precompress()],
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
