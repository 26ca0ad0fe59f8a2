// In-process A/B of two builds of the driver on one hot path: GET of one key
// by C callers on one connection, N GETs after a warm-up, throughput and
// client CPU per GET, repetitions interleaved (A, B, A, B ...), medians.
//
//   node bench/ab-get.mjs <dist A> <dist B> <port> [--callers 100] [--gets 200000] [--reps 5]
//
// <dist> is a built package's dist/ folder (e.g. a worktree of the older
// commit after `node tools/build.mjs`); <port> a LedisDB on 127.0.0.1 (for
// instance from `npm run server`). Used for BENCHMARKS.md "Fifth stop".
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { callers: { type: 'string', default: '100' }, gets: { type: 'string', default: '200000' }, reps: { type: 'string', default: '5' } },
});
const [distA, distB, port] = positionals;
if (distA === undefined || distB === undefined || port === undefined) {
  console.error('usage: node bench/ab-get.mjs <dist A> <dist B> <port> [--callers N] [--gets N] [--reps N]');
  process.exit(2);
}
const C = Number(values.callers);
const N = Number(values.gets);
const REPS = Number(values.reps);

async function once(dist) {
  const { Ledis } = await import(`${dist}/index.js`);
  const c = new Ledis({ port: Number(port), connections: 1 });
  await c.set('ab-get', 'v');
  for (let i = 0; i < 20_000; i++) await c.get('ab-get');
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let left = N;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (left-- > 0) await c.get('ab-get');
    }),
  );
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  await c.quit();
  return { opsPerSec: N / (ns / 1e9), cpuUsPerOp: (cpu.user + cpu.system) / N };
}

const res = { A: [], B: [] };
for (let r = 0; r < REPS; r++) for (const [k, d] of [['A', distA], ['B', distB]]) res[k].push(await once(d));
const median = (a, f) => a.map(f).sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const k of ['A', 'B']) {
  console.log(`${k} ${k === 'A' ? distA : distB}: ${Math.round(median(res[k], (x) => x.opsPerSec))} GET/s, ${median(res[k], (x) => x.cpuUsPerOp).toFixed(3)} us client CPU per GET (median of ${REPS})`);
}
