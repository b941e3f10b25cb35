import type { BackendName } from '@tensorzoo/core';

let selected: Promise<BackendName> | undefined;

/**
 * Selects the best backend in this browser once, for every demo on the page. A bundled app
 * imports the backend packages it ships (which registers them); `setBackend('auto')` then
 * tries webgpu, webgl, wasm, cpu in that order and keeps the first that works (software
 * WebGPU adapters are skipped: they are slower than the cpu backend).
 */
export function selectBestBackend(log: (line: string) => void = () => {}): Promise<BackendName> {
  selected ??= (async () => {
    await Promise.all([import('@tensorflow/tfjs-backend-webgpu'), import('@tensorflow/tfjs-backend-webgl')]);
    const { setBackend } = await import('@tensorzoo/core');
    return setBackend('auto', { warn: log });
  })();
  return selected;
}
