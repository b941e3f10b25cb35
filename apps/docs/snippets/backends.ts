import { availableBackends, BackendError, getBackend, setBackend } from '@tensorzoo/core';

console.log(await availableBackends()); // e.g. ['cpu', 'wasm'] in Node without a GPU package

// 'auto' tries each backend in order and tells you what it skipped and why.
await setBackend('auto', { warn: (line) => console.log(line) });

// Switch at any time; tensors made on one backend move to the next one on first use.
await setBackend('cpu');
console.log(getBackend()); // 'cpu'

// Asking for a backend that cannot run here throws a BackendError naming what to install.
let message = '';
try {
  await setBackend('tensorflow');
} catch (error) {
  if (!BackendError.isInstance(error)) throw error;
  message = error.message; // "setBackend("tensorflow"): tensorflow: install @tensorflow/tfjs-node-gpu (CUDA) or ..."
}

export { message };
