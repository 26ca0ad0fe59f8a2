// Turns a run's results into the console summary, the Markdown report and
// the list of targets met or missed. Every figure printed comes from the
// results object of that one run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fmtCount, fmtNum, fmtRange } from './stats.mjs';

const LEDIS = ['ledis', 'ledis-plain', 'ledis-pool', 'ledis-fixed', 'ledis-default'];
/** Peers on one connection, compared with `ledis` (one connection). */
const PEERS = ['ioredis', 'ioredis-auto', 'node-redis'];
/** Peers on N connections, compared with `ledis-pool` and `ledis-fixed` (the same N). */
const PEERS_N = ['ioredis-rr', 'node-redis-pool'];
/** Like with like: the peers a ledis client is compared with. */
const peersOf = (client) => (client === 'ledis-pool' || client === 'ledis-fixed' ? PEERS_N : PEERS);
const SCENARIO_TITLES = {
  tcp: 'LedisDB over TCP (1 MiB socket buffers)',
  redis: "redis-server over TCP (Debian's; shows client-side cost)",
  unix: 'LedisDB over its unix socket',
  '4k': "LedisDB over TCP at its default 4 KiB socket buffers",
};

const cell = (r, scenario, op, c, client) => r.cells.find((x) => x.scenario === scenario && x.op === op && x.c === c && x.client === client);
const med = (row, f = 'opsPerSec') => row?.[f]?.median ?? NaN;

/** The best row among `clients` in one cell, by a metric (higher or lower is better). */
function best(r, scenario, op, c, clients, f = 'opsPerSec', lower = false) {
  let win = null;
  for (const client of clients) {
    const row = cell(r, scenario, op, c, client);
    const v = med(row, f);
    if (!Number.isFinite(v)) continue;
    if (win === null || (lower ? v < win.value : v > win.value)) win = { client, value: v, row };
  }
  return win;
}

function ratioTarget(list, text, goal, num, den, detail, lower = false) {
  const goalText = `${lower ? '≤' : '≥'} ${goal}x`;
  if (!num || !den || !Number.isFinite(num.value) || !Number.isFinite(den.value) || den.value === 0) {
    list.push({ text, goal: goalText, ratio: null, met: null, detail: 'not measured in this run' });
    return;
  }
  const ratio = num.value / den.value;
  list.push({ text, goal: goalText, ratio, met: lower ? ratio <= goal : ratio >= goal, detail: detail(num, den) });
}

const who = (w, fmt = fmtCount, unit = '/s') => `${w.client} ${fmt(w.value)}${unit}`;

