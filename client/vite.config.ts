import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// The client takes types from streams/ and one pure module (streams/crs.ts, the map's coordinate
// conversions); this stops the build if any server code were bundled all the same.
const serverOnly = /node_modules\/(@electric-sql\/pglite|pg|better-sqlite3|express|socket\.io)\//;
const noServerCode: Plugin = {
  name: 'onescreen-no-server-code',
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      const bundled = chunk.type === 'chunk' ? Object.keys(chunk.modules).filter((id) => serverOnly.test(id)) : [];
      if (bundled.length > 0) this.error(`${chunk.fileName} bundles server code (${bundled.slice(0, 3).join(', ')}): the client must import only types and pure functions from streams/`);
    }
  },
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [noServerCode],
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // maplibre-gl and deck.gl are large by nature; the wall loads them once and keeps running.
    chunkSizeWarningLimit: 3_000,
  },
});
