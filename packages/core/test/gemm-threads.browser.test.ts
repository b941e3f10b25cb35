import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setBackend, setNumThreads, threadsUnavailableReason } from '@tensorzoo/core';

// The browser path of the GEMM's worker threads: workers from a blob: URL on a page that is
// cross-origin isolated (the browser project serves COOP/COEP headers), started
// asynchronously; the caller is the page's main thread, which may not block and spins.

afterAll(async () => {
  setNumThreads(1);
  await setBackend('cpu');
});

describe('setNumThreads in a cross-origin-isolated page', () => {
  it('starts blob: workers and gives the one-thread products bit for bit', async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    expect(threadsUnavailableReason()).toBeUndefined();
    await setBackend('cpu');
    const a = tf.randomNormal([256, 512], 0, 1, 'float32', 1);
    const b = tf.randomNormal([512, 384], 0, 1, 'float32', 2);
    setNumThreads(1);
    const one = (await tf.matMul(a, b).data()) as Float32Array;
    expect(setNumThreads(2)).toBe(2);
    for (let waited = 0; getNumThreads() < 2; waited += 10) {
      if (waited > 10_000) throw new Error('the worker did not start within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const product = tf.matMul(a, b);
    const two = (await product.data()) as Float32Array;
    expect(two.findIndex((value, i) => !Object.is(value, one[i]))).toBe(-1);
    tf.dispose([a, b, product]);
  });
});
