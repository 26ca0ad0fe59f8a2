#!/usr/bin/env node
// RESP encoder micro-benchmarks (tinybench), beside the parser's: our
// encodeCommand (from dist) against node-redis's encoder (@redis/client
// lib/RESP/encoder.js) and ioredis's Command#toWritable, on the commands a
// busy client sends: GET, SET with a 64-byte value, SET with a 4 KiB Buffer,
// and a 10-pair HMSET. Commands per second; median of the rounds.
//   node bench/encoder.bench.mjs [--time MS] [--rounds N] [--json]
import { createRequire } from 'node:module';
import path from 'node:path';
import { Bench } from 'tinybench';
import { encodeCommand } from '../dist/index.js';

const require = createRequire(import.meta.url);
const nodeRedisEncode = require(path.join(path.dirname(require.resolve('@redis/client')), 'lib', 'RESP', 'encoder.js')).default;
const IoredisCommand = require('ioredis/built/Command.js').default;

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const TIME = flag('--time', 300);
const ROUNDS = Math.max(1, Math.min(20, flag('--rounds', 3)));
const JSON_OUT = argv.includes('--json');
const BATCH = 1000;

const value64 = 'v'.repeat(64);
const buffer4k = Buffer.alloc(4096, 7);
const hmset = ['h'];
for (let i = 0; i < 10; i++) hmset.push(`field:${i}`, `value:${i}:${value64.slice(0, 16)}`);

const CASES = [
  { name: 'GET key', command: 'GET', args: (i) => [`key:${i}`] },
  { name: 'SET key 64-byte value', command: 'SET', args: (i) => [`key:${i}`, value64] },
  { name: 'SET key 4 KiB Buffer', command: 'SET', args: (i) => [`key:${i}`, buffer4k] },
  { name: 'HMSET 10 pairs', command: 'HMSET', args: () => hmset },
];

/** Each encoder: encodes BATCH commands, returns the total size so nothing is optimised away. */
const size = (e) => (typeof e === 'string' || Buffer.isBuffer(e) ? e.length : e.reduce((n, p) => n + p.length, 0));
const ENCODERS = {
  ledis: (c, argsList) => {
    let n = 0;
    for (let i = 0; i < argsList.length; i++) n += size(encodeCommand(c.command, argsList[i]));
    return n;
  },
  'node-redis': (c, argsList) => {
    let n = 0;
    for (let i = 0; i < argsList.length; i++) n += size(nodeRedisEncode([c.command, ...argsList[i]]));
    return n;
  },
  ioredis: (c, argsList) => {
    let n = 0;
    for (let i = 0; i < argsList.length; i++) n += size(new IoredisCommand(c.command.toLowerCase(), argsList[i]).toWritable());
    return n;
  },
};
const NAMES = Object.keys(ENCODERS);

const results = CASES.map((c) => ({ ...c, argsList: Array.from({ length: BATCH }, (_, i) => c.args(i)), hz: Object.fromEntries(NAMES.map((n) => [n, []])) }));
for (const r of results) for (const n of NAMES) if (!(ENCODERS[n](r, r.argsList) > 0)) throw new Error(`${n} encoded nothing for ${r.name}`);

for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME, warmupTime: Math.min(100, TIME / 3) });
  for (const r of results) {
    for (let k = 0; k < NAMES.length; k++) {
      const name = NAMES[(k + round) % NAMES.length];
      const fn = ENCODERS[name];
      bench.add(`${r.name}|${name}`, () => {
        fn(r, r.argsList);
      });
    }
  }
  await bench.run();
  for (const task of bench.tasks) {
    const [caseName, name] = task.name.split('|');
    const period = task.result?.period;
    results.find((x) => x.name === caseName).hz[name].push(period ? (1000 / period) * BATCH : NaN);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = results.map((r) => ({ case: r.name, ...Object.fromEntries(NAMES.map((n) => [n, Math.round(median(r.hz[n]))])) }));
if (JSON_OUT) {
  process.stdout.write(JSON.stringify({ unit: 'commands/s', rounds: ROUNDS, rows }, null, 2) + '\n');
} else {
  console.log(`| command | ${NAMES.join(' | ')} | ledis / best peer |`);
  console.log(`| --- | ${NAMES.map(() => '---:').join(' | ')} | ---: |`);
  for (const row of rows) {
    const best = Math.max(row['node-redis'], row.ioredis);
    console.log(`| ${row.case} | ${NAMES.map((n) => `${(row[n] / 1e6).toFixed(2)}M`).join(' | ')} | ${(row.ledis / best).toFixed(2)}x |`);
  }
}
