// Gradients and chained ops (tfjs-core registers neither): `#register-gradients` maps to
// register-gradients.ts in bundlers and register-gradients-node*.ts in plain Node.
import '#register-gradients';

export * from './errors';
export * from './types';
export * from './backend';
export * from './rng';
export * from './shape';
export * from './init';
export * from './module';
export * from './layers/index';
export * from './fit';
export * from './safetensors';
export * from './atomic-write';
export * from './value-range';
export { addMany } from './add-many';
export * from './checkpoint';
export { ADAM_UPDATE_KERNEL, SGD_UPDATE_KERNEL, fastKernelsInstalled, fusedAdamUpdate, fusedAttention, fusedPackedAttention, fusedSgdUpdate, fusedSoftmaxCrossEntropy, gemmInstructionSet, getNumThreads, installFastKernels, restoreStockKernels, setNumThreads, threadsUnavailableReason } from './kernels/index';
export type { AdamUpdateInputs, AdamUpdateResult, AdamUpdateSettings, SgdUpdateInputs, SgdUpdateResult, SgdUpdateSettings, SimdGemmKind } from './kernels/index';
export * from './model-io';
