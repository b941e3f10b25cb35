/**
 * Imports an optional peer dependency by name.
 *
 * The specifier is computed, never a literal, so no bundler (Vite, webpack, esbuild, Rollup)
 * tries to resolve a package the app did not install: a literal `import('pkg')` fails the
 * build in webpack and esbuild when `pkg` is absent. Node and browsers with import maps
 * resolve the name at run time; in a bundled app the user imports the backend package
 * (`import '@tensorflow/tfjs-backend-webgpu'`), which registers it, and `setBackend` then
 * finds it registered without calling this. Kept in its own module so tests can substitute
 * a mocked package (e.g. `@tensorflow/tfjs-node-gpu`, which cannot be installed without a
 * CUDA download).
 * @internal
 */
export async function importOptional(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/**
 * Imports `@tensorflow/tfjs-backend-cpu`, a regular dependency of `@tensorzoo/core`: a literal
 * `import()` so bundlers put it in a chunk of its own, loaded only when the cpu backend is
 * selected.
 * @internal
 */
export async function importCpuBackend(): Promise<unknown> {
  return import('@tensorflow/tfjs-backend-cpu');
}
