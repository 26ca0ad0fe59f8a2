import { defineConfig } from 'vitest/config';

// The packed-package tests: `npm pack` once, then consumers (CommonJS, ESM,
// TypeScript under each module resolution), attw, tarball contents, README
// blocks, NODE_DEBUG and the server script. Run by `npm test` after the main
// suite (not beside it: type-checking consumers is a CPU burst that would
// skew the main suite's timeouts on a small machine), or alone with
// `npm run test:package`.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    globalSetup: ['test/setup/global-server.ts'],
    testTimeout: 60000,
    hookTimeout: 180000,
  },
});
