/**
 * Installs TensorZoo's faster kernels for CPU-class backends into tfjs's kernel registry.
 *
 * - `cpu`: replaces
 *   - float32 `BatchMatMul` (every Linear layer and attention product; at least 4,096
 *     multiply-adds, batch dimensions equal or one side a single matrix) with the blocked
 *     SIMD matrix product below, 3-5x faster than tfjs's loop;
 *   - `Conv2D`, `Conv2DBackpropInput`, `Conv2DBackpropFilter` (tfjs's are direct loops,
 *     tens of seconds per CNN training step) with im2col + blocked matrix products;
 *   - `MaxPool`, `MaxPoolGrad` with channels-innermost loops;
 *   - `Sum` and `Mean` over contiguous axes (bias gradients, LayerNorm) with a
 *     transpose-free reduction;
 *   - float32 `Add`, `Sub`, `Multiply`, `RealDiv` with any broadcast (tfjs's recomputes
 *     every element's indices when one operand broadcasts, e.g. `[B, T, 1]` by `[B, T, C]`),
 *     last-axis `Softmax`, `Neg`, `Exp`, `Erf` (GELU), `Relu`, `Step` (ReLU's gradient), `Tile` (float32, int32,
 *     bool: the causal mask), `GatherV2` along axis 0 (embedding lookups) and `Transpose` (weight layouts, `Flatten`) with plain loops,
 *     bit-identical to tfjs's;
 *   - float32 `UnsortedSegmentSum` (every embedding gradient) with one scatter-add pass
 *     (tfjs's masks the input once per segment: 1 s for a GPT's token embedding);
 *   - adds `TensorZooAdamUpdate`, the fused Adam / AdamW step ({@link fusedAdamUpdate}),
 *     `TensorZooSgdUpdate`, the fused SGD step (`kernels/sgd.ts`),
 *     and `TensorZooLayerNorm` / `TensorZooLayerNormGrad`, layer normalisation and its
 *     gradient as one kernel each (`LayerNorm` uses them through `kernels/layer-norm.ts`),
 *     and `TensorZooGelu` / `TensorZooGeluGrad` (`gelu`, `GELU`; `kernels/gelu.ts`), and
 *     `TensorZooLinear` / `TensorZooLinearGrad`, a `Linear` layer's product and bias and
 *     their gradients as one kernel each (`kernels/linear.ts`), and
 *     `TensorZooSoftmaxCrossEntropy` / `...Grad`, the per-sample softmax cross-entropy from
 *     logits and integer labels and its gradient (`kernels/softmax-cross-entropy.ts`), and
 *     `TensorZooAttention` / `TensorZooAttentionGrad`, scaled dot-product attention (causal
 *     or not, no explicit mask) and its gradient (`kernels/attention.ts`), and
 *     `TensorZooPackedAttention` / `...Grad`, the same on packed `[B, T, 3, H, D]`
 *     projections with the heads merged in the output (self-attention without the head
 *     transposes; on wasm read and written in the heap by strides), and
 *     `TensorZooReluGrad`, ReLU's gradient as one kernel (`kernels/relu.ts`, which also
 *     replaces tfjs's gradient of `Relu` to use it where registered).
 *
 *   Cases they do not cover (NCHW, other dtypes, malformed shapes tfjs accepts) go to the
 *   stock kernel, which is kept and put back by {@link restoreStockKernels}.
 * - `wasm`: adds the missing `Conv2DBackpropFilter` (without it a CNN cannot train there),
 *   replaces `Conv2DBackpropInput` (a direct loop there, 10x slower than ours; it is also
 *   the transposed convolution's forward pass) and `MaxPoolGrad` (tfjs 4.22's wasm
 *   version drops the gradient of windows whose maximum is negative). They read and write
 *   the wasm heap directly; XNNPACK keeps the forward `Conv2D`. Adds the missing
 *   `UnsortedSegmentSum` (float32 and int32), without which no embedding trains on wasm,
 *   `TensorZooAdamUpdate` and `TensorZooSgdUpdate` (WebAssembly SIMD loops over the tensors in
 *   the heap, simd-elementwise.ts; on `cpu` Adam runs the same loop through a memory of its
 *   own, SGD a JavaScript loop) and the fused LayerNorm, GELU, Linear, softmax cross-entropy and attention kernels. `BatchMatMul` with a transposed operand runs as stock
 *   `Transpose` + stock product (~40x faster than tfjs-wasm's transposed product). `Sum` over
 *   leading or middle axes (bias gradients; the stock kernel transposes first) and `Transpose`
 *   of rank 5 and up are ours (tfjs-wasm's generic path took 20 ms for attention's head split,
 *   94 of a GPT step's 529 ms).
 *   Adds the missing depthwise-convolution gradients (`DepthwiseConv2dNativeBackpropInput`,
 *   `DepthwiseConv2dNativeBackpropFilter`), so MobileNet-style models train on wasm.
 *   Where the work is a copy, it stays in the heap: `Identity` shares the data (stock copies
 *   it), `Unpack` along a leading axis, `GatherV2` along axis 0 and `Transpose` of rank 5+
 *   copy within the heap. The `Linear` and attention kernels run their products on the heap
 *   itself (heap-gemm.ts: operands read in place, outputs written in place); 2x2 max pooling's
 *   gradient, column sums, GELU and ReLU's gradient are WebAssembly SIMD loops there.
 *   Replacements keep the stock kernels' setup, so their fallbacks to stock work.
 *
 * - `webgpu`: adds `TensorZooAdamUpdate`, the LayerNorm and the GELU kernels as WGSL programs
 *   (`kernels/webgpu/`), a few GPU dispatches each instead of the composite's dozens.
 *
 * Every other backend is left alone.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { backend_util, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { backpropFilterInMemory, backpropFilterScratch, backpropInputInMemory, backpropInputScratch, conv2dBackpropFilter, conv2dBackpropInput, conv2dForward, filterFromTotals, type ConvFunctions } from './conv2d';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise';
import { maxPoolBackprop, maxPoolForward } from './pool';
import { isPool2x2, poolArrays, poolInMemory, poolOn } from './simd-pool';
import { contiguousReduction, sumContiguous } from './reduce';
import { leadingSumOn, sumLeadingArrays } from './simd-reduce';
import { broadcastBinary, errorFunction, exponential, negate, relu, softmaxLastAxis, step, tile, transpose, transposeWithin, type BinaryOperation } from './elementwise';
import { batchMatMul } from './matmul';
import { heapGemmOn, heapProduct, heapProductOfTransposes, packedSize } from './heap-gemm';
import { PANEL } from './gemm';
import { unsortedSegmentSum } from './segment';
import { ADAM_UPDATE_KERNEL, adamUpdateArrays, type AdamUpdateArrays, type AdamUpdateSettings } from './adam';
import { adamArrays, adamInMemory, adamOn, adamScalars, leakyReluGradOn, multiplyOn, reluGradOn, sgdOn } from './simd-elementwise';
import { geluArraysSimd, geluInMemory, geluOn } from './simd-gelu';
import { layerNormGradOn, layerNormOn } from './simd-layer-norm';
import { LEAKY_RELU_GRADIENT, LEAKY_RELU_GRAD_KERNEL, RELU_GRADIENT, RELU_GRAD_KERNEL, leakyReluGradArrays, reluGradArrays } from './relu';
import { GELU_GRAD_KERNEL, GELU_KERNEL, geluArrays, geluGradArrays } from './gelu';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, layerNormArrays, layerNormGradArrays } from './layer-norm';
import { LINEAR_GRADIENT, LINEAR_GRAD_KERNEL, LINEAR_KERNEL, linearArrays, linearGradArrays, type LinearGradOutput } from './linear';
import { SGD_UPDATE_KERNEL, sgdUpdateArrays, type SgdUpdateSettings } from './sgd';
import { WEBGPU_KERNELS } from './webgpu';
import {
  ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, PACKED_ATTENTION_GRAD_KERNEL, PACKED_ATTENTION_KERNEL, attentionArrays, attentionGradArrays, packedAttentionArrays, packedAttentionGradArrays, scoreGradients, softmaxScores,
  type AttentionShape, type PackedAttentionShape,
} from './attention';
import {
  SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
  SOFTMAX_CROSS_ENTROPY_KERNEL,
  softmaxCrossEntropyArrays,
  softmaxCrossEntropyGradArrays,
} from './softmax-cross-entropy';

/** What the cpu backend exposes: its data store and a tensor factory. */
interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array | Int32Array | Uint8Array): TensorInfo;
}

/** What the wasm backend exposes: heap views of tensors and output allocation. */
interface WasmBackendLike {
  typedArrayFromHeap(info: TensorInfo): unknown;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  /** The Emscripten module; `asm.memory` is its heap (the single-threaded builds). */
  wasm?: { asm?: { memory?: unknown } };
  disposeData(dataId: object): void;
}

type Attrs = NamedAttrMap & {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
  filterSize?: [number, number] | number;
  axis?: number | number[];
  keepDims?: boolean;
  alpha?: number;
  perm?: number[];
  transposeA?: boolean;
  transposeB?: boolean;
  dim?: number;
  reps?: number[];
  /** `TensorZooLinearGrad`: which gradient to compute. */
  output?: LinearGradOutput;
  batchDims?: number;
  scale?: number;
  causal?: boolean;
};

/** Reads a tensor's values when its storage has the asked type (`undefined` otherwise). */
interface Readers {
  (info: TensorInfo): Float32Array | undefined;
  int32(info: TensorInfo): Int32Array | undefined;
  /** float32, int32 or bool (`Uint8Array`) storage. */
  any(info: TensorInfo): Float32Array | Int32Array | Uint8Array | undefined;
  /** wasm: the backend's heap, for kernels whose WebAssembly reads and writes tensors in place. */
  heap?: Heap;
}

/** The wasm backend's heap (a `WebAssembly.Memory`) and where tensors live in it. */
interface Heap {
  memory: WebAssembly.Memory;
  /** Byte address of a tensor's data. */
  address(info: TensorInfo): number;
  /** A new float32 tensor and its byte address (the heap may grow: views made before go stale). */
  allocate(shape: number[]): { made: TensorInfo; address: number };
  /** Frees a tensor from `allocate` that is not returned (scratch space). */
  release(made: TensorInfo): void;
}

