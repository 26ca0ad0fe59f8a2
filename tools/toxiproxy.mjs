#!/usr/bin/env node
// Builds (once, into .cache/bin) and starts Toxiproxy, the fault-injecting
// TCP proxy that the fault tests and the soak run put between the driver and
// LedisDB. Its HTTP API (on a free loopback port) creates proxies and toxics.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoBinary, freePort, terminate } from './server.mjs';

/** The version pinned in tools/toxiproxy/go.mod. */
export const TOXIPROXY_VERSION = 'v2.12.0';

export function ensureToxiproxy() {
  return ensureGoBinary('toxiproxy-server', 'toxiproxy', 'github.com/Shopify/toxiproxy/v2/cmd/server');
}

/**
 * @typedef {object} RunningToxiproxy
 * @property {string} host API host (127.0.0.1)
 * @property {number} port API port
 * @property {string} url API base URL, e.g. http://127.0.0.1:8474
 * @property {number} pid
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after 3 s
 */

/**
 * Starts toxiproxy-server on a free loopback port; resolves once its API answers.
 * @param {{ quiet?: boolean }} [opts] quiet (default true) drops its log output
 * @returns {Promise<RunningToxiproxy>}
 */
export async function startToxiproxy(opts = {}) {
  // The API port is a free port of our choosing, free a moment ago: anything may take it before
  // toxiproxy-server binds it. Then start again on another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startToxiproxyOnce(opts);
    } catch (err) {
      if (attempt >= 5 || !/address already in use/.test(String(/** @type {Error} */ (err).message))) throw err;
    }
  }
}

/**
 * @param {{ quiet?: boolean }} opts
 * @returns {Promise<RunningToxiproxy>}
 */
async function startToxiproxyOnce(opts) {
  const bin = ensureToxiproxy();
  const host = '127.0.0.1';
  const port = await freePort();
  const child = spawn(bin, ['-host', host, '-port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // It logs every connection at info level; warnings are enough.
    env: { ...process.env, LOG_LEVEL: process.env.TOXIPROXY_LOG_LEVEL ?? 'warn' },
  });
  let output = '';
  const collect = (/** @type {Buffer} */ d) => {
    if (output.length < 64 * 1024) output += d.toString();
    if (opts.quiet === false) process.stderr.write(d);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    await terminate(child, exited);
  };
  const url = `http://${host}:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (!alive()) throw new Error(`toxiproxy-server exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
    // It logs a failed bind of its API port and keeps running.
    if (/address already in use/.test(output)) {
      await stop();
      throw new Error(`toxiproxy-server could not listen:\n${output}`);
    }
    let answered = false;
    try {
      answered = (await fetch(`${url}/version`)).ok;
    } catch {
      // not listening yet
    }
    if (answered) {
      // Answered by ours, or by another toxiproxy-server that took the port first (then ours says so).
      await new Promise((r) => setTimeout(r, 100));
      if (alive() && !/address already in use/.test(output)) break;
      await stop();
      throw new Error(`toxiproxy-server could not listen:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`toxiproxy-server did not answer within 15 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, port, url, pid: /** @type {number} */ (child.pid), child, stop };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--build-only')) {
    console.log(ensureToxiproxy());
    return;
  }
  const proxy = await startToxiproxy({ quiet: false });
  console.log(`toxiproxy API on ${proxy.url}, pid ${proxy.pid}; Ctrl-C to stop`);
  const shutdown = async () => {
    await proxy.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
