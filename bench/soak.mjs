#!/usr/bin/env node
// Soak run (not part of the test suite): many concurrent callers issue mixed
// commands through Toxiproxy for a while, and the proxy cuts every connection
// at a fixed interval. Prints commands issued, succeeded, rejected (by error),
// wrong replies and lost commands (both must be 0), and the heap before and
// after. Starts its own LedisDB and toxiproxy-server on loopback ports.
//   npm run soak                        (builds the driver first)
//   node --expose-gc bench/soak.mjs [--seconds 60] [--callers 1000] [--cut-every 5]
import { ConnectionError, Ledis } from '../dist/index.js';
import { startLedisServer } from '../tools/server.mjs';
import { startToxiproxy } from '../tools/toxiproxy.mjs';

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const SECONDS = flag('--seconds', 60);
const CALLERS = flag('--callers', 1000);
const CUT_EVERY = flag('--cut-every', 5);
/** How long callers get, once the run ends, to hear back before a command counts as lost. */
const DRAIN_MS = 30000;

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : null;
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

async function api(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10000),
  });
  if (!res.ok) throw new Error(`toxiproxy ${method} ${path}: ${res.status} ${await res.text()}`);
}

const stats = {
  issued: 0,
  succeeded: 0,
  /** error name (+ mayHaveRun) -> count */
  rejected: /** @type {Record<string, number>} */ ({}),
  wrong: 0,
  wrongExamples: /** @type {string[]} */ ([]),
  cuts: 0,
  reconnects: 0,
};

function wrong(what) {
  stats.wrong++;
  if (stats.wrongExamples.length < 10) stats.wrongExamples.push(what);
}

/**
 * One caller: a loop of commands on its own three keys. Every reply is
 * checked against what this caller knows, allowing for its own earlier
 * commands that failed with "may have run".
 */
async function caller(ledis, id, running, inFlight) {
  const kv = `soak:kv:${id}`;
  const counter = `soak:n:${id}`;
  const hash = `soak:h:${id}`;
  let stored = /** @type {Set<string | null>} */ (new Set([null]));
  let hashStored = /** @type {Set<string | null>} */ (new Set([null]));
  let counted = 0;
  let uncertainIncrs = 0;
  for (let i = 0; running.value; i++) {
    const step = i % 6;
    const token = `${id}:${i}`;
    stats.issued++;
    inFlight.n++;
    try {
      if (step === 0) {
        const r = await ledis.echo(token);
        if (r !== token) wrong(`ECHO ${token} -> ${r}`);
      } else if (step === 1) {
        const r = await ledis.set(kv, token).catch((err) => {
          // Maybe stored: GET may see either value from now on.
          if (err instanceof ConnectionError && err.mayHaveRun) stored.add(token);
          throw err;
        });
        if (r !== true) wrong(`SET ${token} -> ${r}`);
        stored = new Set([token]);
      } else if (step === 2) {
        const r = await ledis.get(kv);
        if (!stored.has(r)) wrong(`GET ${kv} -> ${r}, expected one of ${[...stored].join(', ')}`);
      } else if (step === 3) {
        const r = await ledis.incr(counter).catch((err) => {
          if (err instanceof ConnectionError && err.mayHaveRun) uncertainIncrs++;
          throw err;
        });
        // Exactly one more than before, plus any earlier INCR whose fate was unknown: never applied twice.
        if (typeof r !== 'number' || r < counted + 1 || r > counted + 1 + uncertainIncrs) {
          wrong(`INCR ${counter} -> ${r}, expected ${counted + 1}..${counted + 1 + uncertainIncrs}`);
        }
        counted = r;
        uncertainIncrs = 0;
      } else if (step === 4) {
        const r = await ledis.hset(hash, 'f', token).catch((err) => {
          if (err instanceof ConnectionError && err.mayHaveRun) hashStored.add(token);
          throw err;
        });
        if (r !== 0 && r !== 1) wrong(`HSET ${token} -> ${r}`);
        hashStored = new Set([token]);
      } else {
        const r = await ledis.hget(hash, 'f');
        if (!hashStored.has(r)) wrong(`HGET ${hash} -> ${r}, expected one of ${[...hashStored].join(', ')}`);
      }
      stats.succeeded++;
    } catch (err) {
      const e = /** @type {Error & { mayHaveRun?: boolean }} */ (err);
      const name = e instanceof ConnectionError ? `ConnectionError (mayHaveRun: ${e.mayHaveRun})` : e.name;
      stats.rejected[name] = (stats.rejected[name] ?? 0) + 1;
    } finally {
      inFlight.n--;
    }
  }
}