/** One output of a fast path: float32, or int32 for an `Int32Array`; or a tensor it wrote in place. */
type Output = { shape: number[]; values: Float32Array | Int32Array | Uint8Array } | { made: TensorInfo };

/** A fast path: returns the output(s), or `undefined` to defer to the stock kernel. */
type FastPath = (inputs: Record<string, TensorInfo>, attrs: Attrs & { numSegments?: number }, read: Readers) => Output | Output[] | undefined;

const channelsLast = (attrs: Attrs) => (attrs.dataFormat ?? 'NHWC') === 'NHWC';
const isFloat = (...infos: TensorInfo[]) => infos.every((info) => info.dtype === 'float32');
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((dim, index) => dim === b[index]);

const FAST_PATHS: Record<string, FastPath> = {
  Conv2D({ x, filter }, attrs, read) {
    if (!channelsLast(attrs) || !isFloat(x, filter) || x.shape.length !== 4 || filter.shape.length !== 4 || x.shape[3] !== filter.shape[2]) return undefined;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const xValues = read(x);
    const filterValues = read(filter);
    if (!xValues || !filterValues) return undefined;
    return { shape: info.outShape, values: conv2dForward(xValues, filterValues, info) };
  },
  // conv2d + bias (what Conv2d uses, so wasm's XNNPACK adds the bias inside its convolution):
  // our convolution, then the bias added in float32 as stock adds it; other activations,
  // NCHW and non-1-D biases go to stock.
  FusedConv2D({ x, filter, bias, preluActivationWeights }, attrs, read) {
    const activation = (attrs as { activation?: string }).activation ?? 'linear';
    if ((activation !== 'linear' && activation !== 'relu') || preluActivationWeights || !bias || bias.shape.length !== 1 || !isFloat(bias)) return undefined;
    const convolved = FAST_PATHS.Conv2D({ x, filter }, attrs, read);
    const biasValues = read(bias);
    if (!convolved || Array.isArray(convolved) || 'made' in convolved || !biasValues) return undefined;
    const y = convolved.values as Float32Array;
    const channels = biasValues.length;
    if (channels !== filter.shape[3] && channels !== 1) return undefined;
    for (let offset = 0; offset < y.length; offset += channels) for (let c = 0; c < channels; c++) y[offset + c] += biasValues[c];
    if (activation === 'relu') {
      for (let i = 0; i < y.length; i++) {
        const value = y[i];
        y[i] = value > 0 || value !== value ? value : 0; // elementwise.ts's relu (the cpu Relu kernel)
      }
    }
    return convolved;
  },
  Conv2DBackpropInput({ dy, filter }, attrs, read) {
    if (!channelsLast(attrs) || !isFloat(dy, filter) || !attrs.inputShape) return undefined;
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number],
      attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    // tfjs does not check dy's spatial size; any dy but the conv's own output shape goes to stock.
    if (!sameShape(dy.shape, info.outShape) || filter.shape[2] !== info.inChannels) return undefined;
    // wasm: operands read where they are, dx written in place (no copies in and out).
    const fns = read.heap && heapConvFunctions(read.heap);
    if (read.heap && fns) {
      const dx = read.heap.allocate(info.inShape);
      const scratch = read.heap.allocate([backpropInputScratch(info)]);
      const [dyAt, filterAt] = [read.heap.address(dy), read.heap.address(filter)];
      backpropInputInMemory(fns, new Float32Array(read.heap.memory.buffer), info, dyAt / 4, filterAt / 4, dx.address / 4, scratch.address / 4);
      read.heap.release(scratch.made);
      return { made: dx.made };
    }
    const dyValues = read(dy);
    const filterValues = read(filter);
    if (!dyValues || !filterValues) return undefined;
    return { shape: info.inShape, values: conv2dBackpropInput(dyValues, filterValues, info) };
  },
  // Depthwise convolution gradients: stock tfjs-wasm has neither kernel (MobileNetV2 could not train there).
  DepthwiseConv2dNativeBackpropInput({ dy, filter }, attrs, read) {
    if (!channelsLast(attrs) || !isFloat(dy, filter) || !attrs.inputShape || filter.shape.length !== 4) return undefined;
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true, 'channelsLast',
    );
    if (!sameShape(dy.shape, info.outShape) || filter.shape[2] !== info.inChannels) return undefined;
    const dyValues = read(dy);
    const filterValues = read(filter);
    if (!dyValues || !filterValues) return undefined;
    return { shape: info.inShape, values: depthwiseBackpropInput(dyValues, filterValues, info) };
  },
  DepthwiseConv2dNativeBackpropFilter({ x, dy }, attrs, read) {
    if (!channelsLast(attrs) || !isFloat(x, dy) || !attrs.filterShape || x.shape.length !== 4) return undefined;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape,
      attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true, 'channelsLast',
    );
    if (!sameShape(dy.shape, info.outShape) || attrs.filterShape[2] !== info.inChannels) return undefined;
    const xValues = read(x);
    const dyValues = read(dy);
    if (!xValues || !dyValues) return undefined;
    return { shape: attrs.filterShape, values: depthwiseBackpropFilter(xValues, dyValues, info) };
  },
  Conv2DBackpropFilter({ x, dy }, attrs, read) {
    if (!channelsLast(attrs) || !isFloat(x, dy) || !attrs.filterShape || x.shape.length !== 4) return undefined;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape,
      attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    if (!sameShape(dy.shape, info.outShape) || attrs.filterShape[2] !== info.inChannels) return undefined;
    // wasm: x and dy read where they are (no copies in).
    const fns = read.heap && heapConvFunctions(read.heap);
    if (read.heap && fns) {
      const dw = read.heap.allocate(info.filterShape);
      const scratch = read.heap.allocate([backpropFilterScratch(info)]);
      const memory = new Float32Array(read.heap.memory.buffer);
      const { totals, width } = backpropFilterInMemory(fns, memory, info, read.heap.address(x) / 4, read.heap.address(dy) / 4, scratch.address / 4);
      filterFromTotals(totals, width, info.filterHeight * info.filterWidth * info.inChannels, info.outChannels, memory, dw.address / 4);
      read.heap.release(scratch.made);
      return { made: dw.made };
    }
    const xValues = read(x);
    const dyValues = read(dy);
    if (!xValues || !dyValues) return undefined;
    return { shape: info.filterShape, values: conv2dBackpropFilter(xValues, dyValues, info) };
  },
  MaxPool({ x }, attrs, read) {
    if (!isFloat(x) || attrs.filterSize === undefined || x.shape.length !== 4) return undefined;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
    );
    // Stock returns x itself for a 1x1 window whose output shape is the input's (whatever the padding).
    if (info.filterHeight === 1 && info.filterWidth === 1 && sameShape(info.inShape, info.outShape)) return undefined;
    const xValues = read(x);
    if (!xValues) return undefined;
    const simdValues = isPool2x2(info) ? poolArrays('forward', xValues, undefined, info) : undefined;
    return { shape: info.outShape, values: simdValues ?? maxPoolForward(xValues, info) };
  },
  MaxPoolGrad({ dy, input }, attrs, read) {
    if (!isFloat(dy, input) || attrs.filterSize === undefined || input.shape.length !== 4) return undefined;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
    );
    if (!sameShape(dy.shape, info.outShape)) return undefined;
    const dyValues = read(dy);
    const xValues = read(input);
    if (!dyValues || !xValues) return undefined;
    if (isPool2x2(info)) {
      // 2x2 windows, stride 2: the branch-free SIMD loop (simd-pool.ts), in place on wasm's heap.
      const pool = read.heap && poolOn(read.heap.memory, 'gradient');
      if (read.heap && pool) {
        const at = { x: read.heap.address(input), yOrDy: read.heap.address(dy) };
        const dx = read.heap.allocate(input.shape);
        poolInMemory(pool, read.heap.memory, 'gradient', { ...at, dx: dx.address }, info);
        return { made: dx.made };
      }
      const values = read.heap ? undefined : poolArrays('gradient', xValues, dyValues, info);
      if (values) return { shape: info.inShape, values };
    }
    return { shape: info.inShape, values: maxPoolBackprop(dyValues, xValues, info) };
  },
  Sum: /* @__PURE__ */ reduction(false),
  Mean: /* @__PURE__ */ reduction(true),
  Exp({ x }, _attrs, read) {
    const values = isFloat(x) ? read(x) : undefined;
    return values && { shape: x.shape, values: exponential(values) };
  },
  Erf({ x }, _attrs, read) {
    const values = isFloat(x) ? read(x) : undefined;
    const { ERF_P: p, ERF_A1: a1, ERF_A2: a2, ERF_A3: a3, ERF_A4: a4, ERF_A5: a5 } = tf.backend_util;
    return values && { shape: x.shape, values: errorFunction(values, { p, a1, a2, a3, a4, a5 }) };
  },
  Neg({ x }, _attrs, read) {
    const values = isFloat(x) ? read(x) : undefined;
    return values && { shape: x.shape, values: negate(values) };
  },
  Add: /* @__PURE__ */ binary('add'),
  Sub: /* @__PURE__ */ binary('sub'),
  Multiply: /* @__PURE__ */ binary('mul'),
  RealDiv: /* @__PURE__ */ binary('div'),
  Softmax({ logits }, attrs, read) {
    const rank = logits.shape.length;
    if (!isFloat(logits) || rank === 0 || (attrs.dim !== -1 && attrs.dim !== rank - 1)) return undefined;
    const values = read(logits);
    return values && { shape: logits.shape, values: softmaxLastAxis(values, logits.shape[rank - 1]) };
  },
  Relu({ x }, _attrs, read) {
    const values = isFloat(x) ? read(x) : undefined;
    return values && { shape: x.shape, values: relu(values) };
  },
  Step({ x }, attrs, read) {
    const values = isFloat(x) ? read(x) : undefined;
    return values && { shape: x.shape, values: step(values, attrs.alpha ?? 0) };
  },
  BatchMatMul({ a, b }, attrs, read) {
    if (!isFloat(a, b) || a.shape.length < 2 || b.shape.length < 2) return undefined;
    const transposeA = attrs.transposeA ?? false;
    const transposeB = attrs.transposeB ?? false;
    const [rows, depth] = transposeA ? a.shape.slice(-2).reverse() : a.shape.slice(-2);
    const [bDepth, columns] = transposeB ? b.shape.slice(-2).reverse() : b.shape.slice(-2);
    if (depth !== bDepth || rows * columns * depth < MATMUL_MIN_WORK) return undefined;
    const aOuter = a.shape.slice(0, -2);
    const bOuter = b.shape.slice(0, -2);
    const count = (dims: number[]) => dims.reduce((x, y) => x * y, 1);
    const [aBatch, bBatch] = [count(aOuter), count(bOuter)];
    // Batch dimensions: equal, or one side a single matrix; other broadcasts go to the stock kernel.
    const sameOuter = aOuter.length === bOuter.length && aOuter.every((dim, index) => dim === bOuter[index]);
    if (!sameOuter && aBatch !== 1 && bBatch !== 1) return undefined;
    const outer = sameOuter ? aOuter : aBatch === 1 && aOuter.length <= bOuter.length ? bOuter : bBatch === 1 && bOuter.length <= aOuter.length ? aOuter : undefined;
    if (!outer) return undefined;
    const aValues = read(a);
    const bValues = read(b);
    if (!aValues || !bValues) return undefined;
    const values = batchMatMul(aValues, bValues, { batch: Math.max(aBatch, bBatch), aBatch, bBatch, rows, columns, depth, transposeA, transposeB });
    return { shape: [...outer, rows, columns], values };
  },
  UnsortedSegmentSum({ x, segmentIds }, attrs, read) {
    const numSegments = attrs.numSegments;
    // tfjs documents 1-D ids (its cpu kernel gives other ranks a meaning of its own: left to it).
    const idsRank = 1;
    if (numSegments === undefined || segmentIds.shape.length !== 1 || x.shape.length < 1 || segmentIds.shape[0] !== x.shape[0]) return undefined;
    const ids = read.int32(segmentIds);
    const values = x.dtype === 'float32' ? read(x) : x.dtype === 'int32' && tf.getBackend() !== 'cpu' ? read.int32(x) : undefined;
    if (!ids || !values) return undefined; // cpu int32: stock answers (in float32)
    const shape = [numSegments, ...x.shape.slice(idsRank)];
    const out = values instanceof Int32Array ? new Int32Array(tf.util.sizeFromShape(shape)) : new Float32Array(tf.util.sizeFromShape(shape));
    unsortedSegmentSum(values, ids, numSegments, out);
    return { shape, values: out };
  },
  // A literal key (ADAM_UPDATE_KERNEL's value): a computed key would keep this table in every bundle.
  TensorZooAdamUpdate(inputs, attrs, read) {
    const settings = attrs as unknown as AdamUpdateSettings;
    const arrays: AdamUpdateArrays = { parameter: read(inputs.parameter)!, gradient: read(inputs.gradient)! };
    for (const name of ['expAvg', 'expAvgSq', 'maxExpAvgSq'] as const) if (inputs[name]) arrays[name] = read(inputs[name]);
    if (Object.values(arrays).some((values) => values === undefined)) return undefined;
    const { shape } = inputs.parameter;
    const simdResult = adamSimd(inputs, arrays, settings, read);
    if (simdResult) return simdResult;
    const size = arrays.parameter.length;
    const outputs = {
      parameter: new Float32Array(size),
      expAvg: new Float32Array(size),
      expAvgSq: new Float32Array(size),
      maxExpAvgSq: settings.amsgrad ? new Float32Array(size) : undefined,
    };
    adamUpdateArrays(arrays, settings, outputs);
    return [outputs.parameter, outputs.expAvg, outputs.expAvgSq, outputs.maxExpAvgSq].filter((values) => values !== undefined).map((values) => ({ shape, values }));
  },
  // A literal key (SGD_UPDATE_KERNEL's value), as above.
  TensorZooSgdUpdate({ parameter, gradient, momentumBuffer }, attrs, read) {
    const settings = attrs as unknown as SgdUpdateSettings;
    const [values, gradients] = [read(parameter), read(gradient)];
    const buffer = momentumBuffer && read(momentumBuffer);
    if (!values || !gradients || (momentumBuffer && !buffer)) return undefined;
    if (read.heap) {
      const inPlace = sgdInHeap(read.heap, { parameter, gradient, momentumBuffer }, settings);
      if (inPlace) return inPlace;
    }
    const outParameter = new Float32Array(values.length);
    const outBuffer = settings.momentum !== 0 ? new Float32Array(values.length) : undefined;
    sgdUpdateArrays(values, gradients, buffer, settings, outParameter, outBuffer);
    const { shape } = parameter;
    return outBuffer ? [{ shape, values: outParameter }, { shape, values: outBuffer }] : [{ shape, values: outParameter }];
  },
  // Literal keys (LAYER_NORM_KERNEL's and LAYER_NORM_GRAD_KERNEL's values), as above.
  TensorZooLayerNorm({ x, weight, bias }, attrs, read) {
    const columns = x.shape[x.shape.length - 1];
    const values = read(x);
    const gamma = weight && read(weight);
    const beta = bias && read(bias);
    if (!values || (weight && !gamma) || (bias && !beta)) return undefined;
    const statsShape = x.shape.slice(0, -1);
    const affine = weight !== undefined && bias !== undefined;
    const forward = read.heap && columns % 2 === 0 && (affine || (!weight && !bias)) && layerNormOn(read.heap.memory, affine ? 'affine' : 'plain');
    if (read.heap && forward) {
      // The float64 SIMD loop (simd-layer-norm.ts), bit for bit layerNormArrays.
      const [xAt, weightAt, biasAt] = [read.heap.address(x), affine ? read.heap.address(weight) : 0, affine ? read.heap.address(bias) : 0];
      const [y, mean, rstd] = [read.heap.allocate(x.shape), read.heap.allocate(statsShape), read.heap.allocate(statsShape)];
      forward(xAt, weightAt, biasAt, y.address, mean.address, rstd.address, tf.util.sizeFromShape(statsShape), columns, attrs.eps as number);
      return [{ made: y.made }, { made: mean.made }, { made: rstd.made }];
    }
    if (read.heap) {
      // wasm: read and write in the heap (no output arrays to copy in).
      const { inputs: [xs, g, b], outputs: [y, mean, rstd], made } = inHeap(read.heap, [x, weight, bias], [x.shape, statsShape, statsShape]);
      layerNormArrays(xs!, columns, attrs.eps as number, g, b, { y, mean, rstd });
      return made;
    }
    const rows = tf.util.sizeFromShape(statsShape);
    const out = { y: new Float32Array(values.length), mean: new Float32Array(rows), rstd: new Float32Array(rows) };
    layerNormArrays(values, columns, attrs.eps as number, gamma, beta, out);
    return [{ shape: x.shape, values: out.y }, { shape: statsShape, values: out.mean }, { shape: statsShape, values: out.rstd }];
  },
  TensorZooLayerNormGrad({ dy, x, mean, rstd, weight }, attrs, read) {
    const [dyValues, xValues, meanValues, rstdValues] = [read(dy), read(x), read(mean), read(rstd)];
    const gamma = weight && read(weight);
    if (!dyValues || !xValues || !meanValues || !rstdValues || (weight && !gamma)) return undefined;
    const columns = x.shape[x.shape.length - 1];
    const rows = meanValues.length;
    const grad = read.heap && columns % 2 === 0 && layerNormGradOn(read.heap.memory, weight ? 'affine' : 'plain');
    if (read.heap && grad) {
      // The float64 SIMD loop (simd-layer-norm.ts), bit for bit layerNormGradArrays.
      const [dyAt, xAt, meanAt, rstdAt] = [dy, x, mean, rstd].map((info) => read.heap!.address(info));
      const weightAt = weight ? read.heap.address(weight) : 0;
      const dx = read.heap.allocate(x.shape);
      const scratch = read.heap.allocate([8 * columns + 2]); // x̂, g (float64), then the float64 dweight, dbias
      const base = Math.ceil(scratch.address / 8) * 8;
      const [dweightAt, dbiasAt] = [base + 16 * columns, base + 24 * columns]; // bytes: x̂ and g take 8·columns each
      const accumulators = new Float64Array(read.heap.memory.buffer, dweightAt, 2 * columns);
      accumulators.fill(0);
      grad(dyAt, xAt, meanAt, rstdAt, weightAt, dx.address, dweightAt, dbiasAt, base, rows, columns);
      const outputs: Output[] = [{ made: dx.made }];
      if (weight) {
        const parts = [read.heap.allocate([columns]), read.heap.allocate([columns])];
        const sums = new Float64Array(read.heap.memory.buffer, dweightAt, 2 * columns); // after the allocations
        parts.forEach((part, index) => new Float32Array(read.heap!.memory.buffer, part.address, columns).set(sums.subarray(index * columns, (index + 1) * columns)));
        outputs.push({ made: parts[0].made }, { made: parts[1].made });
      }
      read.heap.release(scratch.made);
      return outputs;
    }
    if (read.heap) {
      const shapes = weight ? [x.shape, [columns], [columns]] : [x.shape];
      const { inputs: [d, xs, m, r, g], outputs: [dx, dweight, dbias], made } = inHeap(read.heap, [dy, x, mean, rstd, weight], shapes);
      layerNormGradArrays(d!, xs!, m!, r!, g, { dx, dweight, dbias });
      return made;
    }
    const out = { dx: new Float32Array(xValues.length), dweight: gamma && new Float32Array(columns), dbias: gamma && new Float32Array(columns) };
    layerNormGradArrays(dyValues, xValues, meanValues, rstdValues, gamma, out);
    const dx = { shape: x.shape, values: out.dx };
    return out.dweight && out.dbias ? [dx, { shape: [columns], values: out.dweight }, { shape: [columns], values: out.dbias }] : [dx];
  },
  // Literal keys (LINEAR_KERNEL's and LINEAR_GRAD_KERNEL's values), as above.
  TensorZooLinear({ x, weight, bias }, attrs, read) {
    const [xValues, weightValues] = [read(x), read(weight)];
    const biasValues = bias && read(bias);
    if (!xValues || !weightValues || (bias && !biasValues)) return undefined;
    const [outFeatures, inFeatures] = weight.shape;
    const rows = inFeatures === 0 ? 0 : xValues.length / inFeatures;
    const inHeap = read.heap && linearInHeap(read.heap, 'y', { x, weight, bias }, rows, inFeatures, outFeatures);
    if (inHeap) return inHeap;
    return { shape: [...x.shape.slice(0, -1), outFeatures], values: linearArrays(xValues, weightValues, biasValues, rows, inFeatures, outFeatures) };
  },
  TensorZooLinearGrad({ dy, x, weight }, attrs, read) {
    const [dyValues, xValues, weightValues] = [read(dy), read(x), read(weight)];
    if (!dyValues || !xValues || !weightValues) return undefined;
    const [outFeatures, inFeatures] = weight.shape;
    const rows = inFeatures === 0 ? 0 : xValues.length / inFeatures;
    const output = attrs.output ?? 'dx';
    const inHeap = read.heap && output !== 'dbias' && linearInHeap(read.heap, output, { x, weight, dy }, rows, inFeatures, outFeatures);
    if (inHeap) return inHeap;
    if (output === 'dbias' && outFeatures >= 4) {
      // Column sums of dy in float64, in row order (linear.ts's loop) by the SIMD loop of simd-reduce.ts.
      const sum = read.heap && leadingSumOn(read.heap.memory);
      if (read.heap && sum) {
        const at = read.heap.address(dy);
        const out = read.heap.allocate([outFeatures]);
        sum(at, out.address, 1, rows, outFeatures);
        return { made: out.made };
      }
      const values = read.heap ? undefined : sumLeadingArrays(dyValues, 1, rows, outFeatures);
      if (values) return { shape: [outFeatures], values };
    }
    const shape = output === 'dx' ? x.shape : output === 'dweight' ? weight.shape : [outFeatures];
    return { shape, values: linearGradArrays(output, dyValues, xValues, weightValues, rows, inFeatures, outFeatures) };
  },
  // Literal keys (ATTENTION_KERNEL's and ATTENTION_GRAD_KERNEL's values), as above.
  TensorZooAttention({ query, key, value }, attrs, read) {
    const [q, k, v] = [read(query), read(key), read(value)];
    if (!q || !k || !v) return undefined;
    const shape = attentionShape(query, key, value);
    const inHeapResult = read.heap && attentionInHeap(read.heap, { query, key, value }, shape, attrs.scale as number, attrs.causal === true);
    if (inHeapResult) return inHeapResult;
    const { output, weights } = attentionArrays(q, k, v, shape, attrs.scale as number, attrs.causal === true);
    const leading = query.shape.slice(0, -2);
    return [
      { shape: [...leading, shape.queryLength, shape.valueDepth], values: output },
      { shape: [...leading, shape.queryLength, shape.keyLength], values: weights },
    ];
  },
  TensorZooAttentionGrad({ dy, query, key, value, weights }, attrs, read) {
    const [dyValues, q, k, v, p] = [read(dy), read(query), read(key), read(value), read(weights)];
    if (!dyValues || !q || !k || !v || !p) return undefined;
    const inHeapResult = read.heap && attentionGradInHeap(read.heap, { dy, query, key, value, weights }, attentionShape(query, key, value), attrs.scale as number);
    if (inHeapResult) return inHeapResult;
    const { dq, dk, dv } = attentionGradArrays(dyValues, q, k, v, p, attentionShape(query, key, value), attrs.scale as number);
    return [
      { shape: query.shape, values: dq },
      { shape: key.shape, values: dk },
      { shape: value.shape, values: dv },
    ];
  },
  // Literal keys (PACKED_ATTENTION_KERNEL's and PACKED_ATTENTION_GRAD_KERNEL's values), as above.
  TensorZooPackedAttention({ qkv }, attrs, read) {
    const shape = packedShape(qkv);
    const scale = attrs.scale as number;
    const causal = attrs.causal === true;
    const inHeapResult = read.heap && packedAttentionInHeap(read.heap, qkv, shape, scale, causal);
    if (inHeapResult) return inHeapResult;
    const values = read(qkv);
    if (!values) return undefined;
    const { output, weights } = packedAttentionArrays(values, shape, scale, causal);
    return [
      { shape: [shape.batch, shape.length, shape.heads, shape.depth], values: output },
      { shape: [shape.batch, shape.heads, shape.length, shape.length], values: weights },
    ];
  },
  TensorZooPackedAttentionGrad({ dy, qkv, weights }, attrs, read) {
    const shape = packedShape(qkv);
    const inHeapResult = read.heap && packedAttentionGradInHeap(read.heap, { dy, qkv, weights }, shape, attrs.scale as number);
    if (inHeapResult) return inHeapResult;
    const [dyValues, qkvValues, p] = [read(dy), read(qkv), read(weights)];
    if (!dyValues || !qkvValues || !p) return undefined;
    return { shape: qkv.shape, values: packedAttentionGradArrays(dyValues, qkvValues, p, shape, attrs.scale as number) };
  },
  // Literal keys (SOFTMAX_CROSS_ENTROPY_KERNEL's and ..._GRAD_KERNEL's values), as above.
  TensorZooSoftmaxCrossEntropy({ logits, labels }, attrs, read) {
    const [logitValues, labelValues] = [read(logits), read.int32(labels)];
    if (!logitValues || !labelValues) return undefined;
    const { loss, logSumExp } = softmaxCrossEntropyArrays(logitValues, labelValues, logits.shape[logits.shape.length - 1]);
    return [{ shape: labels.shape, values: loss }, { shape: labels.shape, values: logSumExp }];
  },
  TensorZooSoftmaxCrossEntropyGrad({ dy, logits, labels, logSumExp }, attrs, read) {
    const [dyValues, logitValues, labelValues, lseValues] = [read(dy), read(logits), read.int32(labels), read(logSumExp)];
    if (!dyValues || !logitValues || !labelValues || !lseValues) return undefined;
    return { shape: logits.shape, values: softmaxCrossEntropyGradArrays(dyValues, logitValues, labelValues, lseValues, logits.shape[logits.shape.length - 1]) };
  },
  TensorZooGelu({ x }, attrs, read) {
    const values = read(x);
    if (!values) return undefined;
    // The float64 SIMD loop (simd-gelu.ts, bit for bit gelu.ts), in place on wasm's heap.
    const gelu = read.heap && geluOn(read.heap.memory);
    if (read.heap && gelu) {
      const [at, count] = [read.heap.address(x), values.length];
      const [y, derivative] = [read.heap.allocate(x.shape), read.heap.allocate(x.shape)];
      geluInMemory(gelu, read.heap.memory, at, y.address, derivative.address, count);
      return [{ made: y.made }, { made: derivative.made }];
    }
    const { y, derivative } = (read.heap ? undefined : geluArraysSimd(values)) ?? geluArrays(values);
    return [{ shape: x.shape, values: y }, { shape: x.shape, values: derivative }];
  },
  TensorZooGeluGrad({ dy, derivative }, attrs, read) {
    const [dyValues, derivativeValues] = [read(dy), read(derivative)];
    if (!dyValues || !derivativeValues || dyValues.length !== derivativeValues.length) return undefined;
    const multiply = read.heap && multiplyOn(read.heap.memory);
    if (read.heap && multiply) {
      const count = dyValues.length;
      const at = { dy: read.heap.address(dy), derivative: read.heap.address(derivative) };
      const out = read.heap.allocate(dy.shape);
      const vectorCount = count & ~3;
      multiply(at.dy, at.derivative, out.address, vectorCount * 4);
      if (vectorCount < count) {
        const view = (address: number) => new Float32Array(read.heap!.memory.buffer, address + vectorCount * 4, count - vectorCount);
        view(out.address).set(geluGradArrays(view(at.dy), view(at.derivative)));
      }
      return { made: out.made };
    }
    return { shape: dy.shape, values: geluGradArrays(dyValues, derivativeValues) };
  },
  // A literal key (RELU_GRAD_KERNEL's value), as above.
  TensorZooReluGrad({ dy, x }, _attrs, read) {
    if (!isFloat(dy, x) || !sameShape(dy.shape, x.shape)) return undefined;
    const [dyValues, xValues] = [read(dy), read(x)];
    if (!dyValues || !xValues) return undefined;
    if (read.heap) {
      // wasm: the SIMD loop in the heap; the elements past the last multiple of 4 here.
      const reluGrad = reluGradOn(read.heap.memory);
      const count = dyValues.length;
      const at = { dy: read.heap.address(dy), x: read.heap.address(x) };
      const out = read.heap.allocate(dy.shape);
      const vectorCount = reluGrad ? count & ~3 : 0;
      reluGrad?.(at.dy, at.x, out.address, vectorCount * 4);
      const view = (address: number) => new Float32Array(read.heap!.memory.buffer, address, count);
      const [dyView, xView, outView] = [view(at.dy), view(at.x), view(out.address)];
      outView.set(reluGradArrays(dyView.subarray(vectorCount), xView.subarray(vectorCount)), vectorCount);
      return { made: out.made };
    }
    return { shape: dy.shape, values: reluGradArrays(dyValues, xValues) };
  },
  // A literal key (LEAKY_RELU_GRAD_KERNEL's value), as above.
  TensorZooLeakyReluGrad({ dy, x }, attrs, read) {
    if (!isFloat(dy, x) || !sameShape(dy.shape, x.shape)) return undefined;
    const [dyValues, xValues] = [read(dy), read(x)];
    if (!dyValues || !xValues) return undefined;
    const alpha = attrs.alpha ?? 0.2;
    const leakyReluGrad = read.heap && leakyReluGradOn(read.heap.memory);
    if (read.heap && leakyReluGrad) {
      const count = dyValues.length;
      const at = { dy: read.heap.address(dy), x: read.heap.address(x) };
      const out = read.heap.allocate(dy.shape);
      const vectorCount = count & ~3;
      leakyReluGrad(at.dy, at.x, out.address, vectorCount * 4, Math.fround(alpha));
      if (vectorCount < count) {
        const view = (address: number) => new Float32Array(read.heap!.memory.buffer, address + vectorCount * 4, count - vectorCount);
        view(out.address).set(leakyReluGradArrays(view(at.dy), view(at.x), alpha));
      }
      return { made: out.made };
    }
    return { shape: dy.shape, values: leakyReluGradArrays(dyValues, xValues, alpha) };
  },
  GatherV2({ x, indices }, attrs, read) {
    // Rows of x along axis 0 (every embedding lookup): one block copy per index instead of
    // tfjs's per-element index arithmetic (14 ms for a GPT's 1,024 x 128 lookup, now ~0.1 ms).
    const axis = typeof attrs.axis === 'number' ? attrs.axis : 0;
    if (x.shape.length === 0 || (axis !== 0 && axis !== -x.shape.length) || (attrs.batchDims ?? 0) !== 0) return undefined;
    const [values, ids] = [read.any(x), read.int32(indices)];
    if (!values || !ids) return undefined;
    const rows = x.shape[0];
    const width = rows === 0 ? 0 : values.length / rows;
    for (let i = 0; i < ids.length; i++) if (!(ids[i] >= 0 && ids[i] < rows)) return undefined; // stock reports the bad index
    if (read.heap && x.dtype === 'float32') {
      // wasm: row copies within the heap (tfjs-wasm's took 3 ms for a GPT's 1,024 x 128 lookup).
      const [at, idsAt, count] = [read.heap.address(x) / 4, read.heap.address(indices) / 4, ids.length];
      const out = read.heap.allocate([...indices.shape, ...x.shape.slice(1)]);
      const heap = new Float32Array(read.heap.memory.buffer);
      const idsView = new Int32Array(read.heap.memory.buffer);
      for (let i = 0, to = out.address / 4; i < count; i++, to += width) heap.copyWithin(to, at + idsView[idsAt + i] * width, at + (idsView[idsAt + i] + 1) * width);
      return { made: out.made };
    }
    const out = new (values.constructor as Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor)(ids.length * width);
    for (let i = 0; i < ids.length; i++) out.set(values.subarray(ids[i] * width, (ids[i] + 1) * width), i * width);
    return { shape: [...indices.shape, ...x.shape.slice(1)], values: out };
  },
  Tile({ x }, attrs, read) {
    const reps = attrs.reps;
    if (!reps || reps.length !== x.shape.length || x.shape.length === 0) return undefined;
    const values = read.any(x);
    return values && { shape: x.shape.map((dim, axis) => dim * reps[axis]), values: tile(values, x.shape, reps) };
  },
  // wasm only: along an axis with nothing before it (attention's q, k, v from one tensor),
  // each output is a contiguous piece of the input, copied natively within the heap
  // (tfjs-wasm's general slices took 2 ms for a [3, 16, 4, 64, 32] tensor).
  Unpack({ value }, attrs, read) {
    if (!read.heap || !isFloat(value) || value.shape.length === 0) return undefined;
    const axis = typeof attrs.axis === 'number' ? (attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis) : 0;
    if (!(axis >= 0 && axis < value.shape.length) || value.shape.slice(0, axis).some((dim) => dim !== 1)) return undefined;
    const outShape = value.shape.filter((_, index) => index !== axis);
    const count = value.shape[axis];
    const piece = tf.util.sizeFromShape(outShape);
    const at = read.heap.address(value) / 4;
    const outputs = Array.from({ length: count }, () => read.heap!.allocate(outShape));
    const floats = new Float32Array(read.heap.memory.buffer);
    outputs.forEach((out, index) => floats.copyWithin(out.address / 4, at + index * piece, at + (index + 1) * piece));
    return outputs.map((out) => ({ made: out.made }));
  },
  Transpose({ x }, attrs, read) {
    const perm = attrs.perm;
    if (!isFloat(x) || !perm || perm.length !== x.shape.length || x.shape.length === 0) return undefined;
    if (read.heap) {
      // wasm: from the input's place in the heap to the output's.
      const at = read.heap.address(x);
      const out = read.heap.allocate(perm.map((axis) => x.shape[axis]));
      const floats = new Float32Array(read.heap.memory.buffer);
      transposeWithin(floats, at / 4, floats, out.address / 4, x.shape, perm);
      return { made: out.made };
    }
    const values = read(x);
    return values && { shape: perm.map((axis) => x.shape[axis]), values: transpose(values, x.shape, perm) };
  },
};

