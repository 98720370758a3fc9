import { defineConfig } from "vite";

// Built into the Python package so the API serves it at /console and the Lambda zip ships it.
export default defineConfig({
  base: "/console/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "../chalicelib/web/console",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2020",
    // The served files are read into memory at import: no source maps in the Lambda package.
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
});