/** Checks the issue's targets against this run's medians. */
export function evaluateTargets(r) {
  const t = [];
  const vs = (a, b) => `${who(a)} vs ${who(b)}`;
  const ms = (x) => `${fmtNum(x)} ms`;
  const vsMs = (a, b) => `${who(a, ms, '')} vs ${who(b, ms, '')}`;
  const one = (scenario, op, c, client) => {
    const row = cell(r, scenario, op, c, client);
    return row && Number.isFinite(med(row)) ? { client, value: med(row), row } : null;
  };
  const oneP99 = (scenario, op, c, client) => {
    const row = cell(r, scenario, op, c, client);
    return row && Number.isFinite(med(row, 'p99')) ? { client, value: med(row, 'p99'), row } : null;
  };
  const ceiling = r.ceiling.find((e) => e.scenario === 'tcp');
  for (const op of ['get', 'set']) {
    const O = op.toUpperCase();
    // Issue 17, point 1: one connection against one connection.
    for (const c of [100, 1000]) {
      ratioTarget(t, `LedisDB ${O} C=${c}, one connection: ledis / best one-connection peer`, 1.15, one('tcp', op, c, 'ledis'), best(r, 'tcp', op, c, PEERS), vs);
    }
    // N connections against N connections.
    ratioTarget(t, `LedisDB ${O} C=1000, N connections: ledis-pool / best of ioredis-rr, node-redis-pool`, 1.3, one('tcp', op, 1000, 'ledis-pool'), best(r, 'tcp', op, 1000, PEERS_N), vs);
    const cv = ceiling?.[op]?.median;
    ratioTarget(t, `LedisDB ${O} C=1000: best ledis / redis-benchmark -c 50 -P 100`, 0.7, best(r, 'tcp', op, 1000, LEDIS), Number.isFinite(cv) ? { client: 'redis-benchmark', value: cv } : null, vs);
    // Issue 17, point 2: N connections cost no tail latency.
    for (const c of r.cells.filter((x) => x.scenario === 'tcp' && x.op === op && x.client === 'ledis-pool').map((x) => x.c)) {
      ratioTarget(t, `LedisDB ${O} C=${c} p99: ledis-pool / ledis (one connection)`, 1.0, oneP99('tcp', op, c, 'ledis-pool'), oneP99('tcp', op, c, 'ledis'), vsMs, true);
    }
  }
  // Issue 17, point 3: what `new Ledis()` with no options gets.
  const gv = ceiling?.get?.median;
  ratioTarget(t, 'LedisDB GET C=1000: new Ledis() (ledis-default) / redis-benchmark -P 100', 0.85, one('tcp', 'get', 1000, 'ledis-default'), Number.isFinite(gv) ? { client: 'redis-benchmark', value: gv } : null, vs);
  ratioTarget(t, 'LedisDB GET C=1000: new Ledis() / best one-connection peer', 1.4, one('tcp', 'get', 1000, 'ledis-default'), best(r, 'tcp', 'get', 1000, PEERS), vs);
  for (const c of [1, 10]) {
    ratioTarget(t, `LedisDB GET C=${c}: new Ledis() / ledis (one connection), no loss`, 1.0, one('tcp', 'get', c, 'ledis-default'), one('tcp', 'get', c, 'ledis'), vs);
  }
  ratioTarget(t, 'LedisDB GET C=100 p99: new Ledis() / ledis (one connection)', 1.0, oneP99('tcp', 'get', 100, 'ledis-default'), oneP99('tcp', 'get', 100, 'ledis'), vsMs, true);
  ratioTarget(t, 'redis-server GET C=100 p99: best ledis / node-redis', 1.0, best(r, 'redis', 'get', 100, LEDIS, 'p99', true), oneP99('redis', 'get', 100, 'node-redis'), vsMs, true);
  const nr = cell(r, 'redis', 'get', 1000, 'node-redis');
  ratioTarget(t, 'redis-server GET C=1000: best ledis / node-redis', 1.5, best(r, 'redis', 'get', 1000, LEDIS), nr ? { client: 'node-redis', value: med(nr) } : null, vs);
  const cheapest = best(r, 'redis', 'get', 1000, LEDIS, 'cpuUsPerOp', true);
  if (cheapest) t.push({ text: 'redis-server GET C=1000: ledis client CPU per command', goal: '≤ 1.0 µs', ratio: cheapest.value, met: cheapest.value <= 1.0, detail: `${cheapest.client} ${fmtNum(cheapest.value)} µs/op` });
  else t.push({ text: 'redis-server GET C=1000: ledis client CPU per command', goal: '≤ 1.0 µs', ratio: null, met: null, detail: 'not measured in this run' });
  for (const scenario of ['tcp', 'redis']) {
    for (const op of ['get', 'set']) {
      ratioTarget(t, `${scenario === 'tcp' ? 'LedisDB' : 'redis-server'} ${op.toUpperCase()} C=1: ledis / best peer (no slower)`, 1.0, best(r, scenario, op, 1, LEDIS), best(r, scenario, op, 1, PEERS), vs);
    }
  }
  for (const op of ['get', 'set']) {
    ratioTarget(t, `LedisDB ${op.toUpperCase()} C=100 p99: ledis / best one-connection peer`, 0.7, oneP99('tcp', op, 100, 'ledis'), best(r, 'tcp', op, 100, PEERS, 'p99', true), vsMs, true);
  }
  // Issue 27, point 1: the tail `new Ledis()` users see, against the best peer and against one connection.
  for (const op of ['get', 'set']) {
    for (const c of [1, 10, 100, 1000]) {
      const O = op.toUpperCase();
      ratioTarget(t, `LedisDB ${O} C=${c} p99: new Ledis() / best one-connection peer (issue 27)`, 0.9, oneP99('tcp', op, c, 'ledis-default'), best(r, 'tcp', op, c, PEERS, 'p99', true), vsMs, true);
      ratioTarget(t, `LedisDB ${O} C=${c} p99: new Ledis() / ledis (one connection) (issue 27)`, 1.0, oneP99('tcp', op, c, 'ledis-default'), oneP99('tcp', op, c, 'ledis'), vsMs, true);
    }
  }
  for (const [scenario, goal, name] of [['redis', 1.5, 'redis-server'], ['tcp', 1.3, 'LedisDB']]) {
    const row = (client, mode) => r.bulk.find((x) => x.scenario === scenario && x.client === client && x.mode === mode);
    const l = row('ledis', 'pipeline');
    const i = row('ioredis', 'pipeline');
    ratioTarget(t, `${name} 100k-ZADD pipeline: ledis / ioredis pipeline`, goal, l && { client: 'ledis', value: med(l) }, i && { client: 'ioredis', value: med(i) }, vs);
  }
  const large = (as, client) => r.large.find((x) => x.size === 1024 * 1024 && x.as === as && x.client === client);
  const mb = (x) => `${fmtNum(x)} MB`;
  const lb = large('Buffer', 'ledis');
  const ib = large('Buffer', 'ioredis');
  ratioTarget(t, 'GET 1 MiB as Buffer: ledis / ioredis MB/s', 1.0, lb && { client: 'ledis', value: med(lb, 'mbPerSec') }, ib && { client: 'ioredis', value: med(ib, 'mbPerSec') }, (a, b) => `${who(a, mb)} vs ${who(b, mb)}`);
  const ls = large('string', 'ledis');
  let bs = null;
  for (const c of ['ioredis', 'node-redis']) {
    const row = large('string', c);
    if (row && (bs === null || med(row, 'mbPerSec') > bs.value)) bs = { client: c, value: med(row, 'mbPerSec') };
  }
  ratioTarget(t, 'GET 1 MiB as string: ledis / best peer MB/s', 1.0, ls && { client: 'ledis', value: med(ls, 'mbPerSec') }, bs, (a, b) => `${who(a, mb)} vs ${who(b, mb)}`);
  if (r.parser?.targets) t.push(...r.parser.targets);
  return t;
}

