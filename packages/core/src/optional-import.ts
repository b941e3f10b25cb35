/**
 * Imports an optional peer dependency.
 *
 * Browser backends are written as literal `import()`s so bundlers (Vite, webpack,
 * esbuild) see and bundle them when installed; Node-only packages go through a
 * computed specifier so browser bundlers never try to resolve them. Kept in its
 * own module so tests can substitute a mocked package (e.g.
 * `@tensorflow/tfjs-node-gpu`, which cannot be installed without a CUDA download).
 * @internal
 */
export async function importOptional(specifier: string): Promise<unknown> {
  switch (specifier) {
    case '@tensorflow/tfjs-backend-cpu':
      return import('@tensorflow/tfjs-backend-cpu');
    case '@tensorflow/tfjs-backend-wasm':
      return import('@tensorflow/tfjs-backend-wasm');
    case '@tensorflow/tfjs-backend-webgl':
      return import('@tensorflow/tfjs-backend-webgl');
    case '@tensorflow/tfjs-backend-webgpu':
      return import('@tensorflow/tfjs-backend-webgpu');
    default:
      return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
  }
}
