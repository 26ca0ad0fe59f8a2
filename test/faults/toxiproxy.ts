// A tiny typed client of Toxiproxy's HTTP API over a toxiproxy-server that
// tools/toxiproxy.mjs starts. Toxics apply to every connection of a proxy,
// new ones too, until removed. Removing a latency-like toxic from a link whose
// client went away can hang toxiproxy (its issue #558), so tests give each
// scenario a fresh proxy and remove only toxics that never hold data back
// (timeout, reset_peer, limit_data).
// @ts-ignore -- plain ESM script, typed through JSDoc
import { startToxiproxy } from '../../tools/toxiproxy.mjs';

/** Which way a toxic acts: upstream = client to server, downstream = server to client. */
export type Stream = 'upstream' | 'downstream';

/** The toxics the fault tests use, with their attributes (times in ms unless said). */
export type ToxicSpec =
  /** Resets (RST) the connection `timeout` ms after the next data arrives. */
  | { type: 'reset_peer'; attributes: { timeout: number } }
  /** Drops all data; closes the connection after `timeout` ms, or never for 0. */
  | { type: 'timeout'; attributes: { timeout: number } }
  | { type: 'latency'; attributes: { latency: number; jitter?: number } }
  /** Re-chunks data into pieces of about `average_size` bytes, `delay` µs apart. */
  | { type: 'slicer'; attributes: { average_size: number; size_variation?: number; delay?: number } }
  /** Closes the connection once `bytes` bytes have gone through. */
  | { type: 'limit_data'; attributes: { bytes: number } }
  /** Limits throughput to `rate` KB/s. */
  | { type: 'bandwidth'; attributes: { rate: number } };

export interface Toxic {
  name: string;
  remove(): Promise<void>;
}

export interface Proxy {
  name: string;
  /** The address the driver connects to. */
  host: string;
  port: number;
  addToxic(spec: ToxicSpec & { stream?: Stream; toxicity?: number; name?: string }): Promise<Toxic>;
  removeToxic(name: string): Promise<void>;
  /** Disabled: the listener is closed and every connection through it is cut; enabled again: it listens again. */
  setEnabled(enabled: boolean): Promise<void>;
  /** Cuts every connection now and accepts new ones right after. */
  cut(): Promise<void>;
}

export interface Toxiproxy {
  url: string;
  createProxy(name: string, upstream: string): Promise<Proxy>;
  stop(): Promise<void>;
}

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A toxiproxy call that hangs (it can, removing a toxic from a busy link) fails the test instead.
    signal: AbortSignal.timeout(10000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`toxiproxy ${method} ${url}: ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

/** Starts toxiproxy-server; stop() it in afterAll. */
export async function toxiproxy(): Promise<Toxiproxy> {
  const server = (await startToxiproxy()) as { url: string; stop(): Promise<void> };
  const api = server.url;
  let toxicCount = 0;
  return {
    url: api,
    stop: () => server.stop(),
    async createProxy(name, upstream) {
      const host = '127.0.0.1';
      // Port 0: Toxiproxy binds a port the OS picks and says which (a port picked here and handed over could
      // be taken by another test's listener or connection before Toxiproxy binds it). Kept across disable/enable.
      const created = (await call(`${api}/proxies`, 'POST', { name, listen: `${host}:0`, upstream, enabled: true })) as { listen: string };
      const port = Number(created.listen.slice(created.listen.lastIndexOf(':') + 1));
      if (!(port > 0)) throw new Error(`toxiproxy did not say which port proxy ${name} listens on: ${JSON.stringify(created)}`);
      const base = `${api}/proxies/${encodeURIComponent(name)}`;
      const removeToxic = async (toxic: string) => {
        await call(`${base}/toxics/${encodeURIComponent(toxic)}`, 'DELETE');
      };
      const setEnabled = async (enabled: boolean) => {
        await call(base, 'POST', { enabled });
      };
      return {
        name,
        host,
        port,
        removeToxic,
        setEnabled,
        async cut() {
          await setEnabled(false);
          await setEnabled(true);
        },
        async addToxic(spec) {
          const toxicName = spec.name ?? `${spec.type}_${++toxicCount}`;
          await call(`${base}/toxics`, 'POST', {
            name: toxicName,
            type: spec.type,
            stream: spec.stream ?? 'downstream',
            toxicity: spec.toxicity ?? 1,
            attributes: spec.attributes,
          });
          return { name: toxicName, remove: () => removeToxic(toxicName) };
        },
      };
    },
  };
}
