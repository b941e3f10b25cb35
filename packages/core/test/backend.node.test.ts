import { describe, expect, it } from 'vitest';
import { BackendError, getBackend, setBackend } from '@tensorzoo/core';

describe('setBackend errors', () => {
  it('names the packages to install and what is available', async () => {
    const error = await setBackend('tensorflow').catch((e) => e);
    expect(BackendError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(
      /^setBackend\("tensorflow"\): tensorflow: install @tensorflow\/tfjs-node-gpu \(CUDA\) or @tensorflow\/tfjs-node \(CPU\)\. Available here: .*cpu/,
    );
    expect(getBackend()).toBe('cpu');
  });

  it('rejects unknown names with the list of valid ones', async () => {
    await expect(setBackend('cuda' as never)).rejects.toThrow(
      'setBackend: unsupported backend "cuda". Should be one of: auto, cpu, wasm, webgl, webgpu, tensorflow.',
    );
  });

  it('webgl needs a browser', async () => {
    await expect(setBackend('webgl')).rejects.toThrow('webgl: WebGL needs a browser');
  });
});