/**
 * The fused attention on wasm's heap: per item, `S = Q·Kᵀ` into the weights tensor, softmax
 * in place, `O = P·V` into the output, every product heap-gemm.ts's (bit for bit
 * `attentionArrays`). `undefined` where the sizes do not fit the product's tiles, without SIMD,
 * or with worker threads.
 */
function attentionInHeap(heap: Heap, inputs: { query: TensorInfo; key: TensorInfo; value: TensorInfo }, shape: AttentionShape, scale: number, causal: boolean): Output[] | undefined {
  const { items, queryLength: tq, keyLength: tk, depth: d, valueDepth: dv } = shape;
  if (items === 0 || tq % 4 !== 0 || tk % PANEL !== 0 || dv % PANEL !== 0 || d === 0) return undefined;
  const gemm = heapGemmOn(heap.memory);
  if (!gemm) return undefined;
  const [q, k, v] = [heap.address(inputs.query), heap.address(inputs.key), heap.address(inputs.value)];
  const leading = inputs.query.shape.slice(0, -2);
  const output = heap.allocate([...leading, tq, dv]);
  const weights = heap.allocate([...leading, tq, tk]);
  const packed = heap.allocate([Math.max(packedSize(tk, d), packedSize(dv, tk))]);
  const floats = new Float32Array(heap.memory.buffer);
  const row = new Float64Array(tk);
  for (let item = 0; item < items; item++) {
    const scores = weights.address + item * tq * tk * 4;
    heapProduct(gemm, heap, { rows: tq, columns: tk, depth: d, a: q + item * tq * d * 4, aRowStride: d * 4, aDepthStride: 4, b: k + item * tk * d * 4, bRow: 1, bColumn: d }, scores, packed.address);
    softmaxScores(floats, scores / 4, tq, tk, scale, causal, row);
    heapProduct(gemm, heap, { rows: tq, columns: dv, depth: tk, a: scores, aRowStride: tk * 4, aDepthStride: 4, b: v + item * tk * dv * 4, bRow: dv, bColumn: 1 }, output.address + item * tq * dv * 4, packed.address);
  }
  heap.release(packed.made);
  return [{ made: output.made }, { made: weights.made }];
}

