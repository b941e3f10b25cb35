// In a bundled browser app (Vite, webpack, esbuild, Rollup), import the backend packages you
// ship: importing one registers it, and setBackend('auto') picks the best that works here.
import '@tensorflow/tfjs-backend-webgpu'; // npm i @tensorflow/tfjs-backend-webgpu
import '@tensorflow/tfjs-backend-webgl'; //  npm i @tensorflow/tfjs-backend-webgl
import { getBackend, setBackend } from '@tensorzoo/core';

// Browser order: webgpu, webgl, wasm, cpu. Skipped backends are reported through `warn`.
const skipped: string[] = [];
await setBackend('auto', { warn: (line) => skipped.push(line) });
console.log(`running on ${getBackend()}`, skipped);

export { skipped };
