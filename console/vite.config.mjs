// The console's build (`npm run build` runs it after the TypeScript build): Preact through Vite's
// own JSX transform, served by the hub at /console/, written to dist/console.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The hub's Content-Security-Policy allows scripts from itself only: no inline module preload polyfill.
    modulePreload: { polyfill: false },
    // Small images and fonts inlined as data: URLs would be fine under the CSP, but there are none.
    assetsInlineLimit: 0,
  },
});
