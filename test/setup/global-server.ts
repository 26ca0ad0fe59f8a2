// One real LedisDB server for the whole test run, on a free loopback port,
// started from the same code as `npm run server`, stopped afterwards.
import type { TestProject } from 'vitest/node';
// @ts-ignore -- plain ESM script, typed through JSDoc
import { startLedisServer } from '../../tools/server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    ledisPort: number;
    ledisHost: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startLedisServer({ quiet: true });
  project.provide('ledisPort', server.port);
  project.provide('ledisHost', server.host);
  return async () => {
    await server.stop();
  };
}