/** The fused attention's gradient on wasm's heap, as {@link attentionInHeap} (bit for bit `attentionGradArrays`). */
function attentionGradInHeap(
  heap: Heap,
  inputs: { dy: TensorInfo; query: TensorInfo; key: TensorInfo; value: TensorInfo; weights: TensorInfo },
  shape: AttentionShape,
  scale: number,
): Output[] | undefined {
  const { items, queryLength: tq, keyLength: tk, depth: d, valueDepth: dv } = shape;
  if (items === 0 || tq % 4 !== 0 || tk % PANEL !== 0 || dv % PANEL !== 0 || d % PANEL !== 0) return undefined;
  const gemm = heapGemmOn(heap.memory);
  if (!gemm) return undefined;
  const [dy, q, k, v, p] = [inputs.dy, inputs.query, inputs.key, inputs.value, inputs.weights].map((info) => heap.address(info));
  const dq = heap.allocate(inputs.query.shape);
  const dk = heap.allocate(inputs.key.shape);
  const dvOut = heap.allocate(inputs.value.shape);
  const ds = heap.allocate([tq, tk]);
  const packed = heap.allocate([Math.max(packedSize(dv, tq), packedSize(tk, dv), packedSize(d, tk), packedSize(d, tq))]);
  const floats = new Float32Array(heap.memory.buffer);
  for (let item = 0; item < items; item++) {
    const [dyAt, qAt, kAt, vAt, pAt] = [dy + item * tq * dv * 4, q + item * tq * d * 4, k + item * tk * d * 4, v + item * tk * dv * 4, p + item * tq * tk * 4];
    // dV = Pᵀ·dO;  dP = dO·Vᵀ;  dS in place;  dQ = dS·K;  dK = dSᵀ·Q
    heapProduct(gemm, heap, { rows: tk, columns: dv, depth: tq, a: pAt, aRowStride: 4, aDepthStride: tk * 4, b: dyAt, bRow: dv, bColumn: 1 }, dvOut.address + item * tk * dv * 4, packed.address);
    heapProduct(gemm, heap, { rows: tq, columns: tk, depth: dv, a: dyAt, aRowStride: dv * 4, aDepthStride: 4, b: vAt, bRow: 1, bColumn: dv }, ds.address, packed.address);
    scoreGradients(floats, ds.address / 4, floats, pAt / 4, tq, tk, scale);
    heapProduct(gemm, heap, { rows: tq, columns: d, depth: tk, a: ds.address, aRowStride: tk * 4, aDepthStride: 4, b: kAt, bRow: d, bColumn: 1 }, dq.address + item * tq * d * 4, packed.address);
    heapProduct(gemm, heap, { rows: tk, columns: d, depth: tq, a: ds.address, aRowStride: 4, aDepthStride: tk * 4, b: qAt, bRow: d, bColumn: 1 }, dk.address + item * tk * d * 4, packed.address);
  }
  heap.release(ds.made);
  heap.release(packed.made);
  return [{ made: dq.made }, { made: dk.made }, { made: dvOut.made }];
}

