import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// tfjs-node-gpu downloads libtensorflow with CUDA at install time, which cannot happen in
// CI. This mock stands in for it: importing it registers a 'tensorflow' backend, as the
// real package does. What is tested is our wiring: lazy import, order, activation.
const imported: string[] = [];
vi.mock('../src/optional-import', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/optional-import')>();
  return {
    importOptional: async (specifier: string) => {
      imported.push(specifier);
      if (specifier === '@tensorflow/tfjs-node-gpu') {
        if (!tf.findBackendFactory('tensorflow')) {
          tf.registerBackend('tensorflow', () => new MathBackendCPU(), 1);
          for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
        }
        return { version: 'mocked' };
      }
      if (specifier === '@tensorflow/tfjs-node') {
        throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
      }
      return actual.importOptional(specifier);
    },
  };
});

// The setup file already loaded core with the real importer: load a fresh copy that sees the mock.
let core: typeof import('@tensorzoo/core');
beforeAll(async () => {
  vi.resetModules();
  core = await import('@tensorzoo/core');
});

afterAll(async () => {
  await core.setBackend('cpu');
  tf.removeBackend('tensorflow');
});

describe("setBackend('tensorflow') with tfjs-node-gpu (mocked)", () => {
  it('loads tfjs-node-gpu lazily and activates the tensorflow backend', async () => {
    expect(imported).not.toContain('@tensorflow/tfjs-node-gpu');
    expect(await core.setBackend('tensorflow')).toBe('tensorflow');
    expect(core.getBackend()).toBe('tensorflow');
    expect(imported).toContain('@tensorflow/tfjs-node-gpu');
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(await sum.data())).toEqual([4, 6]);
    sum.dispose();
  });

  it("'auto' prefers it in Node", async () => {
    await core.setBackend('cpu');
    expect(await core.setBackend('auto')).toBe('tensorflow');
  });
});
