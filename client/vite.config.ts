import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // maplibre-gl and deck.gl are large by nature; the wall loads them once and keeps running.
    chunkSizeWarningLimit: 3_000,
  },
});