/** The convolution gradients' SIMD functions on wasm's heap (heap-gemm.ts's instance), or `undefined` (no SIMD, worker threads). */
function heapConvFunctions(heap: Heap): ConvFunctions | undefined {
  const gemm = heapGemmOn(heap.memory);
  return gemm && { store: gemm.store, accumulate: gemm.accumulate, widenAdd: gemm.widenAdd, packPanels: gemm.pack };
}

/** `[B, T, 3, H, D]` (`fusedPackedAttention` checked the rank and the 3). */
function packedShape(qkv: TensorInfo): PackedAttentionShape {
  const [batch, length, , heads, depth] = qkv.shape;
  return { batch, length, heads, depth };
}

/**
 * Packed self-attention on wasm's heap, as {@link attentionInHeap} but reading each head's
 * `Q`, `K`, `V` in place from `qkv` `[B, T, 3, H, D]` by strides and writing the output with
 * the heads merged (`[B, T, H, D]`): no transposes to split or merge them. Bit for bit
 * `packedAttentionArrays`.
 */
function packedAttentionInHeap(heap: Heap, qkv: TensorInfo, shape: PackedAttentionShape, scale: number, causal: boolean): Output[] | undefined {
  const { batch, length: t, heads, depth: d } = shape;
  if (batch * heads === 0 || t % PANEL !== 0 || d % PANEL !== 0) return undefined;
  const gemm = heapGemmOn(heap.memory);
  if (!gemm) return undefined;
  const base = heap.address(qkv);
  const output = heap.allocate([batch, t, heads, d]);
  const weights = heap.allocate([batch, heads, t, t]);
  const packed = heap.allocate([Math.max(packedSize(t, d), packedSize(d, t))]);
  const floats = new Float32Array(heap.memory.buffer);
  const row = new Float64Array(t);
  const packedRow = 3 * heads * d * 4; // bytes from one position's q (k, v) to the next's
  for (let b = 0; b < batch; b++) {
    for (let head = 0; head < heads; head++) {
      const slot = (s: number) => base + (b * t * 3 * heads + s * heads + head) * d * 4;
      const scores = weights.address + (b * heads + head) * t * t * 4;
      heapProduct(gemm, heap, { rows: t, columns: t, depth: d, a: slot(0), aRowStride: packedRow, aDepthStride: 4, b: slot(1), bRow: 1, bColumn: packedRow / 4 }, scores, packed.address);
      softmaxScores(floats, scores / 4, t, t, scale, causal, row);
      const out = output.address + (b * t * heads + head) * d * 4;
      heapProduct(gemm, heap, { rows: t, columns: d, depth: t, a: scores, aRowStride: t * 4, aDepthStride: 4, b: slot(2), bRow: packedRow / 4, bColumn: 1, cRowStride: heads * d * 4 }, out, packed.address);
    }
  }
  heap.release(packed.made);
  return [{ made: output.made }, { made: weights.made }];
}

