// The SMART Health Link viewer as one self-contained HTML file (scripts and styles inlined), so
// every node serves it from its binary at /viewer and it works from a file too. It is written
// into the node crate; `make ui-test` rebuilds it and fails if the committed copy differs.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { viteSingleFile } from 'vite-plugin-singlefile';

export default defineConfig({
  plugins: [svelte(), viteSingleFile()],
  base: './',
  clearScreen: false,
  build: {
    outDir: '../crates/medledger-node/assets',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    rollupOptions: { input: 'viewer.html' },
  },
});
