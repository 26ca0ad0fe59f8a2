// The benchmark report compares like with like (one connection with
// one-connection peers, N with N) and draws its charts headlessly from a
// run's JSON. A small made-up run: no measurement, no timing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCharts } from '../../bench/lib/charts.mjs';
import { evaluateTargets, renderHeadline, renderMarkdown } from '../../bench/lib/report.mjs';

const summary = (v: number) => ({ median: v, min: v * 0.9, max: v * 1.1, n: 3 });

function cellRow(scenario: string, op: string, c: number, client: string, ops: number, p99: number) {
  return { scenario, op, c, client, reps: [], opsPerSec: summary(ops), cpuUsPerOp: summary(2), p50: summary(p99 / 4), p99: summary(p99) };
}

function run() {
  const cells = [];
  for (const op of ['get', 'set']) {
    for (const c of [1, 100, 1000]) {
      cells.push(cellRow('tcp', op, c, 'ledis', 120_000, 2));
      cells.push(cellRow('tcp', op, c, 'ledis-default', 118_000, 2));
      cells.push(cellRow('tcp', op, c, 'ledis-pool', 400_000, 3));
      cells.push(cellRow('tcp', op, c, 'node-redis', 100_000, 2.5));
      cells.push(cellRow('tcp', op, c, 'ioredis', 80_000, 4));
      cells.push(cellRow('tcp', op, c, 'ioredis-rr', 200_000, 5));
      cells.push(cellRow('tcp', op, c, 'node-redis-pool', 50_000, 9));
    }
  }
  return {
    meta: {
      date: '2026-11-30T03:45:00.000Z',
      command: 'npm run bench',
      machine: { cores: 2, cpu: 'test', memoryGiB: 1, os: 'test', loadAtStart: '1 1 1' },
      node: 'v20',
      clients: { ledis: '0', ioredis: '5', redis: '5', 'redis-parser': '3' },
      ledisServer: 'v0',
      driverCommit: 'abc1234',
      options: { duration: 1, warmup: 0.2, reps: 3 },
      targets: {},
      notes: [],
      connections: 4,
    },
    probe: [],
    cells,
    bulk: [],
    large: [],
    ceiling: [],
    cadence: [],
    parser: null,
  };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'ledis-bench-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench report', () => {
  it('judges one connection against one-connection peers and N connections against N', () => {
    const targets = evaluateTargets(run() as never) as Array<{ text: string; ratio: number | null; detail: string }>;
    const one = targets.find((t) => t.text === 'LedisDB GET C=1000, one connection: ledis / best one-connection peer');
    expect(one?.ratio).toBeCloseTo(120 / 100, 5);
    expect(one?.detail).toContain('node-redis');
    const n = targets.find((t) => t.text.startsWith('LedisDB GET C=1000, N connections'));
    expect(n?.ratio).toBeCloseTo(400 / 200, 5);
    expect(n?.detail).toContain('ioredis-rr');
    const p99 = targets.find((t) => t.text === 'LedisDB GET C=100 p99: ledis-pool / ledis (one connection)');
    expect(p99?.ratio).toBeCloseTo(3 / 2, 5);
  });

  it('puts like-with-like rows in the README headline and the tables', () => {
    const r = run();
    const headline = renderHeadline(r as never);
    expect(headline).toContain('| GET, 1,000 callers, LedisDB, one connection | 120k/s | 100k/s (node-redis) | 1.2x |');
    expect(headline).toContain('400k/s | 200k/s (ioredis-rr) | 2x |');
    const md = renderMarkdown({ ...r, targetsMet: evaluateTargets(r as never) } as never);
    expect(md).toContain('| GET | 1000 | ledis-pool | 400k (360k–440k) | 2x ioredis-rr |');
  });

  it('draws throughput, latency and CPU charts as SVG without a browser', async () => {
    const files = (await writeCharts(run(), dir)) as string[];
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['cpu.svg', 'latency-tcp.svg', 'throughput-tcp.svg']);
    for (const f of files) {
      const svg = readFileSync(f, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('node-redis-pool');
    }
  });
});
