#!/usr/bin/env node
// What observing costs on the hot path: GET with 1,000 concurrent callers on
// one connection to a local LedisDB, interleaved rounds of
//   off         nobody subscribes to ledis:command, showFriendlyErrorStack off
//   subscribed  a no-op subscriber on ledis:command (every command traced)
//   friendly    showFriendlyErrorStack: true (a stack captured per command)
// and, with --before DIST, the same "off" run of another build (e.g. the
// commit before the tracing hooks) as "before".
// usage: npm run build && node bench/observe.mjs [--rounds 3] [--seconds 2] [--before /path/to/dist/index.js]
import dc from 'node:diagnostics_channel';
import { pathToFileURL } from 'node:url';
import { startLedisServer } from '../tools/server.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const rounds = Number(opt('rounds', 3));
const seconds = Number(opt('seconds', 2));
const before = opt('before', null);
const { Ledis } = await import('../dist/index.js');
const Before = before ? (await import(pathToFileURL(before).href)).Ledis : null;

const server = await startLedisServer({ quiet: true });
const CALLERS = 1000;

async function run(Client, options) {
  const ledis = new Client({ host: server.host, port: server.port, ...options });
  await ledis.set('bench:k', 'v'.repeat(16));
  let ops = 0;
  let stop = false;
  const end = Date.now() + seconds * 1000;
  const caller = async () => {
    while (!stop) {
      await ledis.get('bench:k');
      ops++;
      if ((ops & 1023) === 0 && Date.now() >= end) stop = true;
    }
  };
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const used = process.cpuUsage(cpu);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  await ledis.quit();
  // Client-process CPU per GET: less disturbed by other load than GET/s.
  return { rate: ops / secs, cpuUs: (used.user + used.system) / ops };
}

const noop = () => {};
const handlers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
const results = {};
const cases = [
  ...(Before ? [['before', () => run(Before, {})]] : []),
  ['off', () => run(Ledis, {})],
  ['subscribed', async () => {
    dc.tracingChannel('ledis:command').subscribe(handlers);
    try { return await run(Ledis, {}); } finally { dc.tracingChannel('ledis:command').unsubscribe(handlers); }
  }],
  ['friendly', () => run(Ledis, { showFriendlyErrorStack: true })],
];
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of cases) {
    const v = await fn();
    (results[name] ??= []).push(v);
    console.log(`round ${r + 1} ${name.padEnd(10)} ${Math.round(v.rate).toLocaleString('en-US')} GET/s, ${v.cpuUs.toFixed(2)} µs CPU/GET`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('\nmedian of rounds (C=1000, one connection):');
for (const [name, vs] of Object.entries(results)) {
  const rate = median(vs.map((v) => v.rate));
  const cpu = median(vs.map((v) => v.cpuUs));
  console.log(`  ${name.padEnd(10)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} GET/s  ${cpu.toFixed(2)} µs CPU/GET  (GET/s: ${vs.map((v) => Math.round(v.rate / 1000) + 'k').join(', ')})`);
}
await server.stop();
