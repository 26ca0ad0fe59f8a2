import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The packed-package tests (npm pack, TypeScript consumers) run after this suite, alone:
    // vitest.package.config.ts, `npm run test:package`. Their CPU bursts would skew timeouts here.
    exclude: [...configDefaults.exclude, 'test/package/**'],
    globalSetup: ['test/setup/global-server.ts'],
    testTimeout: 20000,
    hookTimeout: 60000,
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
