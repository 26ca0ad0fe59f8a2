#!/usr/bin/env node
// GET throughput with reads spread over master + 1 replica vs the master
// alone, same run, same servers. Prints a Markdown table.
// Usage: npm run build && node bench/replication.mjs [--duration ms] [--concurrency C] [--rounds N]
import { startLedisServer } from '../tools/server.mjs';
import { Ledis } from '../dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 3000);
const C = arg('concurrency', 1000);
const ROUNDS = arg('rounds', 3);
const KEY = 'bench:rpl:key00001';

async function load(client) {
  let ops = 0;
  const end = Date.now() + DURATION;
  const started = performance.now();
  // C callers each looping await; bounded by DURATION.
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (Date.now() < end) {
        await client.get(KEY);
        ops++;
      }
    }),
  );
  return (ops / (performance.now() - started)) * 1000;
}

const master = await startLedisServer({ replication: true, quiet: true });
const replica = await startLedisServer({ slaveof: master.address, quiet: true });
const setups = {
  'master alone': () => new Ledis({ host: master.host, port: master.port }),
  "master + replica (readFrom: 'any')": () => new Ledis({ master: master.url, replicas: [replica.url], readFrom: 'any' }),
  "replica only (readFrom: 'replica')": () => new Ledis({ master: master.url, replicas: [replica.url], readFrom: 'replica' }),
};
try {
  const seed = new Ledis({ host: master.host, port: master.port });
  await seed.set(KEY, 'x'.repeat(64));
  const check = new Ledis({ host: replica.host, port: replica.port });
  for (let i = 0; i < 100 && (await check.get(KEY)) === null; i++) await new Promise((r) => setTimeout(r, 50));
  await seed.quit();
  await check.quit();
  const results = Object.fromEntries(Object.keys(setups).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, make] of Object.entries(setups)) {
      const client = make();
      await client.get(KEY);
      results[name].push(await load(client));
      await client.quit();
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${name}: ${Math.round(results[name].at(-1))} ops/s\n`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(results['master alone']);
  console.log(`GET, C=${C}, ${DURATION} ms per cell, ${ROUNDS} interleaved rounds (median, range)\n`);
  console.log('| setup | GET ops/s | range | vs master alone |');
  console.log('| --- | ---: | --- | ---: |');
  for (const [name, xs] of Object.entries(results)) {
    const m = median(xs);
    console.log(`| ${name} | ${Math.round(m)} | ${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))} | ${(m / base).toFixed(2)}x |`);
  }
} finally {
  await replica.stop();
  await master.stop();
}
