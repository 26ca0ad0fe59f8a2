// The per-file fixture of the fault tests: one Toxiproxy for the file, a
// fresh proxy in front of the run's LedisDB per scenario, and every client
// made through one disconnected after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Ledis, type LedisOptions } from '../../src/index.js';
import { serverAddress } from '../helpers.js';
import { toxiproxy, type Proxy, type Toxiproxy } from './toxiproxy.js';

export interface ProxyFixture {
  /** A new proxy to the run's LedisDB, with no toxics. */
  freshProxy(): Promise<Proxy>;
  /** A client connected through `proxy`, with the fixture's default options under `options`. */
  through(proxy: Proxy, options?: LedisOptions): Ledis;
}

export function proxyFixture(name: string, defaults: LedisOptions = {}): ProxyFixture {
  let toxi: Toxiproxy | undefined;
  let count = 0;
  const clients: Ledis[] = [];
  beforeAll(async () => {
    toxi = await toxiproxy();
  });
  afterAll(async () => {
    await toxi?.stop();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  return {
    freshProxy() {
      const { host, port } = serverAddress();
      return (toxi as Toxiproxy).createProxy(`${name}${++count}`, `${host}:${port}`);
    },
    through(proxy, options = {}) {
      const c = new Ledis({ host: proxy.host, port: proxy.port, ...defaults, ...options });
      clients.push(c);
      return c;
    },
  };
}