/** The gradient of {@link packedAttentionInHeap}, as {@link attentionGradInHeap}, into `dqkv` `[B, T, 3, H, D]` by strides. */
function packedAttentionGradInHeap(heap: Heap, inputs: { dy: TensorInfo; qkv: TensorInfo; weights: TensorInfo }, shape: PackedAttentionShape, scale: number): Output | undefined {
  const { batch, length: t, heads, depth: d } = shape;
  if (batch * heads === 0 || t % PANEL !== 0 || d % PANEL !== 0) return undefined;
  const gemm = heapGemmOn(heap.memory);
  if (!gemm) return undefined;
  const [dy, base, p] = [inputs.dy, inputs.qkv, inputs.weights].map((info) => heap.address(info));
  const dqkv = heap.allocate(inputs.qkv.shape);
  const ds = heap.allocate([t, t]);
  const packed = heap.allocate([Math.max(packedSize(d, t), packedSize(t, d))]);
  const floats = new Float32Array(heap.memory.buffer);
  const packedRow = 3 * heads * d * 4;
  const mergedRow = heads * d * 4;
  for (let b = 0; b < batch; b++) {
    for (let head = 0; head < heads; head++) {
      const offset = (b * t * 3 * heads + head) * d * 4;
      const [q, k, v] = [0, 1, 2].map((s) => base + offset + s * heads * d * 4);
      const [dq, dk, dv] = [0, 1, 2].map((s) => dqkv.address + offset + s * heads * d * 4);
      const dyAt = dy + (b * t * heads + head) * d * 4;
      const pAt = p + (b * heads + head) * t * t * 4;
      // dV = Pᵀ·dO;  dP = dO·Vᵀ;  dS in place;  dQ = dS·K;  dK = dSᵀ·Q
      heapProduct(gemm, heap, { rows: t, columns: d, depth: t, a: pAt, aRowStride: 4, aDepthStride: t * 4, b: dyAt, bRow: mergedRow / 4, bColumn: 1, cRowStride: packedRow }, dv, packed.address);
      heapProduct(gemm, heap, { rows: t, columns: t, depth: d, a: dyAt, aRowStride: mergedRow, aDepthStride: 4, b: v, bRow: 1, bColumn: packedRow / 4 }, ds.address, packed.address);
      scoreGradients(floats, ds.address / 4, floats, pAt / 4, t, t, scale);
      heapProduct(gemm, heap, { rows: t, columns: d, depth: t, a: ds.address, aRowStride: t * 4, aDepthStride: 4, b: k, bRow: packedRow / 4, bColumn: 1, cRowStride: packedRow }, dq, packed.address);
      heapProduct(gemm, heap, { rows: t, columns: d, depth: t, a: ds.address, aRowStride: 4, aDepthStride: t * 4, b: q, bRow: packedRow / 4, bColumn: 1, cRowStride: packedRow }, dk, packed.address);
    }
  }
  heap.release(ds.made);
  heap.release(packed.made);
  return { made: dqkv.made };
}

/** The sizes of a fused attention call from its operands' shapes (`fusedAttention` checked them). */
function attentionShape(query: TensorInfo, key: TensorInfo, value: TensorInfo): AttentionShape {
  const rank = query.shape.length;
  return {
    items: tf.util.sizeFromShape(query.shape.slice(0, -2)),
    queryLength: query.shape[rank - 2],
    keyLength: key.shape[rank - 2],
    depth: query.shape[rank - 1],
    valueDepth: value.shape[rank - 1],
  };
}

/** Fast path of `Sum` or `Mean` (`mean`) of float32 over contiguous axes. */
function reduction(mean: boolean): FastPath {
  return ({ x }, attrs, read) => {
    if (!isFloat(x) || attrs.axis === undefined) return undefined;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const view = new Set(axes).size === axes.length ? contiguousReduction(x.shape, axes) : undefined;
    const values = view && read(x);
    if (!view || !values) return undefined;
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const [outer, reduced, inner] = view;
    const divisor = mean ? Math.fround(reduced) : undefined;
    if (inner >= 4) {
      // Columns of float32 (for Mean each divided first) summed in float64 by WebAssembly SIMD (simd-reduce.ts), in place on wasm's heap.
      const sum = read.heap && leadingSumOn(read.heap.memory, divisor);
      if (read.heap && sum) {
        const at = read.heap.address(x);
        const out = read.heap.allocate(shape);
        sum(at, out.address, outer, reduced, inner);
        return { made: out.made };
      }
      const simdValues = read.heap ? undefined : sumLeadingArrays(values, outer, reduced, inner, divisor);
      if (simdValues) return { shape, values: simdValues };
    }
    return { shape, values: sumContiguous(values, ...view, divisor) };
  };
}

/** Fast path of a float32 binary operation, any broadcast. */
function binary(operation: BinaryOperation): FastPath {
  return ({ a, b }, _attrs, read) => {
    if (!isFloat(a, b)) return undefined;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const aValues = read(a);
    const bValues = read(b);
    const values = aValues && bValues ? broadcastBinary(operation, aValues, a.shape, bValues, b.shape, shape) : undefined;
    return values && { shape, values };
  };
}

/** The kernels replaced or added per backend. */
/** Products smaller than this (multiply-adds) stay with the stock kernel: packing would cost more than it saves. */
const MATMUL_MIN_WORK = 4096;

const KERNELS_BY_BACKEND: Record<string, readonly string[]> = {
  cpu: ['BatchMatMul', 'Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad', 'Sum', 'Mean', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Neg', 'Exp', 'Erf', 'Relu', 'Step', 'Tile', 'Transpose', 'UnsortedSegmentSum', 'Softmax', 'GatherV2', ADAM_UPDATE_KERNEL, SGD_UPDATE_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, GELU_KERNEL, GELU_GRAD_KERNEL, LINEAR_KERNEL, LINEAR_GRAD_KERNEL,
    SOFTMAX_CROSS_ENTROPY_KERNEL, SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL, ATTENTION_KERNEL, ATTENTION_GRAD_KERNEL, PACKED_ATTENTION_KERNEL, PACKED_ATTENTION_GRAD_KERNEL, RELU_GRAD_KERNEL, LEAKY_RELU_GRAD_KERNEL],
  wasm: [
    'BatchMatMul', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter', 'MaxPoolGrad', 'UnsortedSegmentSum', 'Transpose', 'Sum', 'Mean', 'Identity', 'Cast', 'Unpack', 'GatherV2', ADAM_UPDATE_KERNEL, SGD_UPDATE_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL,
    GELU_KERNEL, GELU_GRAD_KERNEL, LINEAR_KERNEL, LINEAR_GRAD_KERNEL, SOFTMAX_CROSS_ENTROPY_KERNEL, SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
    ATTENTION_KERNEL, ATTENTION_GRAD_KERNEL, PACKED_ATTENTION_KERNEL, PACKED_ATTENTION_GRAD_KERNEL, RELU_GRAD_KERNEL, LEAKY_RELU_GRAD_KERNEL,
  ],
  webgpu: [ADAM_UPDATE_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, GELU_KERNEL, GELU_GRAD_KERNEL],
};

/**
 * wasm `BatchMatMul` with a transposed operand (every gradient of a matrix product): tfjs-wasm
 * 4.22 runs it ~40x slower than an explicit `Transpose` then the plain product (590 ms vs
 * 15 ms for [64, 2048]ᵀ · [64, 1024]), so those go through stock `Transpose` + stock product.
 */
