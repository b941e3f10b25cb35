// Shared timing helpers: every contender is measured the same way, interleaved in rounds so
// that load from other processes drifts over all of them alike, and summarised by the median.
import { performance } from 'node:perf_hooks';

/**
 * A contender: runs `count` training steps and returns the milliseconds of each.
 * @typedef {(count: number) => Promise<number[]>} Sampler
 */

/**
 * @typedef {{ medianMs: number, minMs: number, meanMs: number, steps: number }} TimingSummary
 */

/**
 * Turns one training step into a {@link Sampler} that times each call.
 * @param {() => unknown | Promise<unknown>} step awaited; its result is ignored.
 * @returns {Sampler}
 */
export function sampleSteps(step) {
  return async (count) => {
    const samples = [];
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      await step();
      samples.push(performance.now() - started);
    }
    return samples;
  };
}

/**
 * Warms every sampler up, then times them in turn, `steps / rounds` steps each per round,
 * until `rounds` rounds are done or `maxSeconds` have passed (at least one round always runs).
 * @param {Record<string, Sampler>} samplers
 * @param {{ warmup: number, steps: number, rounds: number, maxSeconds: number }} plan
 * @returns {Promise<Record<string, TimingSummary>>} by sampler name
 */
export async function compareInterleaved(samplers, { warmup, steps, rounds, maxSeconds }) {
  for (const sampler of Object.values(samplers)) await sampler(warmup);
  const perRound = Math.max(1, Math.ceil(steps / rounds));
  const samples = Object.fromEntries(Object.keys(samplers).map((name) => [name, []]));
  const deadline = performance.now() + maxSeconds * 1000;
  for (let round = 0; round < rounds; round++) {
    for (const [name, sampler] of Object.entries(samplers)) samples[name].push(...(await sampler(perRound)));
    if (performance.now() > deadline) break;
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, summarize(values)]));
}

/**
 * @param {number[]} samples milliseconds per step
 * @returns {TimingSummary}
 */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return {
    medianMs,
    minMs: sorted[0],
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    steps: sorted.length,
  };
}
