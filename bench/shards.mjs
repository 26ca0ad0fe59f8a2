#!/usr/bin/env node
// SET and GET throughput at C concurrent callers against 1, 2 and 4 LedisDB
// shards, directly (new Ledis({ shards })) and through twemproxy (nutcracker)
// in front of the same servers; one plain single-server client as the
// baseline. Interleaved rounds, median per cell. Prints a Markdown table.
// Usage: npm run bench:shards -- [--duration ms] [--concurrency C] [--rounds N] [--keys K]
import { startNutcracker, ensureNutcracker } from '../tools/shards.mjs';
import { startLedisServer } from '../tools/server.mjs';
import { Ledis } from '../dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 2000);
const C = arg('concurrency', 1000);
const ROUNDS = arg('rounds', 3);
const KEYS = arg('keys', 10000);
const SIZES = [1, 2, 4];
const VALUE = 'x'.repeat(64);
// Keys vary at the front: twemproxy's fnv1a_64 barely spreads keys that differ only in their last bytes.
const keys = Array.from({ length: KEYS }, (_, i) => `${i}:bench:shard`);

/** C callers, each looping `await op(key)` over the key list; bounded by DURATION. */
async function load(client, op) {
  let ops = 0;
  const end = Date.now() + DURATION;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async (_, c) => {
      let i = c;
      while (Date.now() < end) {
        const key = keys[i % KEYS];
        if (op === 'SET') await client.set(key, VALUE);
        else await client.get(key);
        i += C;
        ops++;
      }
    }),
  );
  return (ops / (performance.now() - started)) * 1000;
}

const nutcracker = ensureNutcracker();
const servers = [];
const proxies = new Map();
try {
  for (let i = 0; i < Math.max(...SIZES); i++) servers.push(await startLedisServer({ quiet: true }));
  if (nutcracker.bin === null) process.stderr.write(`twemproxy cells skipped: ${nutcracker.reason}\n`);
  else {
    for (const n of SIZES) {
      const members = servers.slice(0, n).map((s) => ({ host: s.host, port: s.port, weight: 1 }));
      // One server connection per backend, as twemproxy's default.
      proxies.set(n, await startNutcracker({ servers: members, bin: nutcracker.bin }));
    }
  }
  /** @type {Record<string, () => Ledis>} */
  const setups = { 'one server, plain client': () => new Ledis({ port: servers[0].port }) };
  for (const n of SIZES) setups[`direct, ${n} shard${n > 1 ? 's' : ''}`] = () => new Ledis({ shards: servers.slice(0, n).map((s) => s.url) });
  for (const n of SIZES) {
    const proxy = proxies.get(n);
    if (proxy) setups[`twemproxy, ${n} shard${n > 1 ? 's' : ''}`] = () => new Ledis({ port: proxy.port, proxy: 'twemproxy' });
  }
  const results = {};
  for (const name of Object.keys(setups)) results[name] = { SET: [], GET: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of ['SET', 'GET']) {
      for (const [name, make] of Object.entries(setups)) {
        const client = make();
        await client.set(keys[0], VALUE);
        results[name][op].push(await load(client, op));
        await client.quit();
        process.stderr.write(`round ${round + 1}/${ROUNDS} ${op} ${name}: ${Math.round(results[name][op].at(-1))} ops/s\n`);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = { SET: median(results['direct, 1 shard'].SET), GET: median(results['direct, 1 shard'].GET) };
  console.log(
    `SET and GET (64-byte values, ${KEYS} keys), C=${C}, ${DURATION} ms per cell, ${ROUNDS} interleaved rounds (median; range)\n`,
  );
  console.log('| setup | SET ops/s | SET range | SET vs direct 1 shard | GET ops/s | GET range | GET vs direct 1 shard |');
  console.log('| --- | ---: | --- | ---: | ---: | --- | ---: |');
  for (const [name, r] of Object.entries(results)) {
    const cells = ['SET', 'GET'].map((op) => {
      const xs = r[op];
      const m = median(xs);
      return `${Math.round(m)} | ${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))} | ${(m / base[op]).toFixed(2)}x`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
} finally {
  for (const p of proxies.values()) await p.stop();
  await Promise.all(servers.map((s) => s.stop()));
}
