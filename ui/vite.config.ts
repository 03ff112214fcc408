/// <reference types="vitest/config" />
// One config for the dev server (port 1420, which src-tauri's devUrl points at), the production
// build (relative asset paths, because Tauri serves dist/ from its own protocol) and vitest.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  base: './',
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    // The Rust side is rebuilt by cargo, not by vite.
    watch: { ignored: ['**/src-tauri/**', '**/crates/**', '**/target/**'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The app loads nothing from the network; keep source maps out of the shipped bundle.
    sourcemap: false,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    // Dates in the display functions are formatted in local time; pin it so tests are stable.
    env: { TZ: 'UTC' },
  },
});
