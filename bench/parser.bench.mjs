#!/usr/bin/env node
// RESP parser micro-benchmarks (tinybench): our Parser (from dist) against
// redis-parser (ioredis's) and node-redis's Decoder, on replies already in
// memory, fed as one buffer or in 64 KiB slices, returning strings or Buffers.
//   node bench/parser.bench.mjs [--time MS] [--rounds N] [--json]
import { createRequire } from 'node:module';
import path from 'node:path';
import { Bench } from 'tinybench';
import { Parser } from '../dist/index.js';

const require = createRequire(import.meta.url);
const RedisParser = require('redis-parser');
// node-redis does not export its decoder; load the file from its package.
const { Decoder, RESP_TYPES } = require(path.join(path.dirname(require.resolve('@redis/client')), 'lib', 'RESP', 'decoder.js'));

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const TIME = flag('--time', 300);
const ROUNDS = Math.max(1, Math.min(20, flag('--rounds', 3)));
const JSON_OUT = argv.includes('--json');
const SLICE = 64 * 1024;

function text(n, seed) {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += String.fromCharCode(97 + (x % 26));
  }
  return s;
}
const bulk = (s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** Each payload: a buffer of `replies` top-level replies. */
const PAYLOADS = [
  {
    name: 'small replies (+OK, :int, 5-byte bulk, nil)',
    small: true,
    build() {
      const cycle = ['+OK\r\n', ':12345\r\n', bulk('hello'), '$-1\r\n'];
      return { replies: 10_000, buf: Buffer.from(Array.from({ length: 10_000 }, (_, i) => cycle[i % 4]).join('')) };
    },
  },
  {
    name: '64-byte bulks',
    build() {
      return { replies: 10_000, buf: Buffer.from(Array.from({ length: 10_000 }, (_, i) => bulk(text(64, i + 1))).join('')) };
    },
  },
  {
    name: 'arrays of 10 64-byte bulks',
    build() {
      const one = (i) => `*10\r\n${Array.from({ length: 10 }, (_, j) => bulk(text(64, i * 10 + j + 1))).join('')}`;
      return { replies: 1_000, buf: Buffer.from(Array.from({ length: 1_000 }, (_, i) => one(i)).join('')) };
    },
  },
  {
    name: '100 KB bulk',
    large: true,
    build() {
      const v = text(100_000, 7);
      return { replies: 20, buf: Buffer.from(bulk(v).repeat(20)) };
    },
  },
];

function slices(buf) {
  const out = [];
  for (let i = 0; i < buf.length; i += SLICE) out.push(buf.subarray(i, Math.min(buf.length, i + SLICE)));
  return out;
}

/** A feed function per parser: takes the chunks, returns how many replies came out. */
function makeParsers(buffers) {
  let count = 0;
  let last;
  const onReply = (r) => {
    count++;
    last = r;
  };
  const ours = new Parser(onReply);
  ours.returnBuffers = buffers;
  const theirs = new RedisParser({ returnReply: onReply, returnError: onReply, returnFatalError: (e) => { throw e; }, returnBuffers: buffers });
  const mapping = buffers ? { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer } : {};
  const decoder = new Decoder({ onReply, onErrorReply: onReply, onPush: onReply, getTypeMapping: () => mapping });
  const run = (feed) => (chunks) => {
    count = 0;
    for (let i = 0; i < chunks.length; i++) feed(chunks[i]);
    return { count, last };
  };
  return {
    ledis: run((c) => ours.execute(c)),
    'redis-parser': run((c) => theirs.execute(c)),
    'node-redis': run((c) => decoder.write(c)),
  };
}

const PARSERS = ['ledis', 'redis-parser', 'node-redis'];
const cases = [];
for (const p of PAYLOADS) {
  const { replies, buf } = p.build();
  for (const feed of ['whole buffer', '64 KiB slices']) {
    const chunks = feed === 'whole buffer' ? [buf] : slices(buf);
    for (const mode of ['string', 'Buffer']) {
      const parsers = makeParsers(mode === 'Buffer');
      // Every parser must see every reply, with the right type, before it is timed.
      for (const name of PARSERS) {
        const { count, last } = parsers[name](chunks);
        const leaf = Array.isArray(last) ? last[9] : last;
        const okType = leaf === null || typeof leaf === 'number' || (mode === 'Buffer' ? Buffer.isBuffer(leaf) : typeof leaf === 'string');
        if (count !== replies || !okType) throw new Error(`${name} on ${p.name} (${feed}, ${mode}): ${count}/${replies} replies, last ${typeof leaf}`);
      }
      cases.push({ payload: p.name, small: !!p.small, large: !!p.large, feed, mode, replies, chunks, parsers, hz: { ledis: [], 'redis-parser': [], 'node-redis': [] } });
    }
  }
}

for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME, warmupTime: Math.min(100, TIME / 3) });
  for (const c of cases) {
    // Rotate which parser goes first in each round.
    for (let k = 0; k < PARSERS.length; k++) {
      const name = PARSERS[(k + round) % PARSERS.length];
      const fn = c.parsers[name];
      const chunks = c.chunks;
      bench.add(`${c.payload}|${c.feed}|${c.mode}|${name}`, () => {
        fn(chunks);
      });
    }
  }
  await bench.run();
  for (const task of bench.tasks) {
    const [payload, feed, mode, name] = task.name.split('|');
    const c = cases.find((x) => x.payload === payload && x.feed === feed && x.mode === mode);
    const period = task.result?.period;
    c.hz[name].push(period ? (1000 / period) * c.replies : NaN);
  }
  if (!JSON_OUT) process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const rows = cases.map((c) => ({ payload: c.payload, feed: c.feed, mode: c.mode, ...Object.fromEntries(PARSERS.map((n) => [n, median(c.hz[n])])) }));

const targets = [];
for (const c of cases) {
  const row = rows.find((r) => r.payload === c.payload && r.feed === c.feed && r.mode === c.mode);
  const ratio = row.ledis / row['redis-parser'];
  let goal = null;
  if (c.small) goal = c.mode === 'string' ? 2 : 1.3;
  else if (c.large) goal = 1;
  if (goal === null) continue;
  targets.push({ text: `parser, ${c.payload}, ${c.feed}, ${c.mode}: ledis / redis-parser replies/s`, goal: `≥ ${goal}x`, ratio, met: Number.isFinite(ratio) ? ratio >= goal : null, detail: `${Math.round(row.ledis)} vs ${Math.round(row['redis-parser'])} replies/s` });
}

if (JSON_OUT) {
  console.log(JSON.stringify({ timeMs: TIME, rounds: ROUNDS, rows, targets }));
} else {
  const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${Math.round(x / 1e3)}k`);
  console.log(`replies/s, median of ${ROUNDS} rounds of ${TIME} ms per task`);
  console.log(`${'payload'.padEnd(46)}${'feed'.padEnd(15)}${'mode'.padEnd(8)}${PARSERS.map((p) => p.padStart(13)).join('')}  ledis/redis-parser`);
  for (const r of rows) {
    console.log(`${r.payload.padEnd(46)}${r.feed.padEnd(15)}${r.mode.padEnd(8)}${PARSERS.map((p) => fmt(r[p]).padStart(13)).join('')}  ${(r.ledis / r['redis-parser']).toFixed(2)}x`);
  }
  for (const t of targets) console.log(`[${t.met ? ' ok ' : 'MISS'}] ${t.text} ${t.goal}: ${t.ratio.toFixed(2)}x`);
}
