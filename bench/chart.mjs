#!/usr/bin/env node
// Draws bench/results/latest.svg from bench/results/latest.json: a horizontal bar chart of the
// median ms per step of each issue-13 workload for TensorZoo (its better backend, on 1 and 2 threads), PyTorch at
// 1 and 2 threads, tfjs-layers and jax-js, on a log scale. Plain SVG written by hand, no
// dependencies. run.mjs calls writeChart after a full run (and after --quick --write).
//
//   node bench/chart.mjs [results.json] [chart.svg]   # default: bench/results/latest.{json,svg}
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workloadSummary } from './contenders/summary.mjs';

/** The bars of each workload, top to bottom, with their colours (Okabe-Ito, colour-blind safe). */
const SERIES = [
  { name: 'TensorZoo (better backend)', key: 'tensorzoo', color: '#0072B2', value: (row) => row.tensorzoo && { ms: row.tensorzoo.medianMs, note: row.tensorzoo.backend } },
  { name: 'TensorZoo, relaxed SIMD (FMA)', key: 'tensorzooRelaxed', color: '#332288', value: (row) => row.tensorzooRelaxed && { ms: row.tensorzooRelaxed.medianMs, note: row.tensorzooRelaxed.backend } },
  { name: 'TensorZoo, 2 threads', key: 'tensorzooThreads', color: '#56B4E9', value: (row) => row.tensorzooThreads && { ms: row.tensorzooThreads.medianMs, note: row.tensorzooThreads.backend } },
  { name: 'PyTorch, 1 thread', key: 'pytorch1', color: '#D55E00', value: (row) => row.pytorch1 !== undefined && { ms: row.pytorch1 } },
  { name: 'PyTorch, 2 threads', key: 'pytorch2', color: '#E69F00', value: (row) => row.pytorch2 !== undefined && { ms: row.pytorch2 } },
  { name: 'tfjs-layers (better backend)', key: 'tfjsLayers', color: '#CC79A7', value: (row) => row.tfjsLayers && { ms: row.tfjsLayers.medianMs, note: row.tfjsLayers.backend } },
  { name: 'jax-js (wasm)', key: 'jaxJs', color: '#009E73', value: (row, optimizer) => row.jaxJs && { ms: row.jaxJs.medianMs, note: otherOptimizer(row.jaxJs.label, optimizer) } },
];

/** What one "step" of a workload is, where it is not a training step. */
const UNITS = { 'matmul-512': 'one product', 'gpt-generate': '64 tokens' };

/** A contender's optimizer when it differs from the workload's (e.g. SGD for an Adam workload). */
function otherOptimizer(label, optimizer) {
  const wanted = { sgd: 'SGD', adam: 'Adam', adamW: 'AdamW' }[optimizer];
  return wanted && label && !label.startsWith(wanted) ? label.split(' ')[0] : undefined;
}

const LAYOUT = { width: 980, left: 150, right: 120, top: 112, barHeight: 13, barGap: 3, groupGap: 16, axisHeight: 56, fontSize: 12 };

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const formatMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const formatTick = (ms) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
/** The 1-2-5 steps (..., 0.5, 1, 2, 5, 10, ...) from `low` to `high`. */
function steps125(low, high) {
  const values = [];
  for (let decade = 10 ** Math.floor(Math.log10(low)); decade <= high; decade *= 10) {
    for (const multiple of [1, 2, 5]) {
      const value = Number((decade * multiple).toPrecision(3));
      if (value >= low && value <= high) values.push(value);
    }
  }
  return values;
}
/** The largest 1-2-5 step at or below `value`, and the smallest at or above it. */
const stepBelow = (value) => steps125(value / 10, value).at(-1);
const stepAbove = (value) => steps125(value, value * 10)[0];

/**
 * The SVG text of the chart for a results report (run.mjs's latest.json).
 * @param {object} report the parsed results file
 * @returns {string}
 */