function wasmBatchMatMul(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = (args.attrs ?? {}) as Attrs;
    const transposeKernel = tf.getKernel('Transpose', 'wasm');
    if ((!attrs.transposeA && !attrs.transposeB) || !transposeKernel || a.shape.length < 2 || b.shape.length < 2) return stock.kernelFunc(args);
    const backend = args.backend as WasmBackendLike & { disposeData(dataId: object): void };
    const swapLast = (info: TensorInfo) => {
      const perm = info.shape.map((_, axis) => axis);
      perm.splice(-2, 2, perm.length - 1, perm.length - 2);
      return transposeKernel.kernelFunc({ inputs: { x: info }, backend: args.backend, attrs: { perm } }) as TensorInfo;
    };
    const aPlain = attrs.transposeA ? swapLast(a) : a;
    const bPlain = attrs.transposeB ? swapLast(b) : b;
    try {
      return stock.kernelFunc({ ...args, inputs: { a: aPlain, b: bPlain }, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (aPlain !== a) backend.disposeData(aPlain.dataId);
      if (bPlain !== b) backend.disposeData(bPlain.dataId);
    }
  };
}

/** Kernels that are not a {@link FastPath} over arrays but wrap the stock kernel (per backend). */
const WRAPPERS: Record<string, Partial<Record<string, (stock: KernelConfig) => KernelFunc>>> = {
  wasm: { BatchMatMul: wasmBatchMatMul, Transpose: wasmTranspose, Sum: wasmSum, Mean: wasmMean, Identity: wasmIdentity, Cast: wasmCast },
};

/** tfjs-wasm's `Cast` to the tensor's own dtype copies it (customGrad's gradients do that); ours shares the data, as tfjs's cpu `Cast` does. */
function wasmCast(stock: KernelConfig): KernelFunc {
  const identity = wasmIdentity(stock);
  return (args) => {
    const x = args.inputs.x as TensorInfo | undefined;
    const dtype = (args.attrs as { dtype?: string } | undefined)?.dtype;
    return x && dtype === x.dtype ? identity(args) : stock.kernelFunc(args);
  };
}

/**
 * tfjs-wasm's `Identity` copies the tensor (3 copies of a CNN's largest activation per training
 * step, 3.6 ms); ours shares the data and counts a reference, as tfjs's cpu `Identity` does.
 */
function wasmIdentity(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo | undefined;
    const backend = args.backend as { incRef?(dataId: object): void };
    if (!x || x.dtype === 'string' || typeof backend.incRef !== 'function') return stock.kernelFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * tfjs-wasm's `Sum` over leading or middle axes transposes first: a convolution's bias
 * gradient (`[64, 26, 26, 32]` over N, H, W) took 6.5 ms there, ours (one pass, float64
 * sums) ~2 ms. Over the innermost axis the stock kernel is faster and stays.
 */
function wasmSum(stock: KernelConfig): KernelFunc {
  return wasmLeadingReduction('Sum', stock);
}

/**
 * tfjs-wasm's `Mean` over leading axes transposes first, like its `Sum` (batch norm's
 * statistics: `[64, 14, 14, 24]` over N, H, W took 0.7 ms, `[64, 2352]` over the batch 0.4 ms);
 * ours divides and sums in one SIMD pass (float64 sums), bit for bit the `cpu` fast path.
 */
function wasmMean(stock: KernelConfig): KernelFunc {
  return wasmLeadingReduction('Mean', stock);
}

/** `Sum` or `Mean` on wasm: ours over leading or middle axes, the stock kernel over the innermost one. */
function wasmLeadingReduction(name: 'Sum' | 'Mean', stock: KernelConfig): KernelFunc {
  const ours = wasmKernel(name, FAST_PATHS[name], stock);
  return (args) => {
    const x = args.inputs.x as TensorInfo | undefined;
    const axis = (args.attrs as { axis?: number | number[] } | undefined)?.axis;
    if (!x || axis === undefined || x.shape.length === 0) return stock.kernelFunc(args);
    const axes = tf.util.parseAxisParam(axis, x.shape);
    return Math.max(...axes) < x.shape.length - 1 ? ours(args) : stock.kernelFunc(args);
  };
}

/**
 * tfjs-wasm's `Transpose` of rank 5 and up takes a slow generic path (attention's head split
 * `[16, 64, 3, 4, 32]`: 20 ms, ours 1.6 ms); up to rank 4 the stock kernel is faster than ours.
 */
function wasmTranspose(stock: KernelConfig): KernelFunc {
  const ours = wasmKernel('Transpose', FAST_PATHS.Transpose, stock);
  return (args) => ((args.inputs.x as TensorInfo | undefined)?.shape.length ?? 0) >= 5 ? ours(args) : stock.kernelFunc(args);
}

/** Per `backend/kernel`: the stock kernel we replaced (`null`: there was none) and ours. */
const installed = /* @__PURE__ */ new Map<string, { stock: KernelConfig | null; ours: KernelFunc }>();

/** True when our kernel for `key` is the one registered now (a backend package imported later may have replaced it). */
function isActive(backendName: string, name: string): boolean {
  const entry = installed.get(`${backendName}/${name}`);
  return entry !== undefined && tf.getKernel(name, backendName)?.kernelFunc === entry.ours;
}

const dtypeOf = (values: Float32Array | Int32Array | Uint8Array): tf.DataType =>
  values instanceof Int32Array ? 'int32' : values instanceof Uint8Array ? 'bool' : 'float32';

function readers(storage: (info: TensorInfo) => unknown): Readers {
  const read = ((info: TensorInfo) => {
    const values = storage(info);
    return values instanceof Float32Array ? values : undefined;
  }) as Readers;
  read.int32 = (info) => {
    const values = storage(info);
    return values instanceof Int32Array ? values : undefined;
  };
  read.any = (info) => {
    const values = storage(info);
    return values instanceof Float32Array || values instanceof Int32Array || (values instanceof Uint8Array && info.dtype === 'bool') ? values : undefined;
  };
  return read;
}

function cpuKernel(name: string, fast: FastPath, stock: KernelConfig | null): KernelFunc {
  return (args) => {
    const backend = args.backend as CpuBackendLike;
    const read = readers((info) => backend.data.get(info.dataId).values);
    const result = fast(args.inputs as Record<string, TensorInfo>, (args.attrs ?? {}) as Attrs, read);
    const make = (output: Output) => ('made' in output ? output.made : backend.makeTensorInfo(output.shape, dtypeOf(output.values), output.values));
    if (result) return Array.isArray(result) ? result.map(make) : make(result);
    if (!stock) throw new Error(`TensorZoo ${name} (cpu): unsupported arguments and no stock kernel to fall back to.`);
    return stock.kernelFunc(args);
  };
}

function wasmKernel(name: string, fast: FastPath, stock: KernelConfig | null): KernelFunc {
  return (args) => {
    const backend = args.backend as WasmBackendLike;
    // Heap views go stale when the heap grows, so they are read before the output is allocated.
    const read = readers((info) => backend.typedArrayFromHeap(info));
    const memory = backend.wasm?.asm?.memory;
    if (memory instanceof WebAssembly.Memory) {
      const address = (info: TensorInfo) => (backend.typedArrayFromHeap(info) as Float32Array).byteOffset;
      read.heap = {
        memory,
        address,
        allocate(shape) {
          const made = backend.makeOutput(shape, 'float32');
          return { made, address: address(made) };
        },
        release: (made) => backend.disposeData(made.dataId),
      };
    }
    const result = fast(args.inputs as Record<string, TensorInfo>, (args.attrs ?? {}) as Attrs, read);
    const make = (output: Output) => {
      if ('made' in output) return output.made;
      const made = backend.makeOutput(output.shape, dtypeOf(output.values));
      (backend.typedArrayFromHeap(made) as Float32Array | Int32Array | Uint8Array).set(output.values);
      return made;
    };
    if (result) return Array.isArray(result) ? result.map(make) : make(result);
    if (!stock) {
      throw new Error(`TensorZoo ${name} (wasm): these arguments (dtypes ${Object.values(args.inputs).map((info) => info?.dtype).join(', ')}) are not supported, and the wasm backend has no ${name} kernel of its own.`);
    }
    return stock.kernelFunc(args);
  };
}

/**
 * The Adam / AdamW step as the WebAssembly SIMD loop (simd-elementwise.ts) where it applies:
 * both moments present (not the first step), no AMSGrad, no coupled L2 term. On `wasm` it
 * runs on the tensors in the backend's heap; on `cpu` through a memory of its own.
 */
function adamSimd(inputs: Record<string, TensorInfo>, arrays: AdamUpdateArrays, settings: AdamUpdateSettings, read: Readers): Output[] | undefined {
  const { expAvg, expAvgSq } = arrays;
  if (!expAvg || !expAvgSq || settings.amsgrad || (!settings.decoupled && settings.weightDecay !== 0)) return undefined;
  const scalars = adamScalars(settings);
  const { shape } = inputs.parameter;
  if (!read.heap) {
    const result = adamArrays({ parameter: arrays.parameter, gradient: arrays.gradient, expAvg, expAvgSq }, scalars);
    return result && [result.parameter, result.expAvg, result.expAvgSq].map((values) => ({ shape, values }));
  }
  const { memory, address, allocate } = read.heap;
  const adam = adamOn(memory);
  if (!adam) return undefined;
  // Sizes and addresses first: allocating the outputs may grow the heap, which detaches the
  // views in `arrays` (their length then reads 0).
  const count = arrays.parameter.length;
  const at = { parameter: address(inputs.parameter), gradient: address(inputs.gradient), expAvg: address(inputs.expAvg), expAvgSq: address(inputs.expAvgSq) };
  const [outParameter, outExpAvg, outExpAvgSq] = [allocate(shape), allocate(shape), allocate(shape)];
  adamInMemory(adam, memory, { ...at, outParameter: outParameter.address, outExpAvg: outExpAvg.address, outExpAvgSq: outExpAvgSq.address, count }, scalars);
  return [{ made: outParameter.made }, { made: outExpAvg.made }, { made: outExpAvgSq.made }];
}

/**
 * Float32 views of `inputs` (`undefined` stays `undefined`) and of new output tensors of
 * `shapes`, all in wasm's heap: addresses first, then the allocations (which may grow the
 * heap), then the views, so none is stale.
 */
function inHeap(heap: Heap, inputs: Array<TensorInfo | undefined>, shapes: number[][]): { inputs: Array<Float32Array | undefined>; outputs: Float32Array[]; made: Output[] } {
  const addresses = inputs.map((info) => info && { address: heap.address(info), size: tf.util.sizeFromShape(info.shape) });
  const outputs = shapes.map((shape) => ({ ...heap.allocate(shape), size: tf.util.sizeFromShape(shape) }));
  const view = (at: { address: number; size: number }) => new Float32Array(heap.memory.buffer, at.address, at.size);
  return { inputs: addresses.map((at) => at && view(at)), outputs: outputs.map(view), made: outputs.map((out) => ({ made: out.made })) };
}

/** A transposed `A` read in place on wasm's heap is taken this deep at a time (see linearInHeap). */
const IN_PLACE_MAX_DEPTH = 128;

/**
 * A `Linear` layer's forward product (`y`, bias added) or one of its gradient products (`dx`,
 * `dweight`) on wasm's heap (heap-gemm.ts): operands read in place, the output written in
 * place. `undefined` (the copying path then runs) where the sizes do not fit the product's
 * 4 x 8 tiles, without SIMD, or with worker threads. Bit for bit the copying path.
 */
function linearInHeap(
  heap: Heap,
  output: 'y' | 'dx' | 'dweight',
  inputs: { x: TensorInfo; weight: TensorInfo; bias?: TensorInfo; dy?: TensorInfo },
  rows: number,
  inFeatures: number,
  outFeatures: number,
): Output | undefined {
  if (rows === 0 || inFeatures === 0 || outFeatures === 0) return undefined;
  const gemm = heapGemmOn(heap.memory);
  if (!gemm) return undefined;
  const { x, weight, bias, dy } = inputs;
  const [xAt, weightAt] = [heap.address(x), heap.address(weight)];
  if (output === 'y') {
    // y = x·Wᵀ: B(k, j) = W[j, k]. Few rows: Cᵀ = W·xᵀ (W in place), as matmul.ts chooses.
    const shape = { rows, columns: outFeatures, depth: inFeatures, a: xAt, aRowStride: inFeatures * 4, aDepthStride: 4, b: weightAt, bRow: 1, bColumn: inFeatures };
    const swap = rows <= 256 && outFeatures >= 2 * rows;
    if (swap ? outFeatures % 4 !== 0 : rows % 4 !== 0 || outFeatures % PANEL !== 0) return undefined;
    const biasAt = bias && heap.address(bias);
    const y = heap.allocate([...x.shape.slice(0, -1), outFeatures]);
    (swap ? heapProductOfTransposes : heapProduct)(gemm, heap, shape, y.address);
    if (biasAt !== undefined) {
      const rowBytes = outFeatures * 4;
      if (outFeatures % 4 === 0) for (let row = 0; row < rows; row++) gemm.accumulate(y.address + row * rowBytes, biasAt, rowBytes);
      else {
        const floats = new Float32Array(heap.memory.buffer);
        for (let row = 0; row < rows; row++) for (let j = 0; j < outFeatures; j++) floats[(y.address + row * rowBytes) / 4 + j] += floats[biasAt / 4 + j];
      }
    }
    return { made: y.made };
  }
  const dyAt = heap.address(dy!);
  if (output === 'dx') {
    // dx = dy·W: A = dy [rows, out], B = W [out, in].
    if (rows % 4 !== 0 || inFeatures % PANEL !== 0) return undefined;
    const dx = heap.allocate(x.shape);
    heapProduct(gemm, heap, { rows, columns: inFeatures, depth: outFeatures, a: dyAt, aRowStride: outFeatures * 4, aDepthStride: 4, b: weightAt, bRow: inFeatures, bColumn: 1 }, dx.address);
    return { made: dx.made };
  }
  // dweight = dyᵀ·x: A(i, k) = dy[k, i], read transposed in place, B = x [rows, in]. The depth
  // (rows) goes in parts of IN_PLACE_MAX_DEPTH, so a 4-row tile of A spans few enough cache
  // lines to stay in L1; each part adds into dweight (exactly: the sums are float32 anyway).
  if (outFeatures % 4 !== 0 || inFeatures % PANEL !== 0) return undefined;
  const dweight = heap.allocate(weight.shape);
  const packed = heap.allocate([packedSize(inFeatures, Math.min(rows, IN_PLACE_MAX_DEPTH))]);
  for (let first = 0; first < rows; first += IN_PLACE_MAX_DEPTH) {
    const depth = Math.min(IN_PLACE_MAX_DEPTH, rows - first);
    const part = { rows: outFeatures, columns: inFeatures, depth, a: dyAt + first * outFeatures * 4, aRowStride: 4, aDepthStride: outFeatures * 4, b: xAt + first * inFeatures * 4, bRow: inFeatures, bColumn: 1 };
    heapProduct(gemm, heap, part, dweight.address, packed.address, first > 0);
  }
  heap.release(packed.made);
  return { made: dweight.made };
}

/**
 * The SGD step on `wasm` as the WebAssembly SIMD loop (simd-elementwise.ts) over the tensors in
 * the backend's heap, the elements past the last multiple of 4 by `sgdUpdateArrays`; bit for
 * bit the composite ops. `undefined` where the loop cannot run on that heap.
 */
function sgdInHeap(heap: Heap, inputs: { parameter: TensorInfo; gradient: TensorInfo; momentumBuffer?: TensorInfo }, settings: SgdUpdateSettings): Output[] | undefined {
  const withMomentum = settings.momentum !== 0;
  const flags = { decay: settings.weightDecay !== 0, momentum: withMomentum, buffer: withMomentum && inputs.momentumBuffer !== undefined, nesterov: withMomentum && settings.nesterov };
  const sgd = sgdOn(heap.memory, flags);
  if (!sgd) return undefined;
  const { shape } = inputs.parameter;
  const count = shape.reduce((product, dim) => product * dim, 1);
  const at = { parameter: heap.address(inputs.parameter), gradient: heap.address(inputs.gradient), buffer: inputs.momentumBuffer ? heap.address(inputs.momentumBuffer) : 0 };
  const outParameter = heap.allocate(shape);
  const outBuffer = withMomentum ? heap.allocate(shape) : undefined;
  const f = Math.fround;
  const vectorCount = count & ~3;
  sgd(at.parameter, at.gradient, at.buffer, outParameter.address, outBuffer?.address ?? 0, vectorCount * 4, f(settings.weightDecay), f(settings.momentum), f(1 - settings.dampening), f(settings.lr));
  if (vectorCount < count) {
    const view = (address: number) => new Float32Array(heap.memory.buffer, address + vectorCount * 4, count - vectorCount);
    sgdUpdateArrays(view(at.parameter), view(at.gradient), inputs.momentumBuffer ? view(at.buffer) : undefined, settings, view(outParameter.address), outBuffer && view(outBuffer.address));
  }
  return outBuffer ? [{ made: outParameter.made }, { made: outBuffer.made }] : [{ made: outParameter.made }];
}

/**
 * Runs a kernel's setup on its backend if that backend is initialised (the engine runs setups
 * only when a backend is selected; a kernel registered afterwards would otherwise stay unbound).
 */
function setUp(kernel: KernelConfig | null, backendName: string): void {
  if (!kernel?.setupFunc) return;
  const backend = tf.engine().registry[backendName]; // not findBackend: that would initialise it
  if (backend) kernel.setupFunc(backend);
}

/**
 * Registers TensorZoo's fast kernels for a backend (`cpu`: matrix products, convolution and
 * both its gradients, max pooling and its gradient, `Sum`, `Mean`, the float32 element-wise
 * `Add`/`Sub`/`Multiply`/`RealDiv`/`Neg`/`Exp`/`Erf`/`Relu`/`Step`, `Softmax`, `Tile`, `Transpose`,
 * `UnsortedSegmentSum`, the fused Adam update, LayerNorm and GELU; `wasm`: the missing `Conv2DBackpropFilter`
 * and `UnsortedSegmentSum`, the fused Adam update, LayerNorm and GELU, a faster `Conv2DBackpropInput` and
 * transposed `BatchMatMul`, and a correct `MaxPoolGrad`).
 * {@link setBackend} calls it for you; call it yourself only after `tf.setBackend`.
 * Idempotent.
 *
 * @param backendName default: the active backend.
 * @returns the kernel names now provided by TensorZoo for that backend (empty for others).
 * @example
 * ```ts
 * await tf.setBackend('cpu');
 * installFastKernels(); // ['BatchMatMul', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', ...]
 * ```
 */
export function installFastKernels(backendName: string = tf.getBackend()): string[] {
  const names = KERNELS_BY_BACKEND[backendName] ?? [];
  // The fused Linear's gradient (per input, lazily): one entry for every backend, used only
  // where the kernel itself is registered.
  if (names.includes(LINEAR_KERNEL) && tf.getGradient(LINEAR_KERNEL) === undefined) tf.registerGradient(LINEAR_GRADIENT);
  // ReLU's gradient as one kernel where registered (tfjs's composite elsewhere: relu.ts).
  if (names.includes(RELU_GRAD_KERNEL) && tf.getGradient('Relu') !== RELU_GRADIENT) tf.registerGradient(RELU_GRADIENT);
  if (names.includes(LEAKY_RELU_GRAD_KERNEL) && tf.getGradient('LeakyRelu') !== LEAKY_RELU_GRADIENT) tf.registerGradient(LEAKY_RELU_GRADIENT);
  for (const name of names) {
    if (isActive(backendName, name)) continue;
    const stock = tf.getKernel(name, backendName) ?? null;
    const wrapper = WRAPPERS[backendName]?.[name];
    if (wrapper && !stock) continue; // nothing to wrap
    if (stock) tf.unregisterKernel(name, backendName);
    const ours = wrapper
      ? wrapper(stock!)
      : backendName === 'webgpu' ? WEBGPU_KERNELS[name] : (backendName === 'cpu' ? cpuKernel : wasmKernel)(name, FAST_PATHS[name], stock);
    // The stock kernel's setup (wasm: binding its C function) must still run, as ours falls back to it.
    tf.registerKernel({ kernelName: name, backendName, kernelFunc: ours, setupFunc: stock?.setupFunc, disposeFunc: stock?.disposeFunc });
    setUp(stock, backendName);
    installed.set(`${backendName}/${name}`, { stock, ours });
  }
  return [...names];
}

/**
 * Puts tfjs's own kernels back (for comparisons and benchmarks); `installFastKernels`
 * re-installs ours.
 * @param backendName default: every backend we changed.
 * @example
 * ```ts
 * restoreStockKernels('cpu'); // tfjs's Conv2D etc. again
 * ```
 */
export function restoreStockKernels(backendName?: string): void {
  for (const [key, { stock }] of [...installed]) {
    const [backend, name] = key.split('/');
    if (backendName !== undefined && backend !== backendName) continue;
    if (isActive(backend, name)) {
      tf.unregisterKernel(name, backend);
      if (stock) {
        tf.registerKernel(stock);
        setUp(stock, backend);
      }
    }
    installed.delete(key);
  }
}

/**
 * The kernels TensorZoo currently provides for a backend (see {@link installFastKernels}).
 * @param backendName default: the active backend.
 */
export function fastKernelsInstalled(backendName: string = tf.getBackend()): string[] {
  return (KERNELS_BY_BACKEND[backendName] ?? []).filter((name) => isActive(backendName, name));
}
