#!/usr/bin/env node
// Re-renders the report of a saved run (bench/results/<date>.json) without
// measuring anything again: bench/results/latest.md, the console summary,
// SVG charts beside it, and with --update-benchmarks the generated section
// of BENCHMARKS.md and the charts in bench/charts/.
//   node bench/report.mjs bench/results/latest.json [--update-benchmarks]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCharts } from './lib/charts.mjs';
import { HEADLINE_END, HEADLINE_START, evaluateTargets, printReport, renderHeadline, renderMarkdown, updateBenchmarksMd, updateMarkedBlock } from './lib/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/report.mjs RESULTS.json [--update-benchmarks]');
  process.exit(2);
}
// JSON turned NaN into null; the report code tests with Number.isFinite, so null reads as "not measured".
const results = JSON.parse(readFileSync(file, 'utf8'));
results.targetsMet = evaluateTargets(results);
const md = renderMarkdown(results);
writeFileSync(path.join(path.dirname(path.resolve(file)), 'latest.md'), md);
printReport(results);
await writeCharts(results, path.join(path.dirname(path.resolve(file)), 'charts'));
if (process.argv.includes('--update-benchmarks')) {
  updateBenchmarksMd(path.join(ROOT, 'BENCHMARKS.md'), md);
  if (updateMarkedBlock(path.join(ROOT, 'README.md'), HEADLINE_START, HEADLINE_END, renderHeadline(results))) console.log("updated README's headline table");
  const charts = await writeCharts(results, path.join(ROOT, 'bench', 'charts'));
  console.log(`updated the generated section of BENCHMARKS.md and ${charts.length} charts in bench/charts/`);
}