export function renderChart(report) {
  const summary = report.workloads?.summary ?? (report.workloads ? workloadSummary(report.workloads) : []);
  const optimizers = Object.fromEntries((report.workloads?.workloads ?? []).map((workload) => [workload.name, workload.optimizer]));
  const groups = summary.map((row) => ({
    name: row.workload,
    bars: SERIES.map((series) => ({ series, missing: row.notExpressible?.includes(series.key) ? '-' : 'n/a', ...(series.value(row, optimizers[row.workload]) || {}) })),
  }));
  const values = groups.flatMap((group) => group.bars.map((bar) => bar.ms)).filter((ms) => Number.isFinite(ms) && ms > 0);
  if (values.length === 0) throw new Error(`chart: no timings in the results file (expected report.workloads.rows; found ${summary.length} workloads)`);

  const { width, left, right, top, barHeight, barGap, groupGap, axisHeight, fontSize } = LAYOUT;
  const low = stepBelow(Math.min(...values));
  const high = stepAbove(Math.max(...values) * 1.05);
  const plotWidth = width - left - right;
  const x = (ms) => left + (plotWidth * Math.log10(ms / low)) / Math.log10(high / low);
  const groupHeight = SERIES.length * (barHeight + barGap) - barGap;
  const plotHeight = groups.length * (groupHeight + groupGap) - groupGap;
  const height = top + plotHeight + axisHeight;
  const out = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="${fontSize}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="22" font-size="16" font-weight="bold">Median ms per training step, log scale (lower is better)</text>`,
    ...subtitle(report).map((line, index) => `<text x="${left}" y="${40 + 16 * index}" fill="#444">${escape(line)}</text>`),
  );
  // Legend: one swatch per series, in bar order.
  // Widths are estimated (no text metrics in plain SVG): generous for a wide fallback font.
  // Two rows when one would run past the right edge.
  let legendX = 20;
  let legendY = 66;
  for (const series of SERIES) {
    const width = 30 + series.name.length * 6.8;
    if (legendX + width > LAYOUT.width - 10 && legendX > 20) {
      legendX = 20;
      legendY += 18;
    }
    out.push(`<rect x="${legendX}" y="${legendY}" width="12" height="12" fill="${series.color}"/>`, `<text x="${legendX + 16}" y="${legendY + 10}">${escape(series.name)}</text>`);
    legendX += width;
  }
  // Grid: a line at every 1-2-5 step, darker and always labelled at the powers of ten.
  const ticks = steps125(low, high);
  for (const ms of ticks) {
    const position = x(ms).toFixed(1);
    const major = Number.isInteger(Math.log10(ms)) || ms === low || ms === high;
    out.push(`<line x1="${position}" y1="${top - 6}" x2="${position}" y2="${top + plotHeight}" stroke="${major ? '#bbbbbb' : '#e4e4e4'}" stroke-width="1"/>`);
    if (major || ticks.length <= 12) {
      out.push(`<text x="${position}" y="${top + plotHeight + 18}" text-anchor="middle" fill="${major ? '#222' : '#777'}">${escape(formatTick(ms))}</text>`);
    }
  }
  out.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight + 42}" text-anchor="middle">ms per step (log scale)</text>`);
  // Bars, one group per workload.
  groups.forEach((group, index) => {
    const groupTop = top + index * (groupHeight + groupGap);
    out.push(`<text x="${left - 10}" y="${groupTop + groupHeight / 2}" text-anchor="end" font-weight="bold">${escape(group.name)}</text>`);
    if (UNITS[group.name]) out.push(`<text x="${left - 10}" y="${groupTop + groupHeight / 2 + 15}" text-anchor="end" fill="#555">(${escape(UNITS[group.name])})</text>`);
    group.bars.forEach((bar, barIndex) => {
      const y = groupTop + barIndex * (barHeight + barGap);
      const textY = y + barHeight - 2;
      if (!Number.isFinite(bar.ms)) {
        out.push(`<text x="${left + 4}" y="${textY}" fill="#999" font-size="${fontSize - 1}">${escape(bar.series.name.split(' ')[0])}: ${bar.missing}</text>`);
        return;
      }
      const end = Math.max(x(bar.ms), left + 1);
      const label = `${formatMs(bar.ms)} ms${bar.note ? ` (${bar.note})` : ''}`;
      out.push(
        `<rect x="${left}" y="${y}" width="${(end - left).toFixed(1)}" height="${barHeight}" fill="${bar.series.color}"><title>${escape(`${group.name}, ${bar.series.name}: ${label}`)}</title></rect>`,
        `<text x="${(end + 4).toFixed(1)}" y="${textY}" font-size="${fontSize - 1}">${escape(label)}</text>`,
      );
    });
  });
  out.push(`<line x1="${left}" y1="${top - 6}" x2="${left}" y2="${top + plotHeight}" stroke="#222" stroke-width="1"/>`, '</svg>', '');
  return out.join('\n');
}

/** Two lines under the title: date, machine and load; what the marks mean (and a --quick warning). */
function subtitle(report) {
  const { machine } = report;
  const where = machine ? `${machine.cpu} x ${machine.cores}, Node ${machine.node}` : 'unknown machine';
  const load = machine?.loadAverageAtStart !== undefined ? `, 1-min load ${machine.loadAverageAtStart.toFixed(1)} at start` : '';
  const quick = report.quick ? ' --quick run: one or two steps each, not a measurement.' : '';
  return [`${report.date ?? ''}; ${where}${load}`, `'-': the framework cannot express the workload; 'n/a': not run or failed.${quick}`];
}

/**
 * Reads a results file and writes its chart.
 * @param {string | URL} resultsPath latest.json
 * @param {string | URL} chartPath where the SVG goes
 */
export function writeChart(resultsPath, chartPath) {
  writeFileSync(chartPath, renderChart(JSON.parse(readFileSync(resultsPath, 'utf8'))));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [resultsPath, chartPath] = process.argv.slice(2);
  const results = resultsPath ?? new URL('./results/latest.json', import.meta.url);
  const chart = chartPath ?? new URL('./results/latest.svg', import.meta.url);
  writeChart(results, chart);
  process.stderr.write(`wrote ${chartPath ?? 'bench/results/latest.svg'}\n`);
}
