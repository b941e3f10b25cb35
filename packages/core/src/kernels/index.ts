/**
 * TensorZoo's faster kernels for CPU-class backends (and a few fused ones as WGSL programs for
 * `webgpu`). Nothing here runs at import: the kernels install when {@link setBackend} selects
 * `cpu`, `wasm` or `webgpu`, or when you call
 * {@link installFastKernels} yourself (after `tf.setBackend`).
 * @packageDocumentation
 */
export { fastKernelsInstalled, installFastKernels, restoreStockKernels } from './register';
export { gemmInstructionSet, getNumThreads, setNumThreads, threadsUnavailableReason, type SimdGemmKind } from './simd-gemm';
export { fusedSoftmaxCrossEntropy } from './softmax-cross-entropy';
export { fusedAttention, fusedPackedAttention } from './attention';
export { SGD_UPDATE_KERNEL, fusedSgdUpdate, type SgdUpdateInputs, type SgdUpdateResult, type SgdUpdateSettings } from './sgd';
export { ADAM_UPDATE_KERNEL, fusedAdamUpdate, type AdamUpdateInputs, type AdamUpdateResult, type AdamUpdateSettings } from './adam';
