// One real LedisDB server for the whole test run, on a free loopback port,
// started by ledis/testing's startServer() (the code users' own test suites
// run) with the repository's pinned build (tools/server.mjs), stopped afterwards.
import type { TestProject } from 'vitest/node';
import { startServer } from '../../src/testing/index.js';
// @ts-ignore -- plain ESM script, typed through JSDoc
import { ensureLedisServer } from '../../tools/server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    ledisPort: number;
    ledisHost: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer({ backend: 'memory', bin: (await ensureLedisServer()) as string });
  project.provide('ledisPort', server.port);
  project.provide('ledisHost', server.host);
  return async () => {
    await server.stop();
  };
}
