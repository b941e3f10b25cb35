/**
 * TensorZoo's fused kernels as WGSL programs for tfjs's `webgpu` backend, so that the same
 * callers (`fusedAdamUpdate`, `LayerNorm`, `gelu`) take one kernel per call there too, each
 * a few GPU dispatches instead of a dozen or more element-wise ones. `installFastKernels('webgpu')`
 * (run by `setBackend('webgpu')`) registers them; nothing here imports
 * `@tensorflow/tfjs-backend-webgpu` (they call the backend object tfjs hands them).
 *
 * Dispatches per call: Adam / AdamW update 3 (amsgrad 4); LayerNorm 3, its gradient 3 (1
 * without affine parameters); GELU 2, its gradient 1.
 * @packageDocumentation
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { adamUpdateWebGPU } from './adam';
import { geluGradWebGPU, geluWebGPU } from './gelu';
import { layerNormGradWebGPU, layerNormWebGPU } from './layer-norm';

/**
 * The `webgpu` kernel functions by kernel name (literal keys: the names of `ADAM_UPDATE_KERNEL`,
 * `LAYER_NORM_KERNEL`, `LAYER_NORM_GRAD_KERNEL`, `GELU_KERNEL`, `GELU_GRAD_KERNEL`). @internal
 */
export const WEBGPU_KERNELS: Readonly<Record<string, KernelFunc>> = {
  TensorZooAdamUpdate: adamUpdateWebGPU,
  TensorZooLayerNorm: layerNormWebGPU,
  TensorZooLayerNormGrad: layerNormGradWebGPU,
  TensorZooGelu: geluWebGPU,
  TensorZooGeluGrad: geluGradWebGPU,
};
