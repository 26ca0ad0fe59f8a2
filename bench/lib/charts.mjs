// SVG charts of one benchmark run, drawn from its results JSON with
// Vega-Lite (compiled to a Vega spec) and rendered by Vega's headless SVG
// renderer: no browser and no canvas. A charting library rather than our own
// SVG code: axes, log scales, facets and legends are the hard part of a chart
// and Vega has them right. The tables in BENCHMARKS.md stay the numbers of
// record; these are pictures of the same figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';

const SCENARIO_TITLES = {
  tcp: 'LedisDB over TCP',
  redis: 'redis-server over TCP (client-bound)',
  unix: 'LedisDB over its unix socket',
  '4k': 'LedisDB, 4 KiB socket buffers',
};

/** Client order and colours: ledis in blues, one-connection peers, N-connection peers. */
const CLIENT_ORDER = ['ledis', 'ledis-plain', 'ledis-default', 'ledis-pool', 'ledis-fixed', 'ioredis', 'ioredis-auto', 'node-redis', 'ioredis-rr', 'node-redis-pool'];
const CLIENT_COLORS = ['#1f5fbf', '#a9c6f2', '#6a9be8', '#0b2f6b', '#2a8fa8', '#e0a030', '#f0c878', '#c0392b', '#8c6d1f', '#7b1d14'];

const finite = (x) => typeof x === 'number' && Number.isFinite(x);

/** One row per (scenario, op, C, client) with median/min/max of each metric. */
export function chartRows(results) {
  const rows = [];
  for (const cell of results.cells ?? []) {
    const ops = cell.opsPerSec;
    if (!ops || !finite(ops.median)) continue;
    rows.push({
      scenario: cell.scenario,
      scenarioTitle: SCENARIO_TITLES[cell.scenario] ?? cell.scenario,
      op: cell.op.toUpperCase(),
      c: `C=${cell.c}`,
      cNum: cell.c,
      client: cell.client,
      kops: ops.median / 1000,
      kopsMin: ops.min / 1000,
      kopsMax: ops.max / 1000,
      cpu: cell.cpuUsPerOp?.median ?? null,
      cpuMin: cell.cpuUsPerOp?.min ?? null,
      cpuMax: cell.cpuUsPerOp?.max ?? null,
      p50: cell.p50?.median ?? null,
      p99: cell.p99?.median ?? null,
    });
  }
  return rows;
}

const clientColor = {
  field: 'client',
  type: 'nominal',
  scale: { domain: CLIENT_ORDER, range: CLIENT_COLORS },
  legend: { title: 'client', orient: 'bottom', columns: 4 },
};

function facetOrder(rows) {
  return [...new Set(rows.map((r) => r.cNum))].sort((a, b) => a - b).map((c) => `C=${c}`);
}

/** Throughput per client, median bar with a min–max rule, faceted op × C. */
function throughputSpec(rows, title) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'thousand ops/s, median of the repetitions; the line spans min–max', anchor: 'start' },
    data: { values: rows },
    facet: {
      row: { field: 'op', type: 'nominal', title: null },
      column: { field: 'c', type: 'ordinal', sort: facetOrder(rows), title: 'concurrent callers' },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: { step: 14 },
      height: 150,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'client', type: 'nominal', sort: CLIENT_ORDER, axis: null },
            y: { field: 'kops', type: 'quantitative', title: 'k ops/s' },
            color: clientColor,
            tooltip: [{ field: 'client' }, { field: 'kops', format: '.1f' }],
          },
        },
        {
          mark: { type: 'rule', color: 'black' },
          encoding: {
            x: { field: 'client', type: 'nominal', sort: CLIENT_ORDER },
            y: { field: 'kopsMin', type: 'quantitative' },
            y2: { field: 'kopsMax' },
          },
        },
      ],
    },
  };
}

/** p50 and p99 per client (log scale): a line from p50 (circle) to p99 (square), faceted op × C. */
function latencySpec(rows, title) {
  const data = rows.filter((r) => finite(r.p50) && finite(r.p99));
  const x = { field: 'client', type: 'nominal', sort: CLIENT_ORDER, axis: null };
  const y = (field) => ({ field, type: 'quantitative', scale: { type: 'log' }, title: 'ms (log)' });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'latency per command, ms, log scale: circle = p50, square = p99 (medians of the repetitions)', anchor: 'start' },
    data: { values: data },
    facet: {
      row: { field: 'op', type: 'nominal', title: null },
      column: { field: 'c', type: 'ordinal', sort: facetOrder(rows), title: 'concurrent callers' },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: { step: 14 },
      height: 150,
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: y('p50'), y2: { field: 'p99' }, color: clientColor } },
        { mark: { type: 'point', shape: 'circle', filled: true, size: 40 }, encoding: { x, y: y('p50'), color: clientColor } },
        { mark: { type: 'point', shape: 'square', filled: true, size: 50 }, encoding: { x, y: y('p99'), color: clientColor } },
      ],
    },
  };
}

/** Client CPU per command, median with min–max, faceted scenario/op × C. */
function cpuSpec(rows) {
  const data = rows.filter((r) => finite(r.cpu)).map((r) => ({ ...r, panel: `${r.scenarioTitle}, ${r.op}` }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Client CPU per command', subtitle: 'µs of user+system CPU of the client process per command (lower is better), median; the line spans min–max', anchor: 'start' },
    data: { values: data },
    facet: {
      row: { field: 'panel', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' } },
      column: { field: 'c', type: 'ordinal', sort: facetOrder(rows), title: 'concurrent callers' },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: { step: 14 },
      height: 110,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'client', type: 'nominal', sort: CLIENT_ORDER, axis: null },
            y: { field: 'cpu', type: 'quantitative', title: 'µs/op' },
            color: clientColor,
          },
        },
        {
          mark: { type: 'rule', color: 'black' },
          encoding: {
            x: { field: 'client', type: 'nominal', sort: CLIENT_ORDER },
            y: { field: 'cpuMin', type: 'quantitative' },
            y2: { field: 'cpuMax' },
          },
        },
      ],
    },
  };
}

async function toSvg(vlSpec) {
  const { spec } = vl.compile(vlSpec);
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Writes the charts of a run into `dir`: throughput-<scenario>.svg and
 * latency-<scenario>.svg for each GET/SET scenario that ran, and cpu.svg.
 * @param {object} results the run's results object (bench/results/*.json)
 * @param {string} dir
 * @returns {Promise<string[]>} the files written
 */
export async function writeCharts(results, dir) {
  const rows = chartRows(results);
  if (rows.length === 0) return [];
  mkdirSync(dir, { recursive: true });
  const written = [];
  const put = async (name, spec) => {
    const file = path.join(dir, name);
    writeFileSync(file, await toSvg(spec));
    written.push(file);
  };
  for (const scenario of Object.keys(SCENARIO_TITLES)) {
    const sr = rows.filter((r) => r.scenario === scenario);
    if (sr.length === 0) continue;
    await put(`throughput-${scenario}.svg`, throughputSpec(sr, `GET/SET throughput, ${SCENARIO_TITLES[scenario]}`));
    await put(`latency-${scenario}.svg`, latencySpec(sr, `GET/SET latency, ${SCENARIO_TITLES[scenario]}`));
  }
  await put('cpu.svg', cpuSpec(rows.filter((r) => r.scenario === 'tcp' || r.scenario === 'redis')));
  return written;
}