async function main() {
  const server = await startLedisServer({ quiet: true });
  const toxi = await startToxiproxy();
  const proxyPort = await (await import('../tools/server.mjs')).freePort();
  await api(toxi.url, 'POST', '/proxies', { name: 'soak', listen: `127.0.0.1:${proxyPort}`, upstream: `${server.host}:${server.port}`, enabled: true });
  const ledis = new Ledis({ host: '127.0.0.1', port: proxyPort });
  ledis.on('reconnecting', () => stats.reconnects++);
  ledis.on('error', () => {});
  try {
    await ledis.connect();
    // Warm up, then measure the heap the run starts from.
    await Promise.all(Array.from({ length: 10000 }, (_, i) => ledis.echo(`warm${i}`)));
    const heapBefore = heap();
    const running = { value: true };
    const inFlight = { n: 0 };
    const started = Date.now();
    console.log(`soak: ${CALLERS} callers, ${SECONDS} s, a cut every ${CUT_EVERY} s, through toxiproxy to LedisDB on ${server.address}`);
    const callers = Array.from({ length: CALLERS }, (_, id) => caller(ledis, id, running, inFlight));

    // The cuts: taking the proxy down (listener closed, links cut) for 100 ms,
    // alternating with a TCP reset of the live connection.
    let cutting = Promise.resolve();
    const cutTimer = setInterval(() => {
      stats.cuts++;
      const n = stats.cuts;
      cutting = cutting.then(async () => {
        if (n % 2 === 1) {
          await api(toxi.url, 'POST', '/proxies/soak', { enabled: false });
          await new Promise((r) => setTimeout(r, 100));
          await api(toxi.url, 'POST', '/proxies/soak', { enabled: true });
        } else {
          await api(toxi.url, 'POST', '/proxies/soak/toxics', { name: 'rst', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
          await new Promise((r) => setTimeout(r, 100));
          await api(toxi.url, 'DELETE', '/proxies/soak/toxics/rst');
        }
      });
    }, CUT_EVERY * 1000);
    const progress = setInterval(() => {
      const s = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`  ${s.padStart(3)} s: issued ${stats.issued}, succeeded ${stats.succeeded}, cuts ${stats.cuts}, in flight ${inFlight.n}`);
    }, 10000);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    clearInterval(cutTimer);
    await cutting;
    running.value = false;
    const drained = await Promise.race([
      Promise.all(callers).then(() => true),
      new Promise((r) => setTimeout(() => r(false), DRAIN_MS)),
    ]);
    clearInterval(progress);
    const elapsed = (Date.now() - started) / 1000;
    const lost = inFlight.n;
    const heapAfter = heap();
    const rejectedTotal = Object.values(stats.rejected).reduce((a, b) => a + b, 0);

    console.log('');
    console.log(`| measure | value |`);
    console.log(`| --- | --- |`);
    console.log(`| run | ${elapsed.toFixed(1)} s, ${CALLERS} concurrent callers, ${stats.cuts} cuts (every ${CUT_EVERY} s), ${stats.reconnects} reconnect attempts |`);
    console.log(`| commands issued | ${stats.issued} (${Math.round(stats.issued / elapsed)}/s) |`);
    console.log(`| succeeded | ${stats.succeeded} |`);
    for (const [name, count] of Object.entries(stats.rejected).sort((a, b) => b[1] - a[1])) {
      console.log(`| rejected: ${name} | ${count} |`);
    }
    if (rejectedTotal === 0) console.log('| rejected | 0 |');
    console.log(`| wrong replies | ${stats.wrong} |`);
    console.log(`| lost (no answer ${DRAIN_MS / 1000} s after the end) | ${lost}${drained ? '' : ' (callers still waiting)'} |`);
    console.log(`| issued = succeeded + rejected + lost | ${stats.issued === stats.succeeded + rejectedTotal + lost} |`);
    console.log(`| heap before / after${gc ? ' (after gc)' : ''} | ${mib(heapBefore)} / ${mib(heapAfter)} |`);
    for (const w of stats.wrongExamples) console.log(`wrong: ${w}`);
    process.exitCode = stats.wrong === 0 && lost === 0 ? 0 : 1;
  } finally {
    ledis.disconnect();
    await toxi.stop();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
