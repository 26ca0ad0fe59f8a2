/**
 * `ledis/testing`: a real LedisDB for a program's own tests (a vitest or jest
 * globalSetup, a script), started on a free loopback port and stopped with
 * the process that started it, even when that process is killed. What
 * `npx ledis server` runs, as a function.
 *
 * ```ts
 * import { startServer } from 'ledis/testing';
 * const srv = await startServer({ backend: 'memory' }); // { url, port, stop() ... }
 * ```
 * @module ledis/testing
 */
export { startServer, freePort, type ServerOptions, type RunningServer } from './server.js';
export {
  findLedisServer,
  defaultBinDir,
  howToGetLedisServer,
  NoLedisServerError,
  LEDIS_SERVER_VERSION,
  GO_TOML_VERSION,
  type FindOptions,
  type BinarySource,
} from './binary.js';
