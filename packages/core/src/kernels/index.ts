import { onBackendSelected } from '../backend';
import { installFastKernels, installIfRegistered } from './register';

export { fastKernelsInstalled, installFastKernels, restoreStockKernels } from './register';

// Faster convolution kernels for CPU-class backends: installed whenever setBackend selects
// one, and now for backends whose packages were imported before @tensorzoo/core.
onBackendSelected((name) => {
  installFastKernels(name);
});
installIfRegistered('cpu');
installIfRegistered('wasm');
