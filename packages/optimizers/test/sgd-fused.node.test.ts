// The fused SGD kernel (core's TensorZooSgdUpdate: a JavaScript loop on cpu, a WebAssembly SIMD loop
// in the heap on wasm) against the composite ops it replaces: bit for bit, over several steps of
// every combination of the options ([37, 13]: 481 elements, so the SIMD loop leaves a tail of 1).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { installFastKernels, restoreStockKernels, setBackend } from '@tensorzoo/core';
import { sgd } from '../src/index';

type Settings = { momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number };

/** Parameter values after 4 steps of sgd(settings) on fixed gradients, and the launches of one step. */
async function run(settings: Settings): Promise<{ values: number[]; kernels: string[] }> {
  const parameter = tf.variable(tf.randomNormal([37, 13], 0, 1, 'float32', 1));
  const optimizer = sgd({ lr: 0.05, ...settings });
  let kernels: string[] = [];
  for (let step = 0; step < 4; step++) {
    const gradient = tf.randomNormal([37, 13], 0, 1, 'float32', 10 + step);
    const profile = await tf.profile(() => optimizer.step({ w: parameter }, { w: gradient }));
    kernels = profile.kernels.map((kernel) => kernel.name);
    gradient.dispose();
  }
  const values = Array.from(await parameter.data());
  optimizer.dispose();
  parameter.dispose();
  return { values, kernels };
}

describe('sgd: the fused update equals the composite ops bit for bit', () => {
  const cases: Settings[] = [{}, { weightDecay: 0.01 }, { momentum: 0.9 }, { momentum: 0.9, dampening: 0.3, weightDecay: 0.02 }, { momentum: 0.8, nesterov: true, weightDecay: 0.01 }];
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on ${backend}: ${cases.length} option sets, 4 steps each; one kernel per parameter`, async () => {
      await setBackend(backend);
      try {
        for (const settings of cases) {
          const fused = await run(settings);
          expect(fused.kernels.filter((name) => name === 'TensorZooSgdUpdate'), JSON.stringify(settings)).toHaveLength(1);
          restoreStockKernels(backend);
          const composite = await run(settings);
          installFastKernels(backend);
          expect(composite.kernels).not.toContain('TensorZooSgdUpdate');
          expect(fused.values, JSON.stringify(settings)).toEqual(composite.values);
        }
      } finally {
        installFastKernels(backend);
        await setBackend('cpu');
      }
    });
  }
});