const metMark = (m) => (m === null ? 'not measured' : m ? 'met' : '**missed**');

function mdTable(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** The report of one run as Markdown. */
export function renderMarkdown(r) {
  const m = r.meta;
  const out = [];
  out.push(`Run of ${m.date.slice(0, 16).replace('T', ' ')} UTC: \`${m.command}\``, '');
  out.push(`- Machine: ${m.machine.cores} cores (${m.machine.cpu}), ${m.machine.memoryGiB} GiB, ${m.machine.os}; load average at start ${m.machine.loadAtStart}${m.machine.loadAtEnd ? `, at end ${m.machine.loadAtEnd}` : ''}`);
  out.push(`- Node ${m.node}; ledis ${m.clients.ledis} (built from ${m.driverCommit}), ioredis ${m.clients.ioredis}, redis (node-redis) ${m.clients.redis}, redis-parser ${m.clients['redis-parser']}`);
  out.push(`- LedisDB ${m.ledisServer} (memory backend)${m.targets.redis ? `; ${m.targets.redis.version}` : ''}. Servers: ${Object.values(m.targets).map((t) => t.description).join('; ')}`);
  const o = m.options;
  out.push(`- ${o.duration} s per cell after ${o.warmup} s warm-up, ${o.reps} repetition${o.reps === 1 ? '' : 's'} interleaved across clients; figures are median (min–max). Each client runs in its own process; CPU is that process's user+system time per operation (process.cpuUsage), including the harness's timing calls${Number.isFinite(m.harness?.cpuUsPerOp) ? ` (the harness alone, 1000 callers awaiting an already-resolved promise, costs ${fmtNum(m.harness.cpuUsPerOp)} µs/op)` : ''}. Latency (p50, p99) is timed on every command below C=100 and on every 8th command of each caller from C=100 up.`);
  if (m.connections !== undefined) out.push(`- N = ${m.connections}${r.probe.length ? ` (chosen by a GET C=1000 probe of ledis-fixed: ${r.probe.map((p) => `${p.connections} → ${fmtCount(p.opsPerSec)}/s`).join(', ')})` : ''}. One connection each: ledis = \`new Ledis({ connections: 1 })\` (consecutive GETs/SETs of a tick coalesced into one MGET/MSET, the default), ledis-plain = \`new Ledis({ connections: 1, coalesce: false })\` (one command on the wire per call, as the peers send), ioredis, ioredis-auto (enableAutoPipelining), node-redis (createClient). N connections each: ledis-pool = \`new Ledis({ connections: N })\` (the adaptive spread: one connection until the load is deep, then up to N), ledis-fixed = \`new Ledis({ connections: N, spread: 'fixed' })\` (all N from the start), ioredis-rr = N ioredis-auto clients used round-robin, node-redis-pool = createClientPool with N clients (RESP2; it lends a client per command, so at most N commands are in flight). ledis-default = \`new Ledis()\` with no options (the adaptive spread, up to 4). "vs best peer" compares like with like: one connection with one-connection peers, ledis-pool and ledis-fixed with the N-connection peers. Cells at C=1000 warm up for at least 1 s, so an adaptive spread is measured settled.`);
  for (const n of m.notes) out.push(`- ${n}`);
  out.push('', '### Targets', '');
  out.push(mdTable(['target', 'goal', 'this run', 'ratio', ''], (r.targetsMet ?? []).map((x) => [x.text, x.goal, x.detail, x.ratio === null || x.goal.includes('µs') ? '–' : `${fmtNum(x.ratio)}x`, metMark(x.met)])));
  for (const scenario of Object.keys(SCENARIO_TITLES)) {
    const rows = r.cells.filter((x) => x.scenario === scenario);
    if (rows.length === 0) continue;
    out.push('', `### GET/SET, ${SCENARIO_TITLES[scenario]}`, '', '16-byte keys, 64-byte values; C callers each awaiting one command at a time.', '');
    const body = [];
    for (const op of [...new Set(rows.map((x) => x.op))]) {
      for (const c of [...new Set(rows.map((x) => x.c))]) {
        for (const row of rows.filter((x) => x.op === op && x.c === c)) {
          const peer = best(r, scenario, op, c, peersOf(row.client));
          const vsPeer = LEDIS.includes(row.client) && peer ? `${fmtNum(med(row) / peer.value)}x ${peer.client}` : '';
          const errs = row.reps.filter((x) => x.error).length;
          const stalls = row.reps.filter((x) => x.stalled).length;
          const flags = [errs ? `${errs} failed` : '', stalls ? `${stalls} stalled` : ''].filter(Boolean).join(', ');
          body.push([op.toUpperCase(), c, row.client, fmtRange(row.opsPerSec) + (flags ? ` (${flags})` : ''), vsPeer, fmtNum(med(row, 'cpuUsPerOp')), fmtNum(med(row, 'p50')), fmtNum(med(row, 'p99'))]);
        }
      }
    }
    out.push(mdTable(['op', 'C', 'client', 'ops/s', 'vs best peer', 'CPU µs/op', 'p50 ms', 'p99 ms'], body));
    if (rows.some((x) => x.reps.some((y) => y.stalled))) {
      out.push('', 'stalled: some callers were still waiting for replies a few seconds after the cell ended; ops/s counts what completed over the whole wait, and the client process was replaced before the next cell. Latencies cover only the commands that completed.');
    }
  }
  if (r.bulk.length) {
    out.push('', `### Bulk load: ${fmtCount(r.bulk[0].n)} ZADD on one key`, '');
    out.push(mdTable(['server', 'how', 'ZADD/s', 'CPU µs/op', 'wall ms'], r.bulk.map((x) => [x.scenario === 'tcp' ? 'LedisDB' : 'redis-server', `${x.client}: ${x.via ?? x.label}`, fmtRange(x.opsPerSec), fmtNum(med(x, 'cpuUsPerOp')), fmtNum(x.n / med(x) * 1000)])));
  }
  if (r.large.length) {
    out.push('', '### Large values: GET, C=10, LedisDB over TCP', '');
    out.push(mdTable(['size', 'as', 'client', 'MB/s', 'CPU µs/MB', 'p99 ms'], r.large.map((x) => [x.label, x.as, x.client, fmtRange(x.mbPerSec, fmtNum), fmtNum(med(x, 'cpuUsPerMB')), fmtNum(med(x, 'p99'))])));
  }
  if (r.ceiling.length) {
    out.push('', '### Server ceiling: redis-benchmark -t set,get -c 50 -P 100 -d 64', '');
    out.push(mdTable(['server', 'SET/s', 'GET/s', 'command'], r.ceiling.map((e) => [e.scenario === 'tcp' ? 'LedisDB' : 'redis-server', fmtRange(e.set), fmtRange(e.get), `\`${(e.command ?? '').replace(/ -[hps] \S+/g, '')}\``])));
  }
  if (r.cadence?.length) {
    out.push('', '### What each client makes LedisDB do per command, one connection', '');
    out.push('`bench/cadence.mjs` cells (C callers on one connection, GET or SET, 2 s after 0.5 s warm-up, 2 interleaved repetitions, medians): counters of the server process (`/proc/<pid>/io`, `/proc/<pid>/task/*/status`, `/proc/<pid>/stat`) and of the client process over the same window, per 1,000 commands. Counts per command hold on a loaded machine where rates do not. ioredis here runs with auto-pipelining. What the figures mean: [bench/NOTES.md](bench/NOTES.md).', '');
    const groups = new Map();
    for (const x of r.cadence) {
      const k = `${x.op}|${x.c}|${x.client}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(x);
    }
    const medOf = (xs, f) => {
      const v = xs.map(f).filter(Number.isFinite).sort((a, b) => a - b);
      if (v.length === 0) return NaN;
      const m = v.length >> 1;
      return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
    };
    const per1k = (f) => (x) => (1000 * f(x)) / x.ops;
    const body = [];
    const order = (k) => {
      const [op, c, client] = k.split('|');
      return [op, Number(c), client];
    };
    const sorted = [...groups.entries()].sort((a, b) => {
      const [x, y] = [order(a[0]), order(b[0])];
      return x[0] === y[0] ? (x[1] === y[1] ? x[2].localeCompare(y[2]) : x[1] - y[1]) : x[0].localeCompare(y[0]);
    });
    for (const [k, xs] of sorted) {
      const [op, c, client] = k.split('|');
      body.push([
        op.toUpperCase(), c, client, fmtCount(medOf(xs, (x) => x.opsPerSec)),
        fmtNum(medOf(xs, per1k((x) => x.server.syscr))), fmtNum(medOf(xs, per1k((x) => x.server.syscw))),
        fmtNum(medOf(xs, per1k((x) => x.server.vol))), fmtNum(medOf(xs, per1k((x) => x.server.nonvol))),
        fmtNum(medOf(xs, (x) => (x.server.cpuTicks * 10_000) / x.ops)),
        fmtNum(medOf(xs, per1k((x) => x.clientCounters.syscw))), fmtNum(medOf(xs, (x) => x.ops / x.clientCounters.events)),
        fmtNum(medOf(xs, (x) => x.clientCounters.wchar / Math.max(1, x.clientCounters.syscw))), fmtNum(medOf(xs, (x) => x.clientCpuUsPerOp)),
      ]);
    }
    out.push(mdTable(['op', 'C', 'client', 'ops/s', 'server reads /1k', 'server writes /1k', 'server voluntary cs /1k', 'server involuntary cs /1k', 'server CPU µs/op', 'client writes /1k', "replies per 'data'", 'bytes per client write', 'client CPU µs/op'], body));
  }
  if (r.parser?.rows) {
    out.push('', `### Parser micro-benchmarks (tinybench, ${r.parser.timeMs} ms per task)`, '');
    out.push('Replies parsed per second from a buffer already in memory, fed whole or in 64 KiB slices.', '');
    out.push(mdTable(['payload', 'feed', 'mode', 'ledis', 'redis-parser', 'node-redis decoder', 'ledis / redis-parser', 'ledis / node-redis'], r.parser.rows.map((x) => [x.payload, x.feed, x.mode, fmtCount(x.ledis), fmtCount(x['redis-parser']), fmtCount(x['node-redis']), `${fmtNum(x.ledis / x['redis-parser'])}x`, `${fmtNum(x.ledis / x['node-redis'])}x`])));
  } else if (r.parser?.error) out.push('', `Parser micro-benchmarks: ${r.parser.error}`);
  return out.join('\n') + '\n';
}

/** A short summary on stdout: ops/s matrices and the targets. */
export function printReport(r) {
  const pad = (s, n) => String(s).padStart(n);
  for (const scenario of Object.keys(SCENARIO_TITLES)) {
    const rows = r.cells.filter((x) => x.scenario === scenario);
    if (rows.length === 0) continue;
    const cs = [...new Set(rows.map((x) => x.c))];
    console.log(`\n${SCENARIO_TITLES[scenario]}: median ops/s (client CPU µs/op)`);
    for (const op of [...new Set(rows.map((x) => x.op))]) {
      console.log(`  ${op.toUpperCase().padEnd(14)}${cs.map((c) => pad(`C=${c}`, 16)).join('')}`);
      for (const client of [...new Set(rows.map((x) => x.client))]) {
        const line = cs.map((c) => {
          const row = cell(r, scenario, op, c, client);
          return pad(row ? `${fmtCount(med(row))} (${fmtNum(med(row, 'cpuUsPerOp'), 2)})` : '–', 16);
        });
        console.log(`  ${client.padEnd(14)}${line.join('')}`);
      }
    }
  }
  for (const x of r.bulk) console.log(`bulk ${x.scenario} ${x.label}: ${fmtCount(med(x))} ZADD/s`);
  for (const x of r.large) console.log(`large ${x.label} ${x.as} ${x.client}: ${fmtNum(med(x, 'mbPerSec'))} MB/s`);
  for (const e of r.ceiling) console.log(`redis-benchmark ${e.scenario}: SET ${fmtCount(e.set?.median)}/s GET ${fmtCount(e.get?.median)}/s`);
  console.log('\nTargets:');
  for (const x of r.targetsMet ?? []) console.log(`  [${x.met === null ? ' ?  ' : x.met ? ' ok ' : 'MISS'}] ${x.text} (${x.goal}): ${x.detail}${x.ratio !== null && !x.goal.includes('µs') ? ` = ${fmtNum(x.ratio)}x` : ''}`);
}

/**
 * README's headline table from one run: like with like (one connection
 * against one-connection peers, N against N), every figure a median of
 * this run. Rows that were not measured are left out.
 */
export function renderHeadline(r) {
  const rows = [];
  const add = (label, ours, peer) => {
    if (!ours || !peer || !Number.isFinite(ours.value) || !Number.isFinite(peer.value) || peer.value === 0) return;
    rows.push([label, `${fmtCount(ours.value)}/s`, `${fmtCount(peer.value)}/s (${peer.client})`, `${fmtNum(ours.value / peer.value)}x`]);
  };
  const one = (scenario, op, c, client) => {
    const row = cell(r, scenario, op, c, client);
    return row ? { client, value: med(row) } : null;
  };
  const n = r.meta.connections;
  add('GET, 1,000 callers, LedisDB, one connection', one('tcp', 'get', 1000, 'ledis'), best(r, 'tcp', 'get', 1000, PEERS));
  add('SET, 1,000 callers, LedisDB, one connection', one('tcp', 'set', 1000, 'ledis'), best(r, 'tcp', 'set', 1000, PEERS));
  add('GET, 100 callers, LedisDB, one connection', one('tcp', 'get', 100, 'ledis'), best(r, 'tcp', 'get', 100, PEERS));
  add(`GET, 1,000 callers, LedisDB, ${n ?? 'N'} connections (ioredis ×${n ?? 'N'} round-robin, node-redis createClientPool)`, one('tcp', 'get', 1000, 'ledis-pool'), best(r, 'tcp', 'get', 1000, PEERS_N));
  add('GET, 1,000 callers, LedisDB, `new Ledis()` with no options vs one-connection peers', one('tcp', 'get', 1000, 'ledis-default'), best(r, 'tcp', 'get', 1000, PEERS));
  add('GET, 1,000 callers, redis-server (client-bound), one connection', one('redis', 'get', 1000, 'ledis'), best(r, 'redis', 'get', 1000, PEERS));
  const bulk = (scenario, client) => {
    const row = r.bulk.find((x) => x.scenario === scenario && x.client === client && x.mode === 'pipeline');
    return row ? { client, value: med(row) } : null;
  };
  const bulkPeer = [bulk('redis', 'ioredis'), bulk('redis', 'node-redis')].filter((x) => x && Number.isFinite(x.value)).sort((a, b) => b.value - a.value)[0];
  add('100k ZADD in one pipeline, redis-server', bulk('redis', 'ledis'), bulkPeer);
  for (const as of ['string', 'Buffer']) {
    const lg = (client) => {
      const row = r.large.find((x) => x.size === 1024 * 1024 && x.as === as && x.client === client);
      return row ? { client, value: med(row, 'mbPerSec') } : null;
    };
    const peer = [lg('ioredis'), lg('node-redis')].filter((x) => x && Number.isFinite(x.value)).sort((a, b) => b.value - a.value)[0];
    const ours = lg('ledis');
    if (ours && peer && Number.isFinite(ours.value)) rows.push([`GET of 1 MiB values as ${as}s, 10 callers, LedisDB`, `${fmtNum(ours.value)} MB/s`, `${fmtNum(peer.value)} MB/s (${peer.client})`, `${fmtNum(ours.value / peer.value)}x`]);
  }
  const m = r.meta;
  return [
    `Run of ${m.date.slice(0, 16).replace('T', ' ')} UTC, driver at ${m.driverCommit}, ${m.machine.cores} cores shared with other work (load average ${m.machine.loadAtStart} at start${m.machine.loadAtEnd ? `, ${m.machine.loadAtEnd} at end` : ''}); medians of ${m.options.reps} interleaved repetitions. Ranges, latencies, CPU and the targets met and missed: [BENCHMARKS.md](BENCHMARKS.md).`,
    '',
    mdTable(['workload', 'ledis', 'best peer, same number of connections', 'ratio'], rows),
    '',
  ].join('\n');
}

/** Replaces the text between two marker comments of a file (appends the block when the markers are missing). */
export function updateMarkedBlock(file, start, end, md) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return false;
  writeFileSync(file, text.slice(0, a) + `${start}\n${md}${end}` + text.slice(b + end.length));
  return true;
}

export const HEADLINE_START = '<!-- bench:headline:start (npm run bench -- --update-benchmarks rewrites this table) -->';
export const HEADLINE_END = '<!-- bench:headline:end -->';

const START = '<!-- bench:generated:start (npm run bench -- --update-benchmarks rewrites this part) -->';
const END = '<!-- bench:generated:end -->';

/** Replaces only the generated block of BENCHMARKS.md, keeping every other section. */
export function updateBenchmarksMd(file, md) {
  const block = `${START}\n${md}${END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text.trimEnd()}\n\n## Latest run\n\n${block}\n`;
  writeFileSync(file, next);
}
