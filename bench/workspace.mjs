// Loads the BUILT workspace packages (packages/*/dist), as a user of the npm packages would.
// The repository root does not depend on @tensorzoo/* (so bare specifiers do not resolve
// from bench/); the dist entry points are imported by path instead. Inside them,
// `@tensorzoo/core` and `@tensorflow/tfjs-core` resolve through the pnpm links to the same
// files as here, so there is one tfjs engine for TensorZoo, tfjs-layers and this script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

async function importBuilt(name) {
  const entry = new URL(`../packages/${name}/dist/index.js`, import.meta.url);
  if (!existsSync(entry)) {
    throw new Error(
      `bench: ${fileURLToPath(entry)} is missing; build the packages first (\`pnpm bench\` does, or \`npx turbo run build\`).`,
    );
  }
  return import(entry.href);
}

export const core = await importBuilt('core');
export const losses = await importBuilt('losses');
export const optimizers = await importBuilt('optimizers');
