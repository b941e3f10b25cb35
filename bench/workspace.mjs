// Loads the BUILT workspace packages (packages/*/dist), as a user of the npm packages would.
// The repository root does not depend on @tensorzoo/* (so bare specifiers do not resolve
// from bench/); the dist entry points are imported by path instead. Inside them,
// `@tensorzoo/core` and `@tensorflow/tfjs-core` resolve through the pnpm links to the same
// files as here, so there is one tfjs engine for TensorZoo, tfjs-layers and this script.
//
// BENCH_PACKAGES=<folder> loads the dists from another checkout's packages folder instead
// (e.g. an older commit, built, with its packages' node_modules linked to this one's) to
// measure before and after a change in the same run conditions.
import { existsSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';

const packagesFolder = process.env.BENCH_PACKAGES
  ? pathToFileURL(`${process.env.BENCH_PACKAGES.replace(/\/$/, '')}/`)
  : new URL('../packages/', import.meta.url);

/** Imports `packages/<name>/dist/index.js`; `optional`: `undefined` when it is not built. */
export async function importBuilt(name, { optional = false } = {}) {
  const entry = new URL(`${name}/dist/index.js`, packagesFolder);
  if (!existsSync(entry)) {
    if (optional) return undefined;
    throw new Error(
      `bench: ${fileURLToPath(entry)} is missing; build the packages first (\`pnpm bench\` does, or \`npx turbo run build\`).`,
    );
  }
  return import(entry.href);
}

export const core = await importBuilt('core');
export const losses = await importBuilt('losses');
export const optimizers = await importBuilt('optimizers');
