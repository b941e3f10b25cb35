/**
 * What TensorZoo's WGSL programs need from `@tensorflow/tfjs-backend-webgpu`, written as
 * structural types (the package is an optional peer dependency loaded lazily: nothing here
 * imports it), and the two program shapes they all use:
 *
 * - {@link elementwiseProgram}: one invocation per element of a flat `[size]` output;
 * - {@link rowProgram}: one workgroup per row of a `[rows, columns]` view, for reductions
 *   along a row (or a column) with {@link WORKGROUP_SUM}.
 *
 * A tfjs-webgpu program has exactly one output (binding 0), its inputs at bindings 1..n and one
 * uniform buffer; `runWebGPUProgram` writes the shapes of every input and of the output into
 * the uniforms (`uniforms.outShape`, `uniforms.<name>Shape`), then ours (`uniforms` string).
 * Every kernel here runs on flat views (`[size]` or `[rows, columns]`), so any rank works.
 * @packageDocumentation
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The fields of tfjs-backend-webgpu's `WebGPUProgram` that a compute program sets. @internal */
export interface WebGPUProgramShape {
  outputShape: number[];
  /** Must change whenever `getUserCode` does (the backend adds shapes and dtypes to it). */
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  /** The inputs' names in WGSL (storage arrays at bindings 1..n), in `inputs` order. */
  variableNames: string[];
  workgroupSize: [number, number, number];
  /** Adds `uniforms.size` (the output's element count). */
  size?: boolean;
  /** Extra uniform fields (`'eps : f32, columns : i32,'`), filled from `runWebGPUProgram`'s uniform data in order. */
  uniforms?: string;
  getUserCode(): string;
}

/** One program-defined uniform value, as `runWebGPUProgram` takes them. @internal */
export interface ProgramUniform {
  type: 'float32' | 'int32';
  data: number[];
}

/** The methods of tfjs-backend-webgpu's `WebGPUBackend` these kernels call. @internal */
export interface WebGPUBackendShape {
  runWebGPUProgram(program: WebGPUProgramShape, inputs: TensorInfo[], outputDtype: DataType, uniforms?: ProgramUniform[]): TensorInfo;
}

/** Invocations per workgroup of every program here (a power of two, as {@link WORKGROUP_SUM} needs). */
export const WORKGROUP_SIZE = 64;

/** `info` viewed with another shape of the same size (no copy: the same data). @internal */
export function view(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Element count of a shape. */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((total, dim) => total * dim, 1);

/**
 * A program with one invocation per output element over flat `[size]` views: `body` assigns
 * `result[index]` from the inputs (arrays named as in `variableNames`, read as `name[index]`).
 * @internal
 */
export function elementwiseProgram(options: { key: string; size: number; variableNames: string[]; uniforms?: string; helpers?: string; body: string }): WebGPUProgramShape {
  return {
    outputShape: [options.size],
    shaderKey: options.key,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(options.size / WORKGROUP_SIZE), 1, 1],
    variableNames: options.variableNames,
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    size: true,
    uniforms: options.uniforms,
    getUserCode: () => `
      ${options.helpers ?? ''}
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${options.body}
        }
      }`,
  };
}

/**
 * `workgroupSum(tid, value)`: the sum of `value` over the workgroup's invocations, returned to
 * all of them (a tree in workgroup memory). Call it from uniform control flow only (it has
 * barriers); a workgroup of invocations with nothing to add passes 0.
 */
export const WORKGROUP_SUM = `
  var<workgroup> partialSums : array<f32, ${WORKGROUP_SIZE}>;
  fn workgroupSum(tid : i32, value : f32) -> f32 {
    partialSums[tid] = value;
    workgroupBarrier();
    for (var stride = ${WORKGROUP_SIZE / 2}; stride > 0; stride = stride / 2) {
      if (tid < stride) {
        partialSums[tid] = partialSums[tid] + partialSums[tid + stride];
      }
      workgroupBarrier();
    }
    let total = partialSums[0];
    workgroupBarrier(); // everyone has read the total before the next call overwrites it
    return total;
  }`;

/**
 * A program with one workgroup per `line` (a row or a column of a `[rows, columns]` view):
 * `body` runs in every invocation with `line` (the workgroup's line, `valid` false for the
 * surplus workgroups of a reshaped dispatch), `tid` (0..{@link WORKGROUP_SIZE}-1) and may call
 * `workgroupSum`. Its output has `outputShape`; write it with `result[i] = ...` under `valid`.
 * @internal
 */
export function rowProgram(options: {
  key: string;
  lines: number;
  outputShape: number[];
  variableNames: string[];
  uniforms?: string;
  body: string;
}): WebGPUProgramShape {
  return {
    outputShape: options.outputShape,
    shaderKey: options.key,
    // Flat: the backend reshapes a dispatch over 65,535 workgroups into 2-D and getGlobalIndex()
    // (our `index`) still counts invocations in order, WORKGROUP_SIZE per workgroup.
    dispatchLayout: { x: options.outputShape.map((_, axis) => axis) },
    dispatch: [options.lines, 1, 1],
    variableNames: options.variableNames,
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    uniforms: `lines : i32, ${options.uniforms ?? ''}`,
    getUserCode: () => `
      ${WORKGROUP_SUM}
      fn main(index : i32) {
        let line = index / ${WORKGROUP_SIZE};
        let tid = index - line * ${WORKGROUP_SIZE};
        let valid = line < uniforms.lines;
        ${options.body}
      }`,
  };
}
