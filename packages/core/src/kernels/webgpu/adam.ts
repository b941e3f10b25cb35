/**
 * `TensorZooAdamUpdate` on `webgpu`: the Adam / AdamW step of one parameter (inputs, attributes
 * and outputs as the cpu kernel, `kernels/adam.ts`) as 3 WGSL dispatches, 4 with amsgrad,
 * instead of the composite's ~12-16:
 *
 * ```text
 * expAvg     m' = m·beta1 + g·(1 - beta1)            (g = gradient + weightDecay·p when coupled)
 * expAvgSq   v' = v·beta2 + g·g·(1 - beta2)
 * (amsgrad)  s  = max(vMax, v')  (NaN wins, as tf.maximum)
 * parameter  p' = p·(1 - lr·weightDecay) - lr/(1 - beta1^t) · m' / (sqrt(s)/sqrt(1 - beta2^t) + eps)
 * ```
 *
 * One dispatch per output because a tfjs-webgpu program writes one output buffer; the parameter
 * program reads the new `m'` and `s` (so the stored slots are exactly what the update used).
 * No program binds more than 4 storage buffers (WebGPU guarantees 8 per stage).
 *
 * Numerics: float32 throughout (the cpu kernel works in float64 and rounds each output once);
 * the step size and bias corrections are computed in float64 on the host and passed rounded.
 * @packageDocumentation
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { AdamUpdateSettings } from '../adam';
import { elementwiseProgram, sizeOf, view, type ProgramUniform, type WebGPUBackendShape } from './program';

const MOMENT_UNIFORMS = 'keep : f32, take : f32, l2 : f32,';

/** `m'` (`square` false) or `v'` (`square` true); `previous` absent: the slot starts at 0. */
function momentProgram(size: number, square: boolean, previous: boolean, coupled: boolean) {
  const variableNames = ['gradient', ...(coupled ? ['parameter'] : []), ...(previous ? ['moment'] : [])];
  const gradient = coupled ? 'gradient[index] + uniforms.l2 * parameter[index]' : 'gradient[index]';
  const term = square ? 'g * g * uniforms.take' : 'g * uniforms.take';
  return elementwiseProgram({
    key: `tensorzooAdamMoment_${square}_${previous}_${coupled}`,
    size,
    variableNames,
    uniforms: MOMENT_UNIFORMS,
    body: `
      let g = ${gradient};
      result[index] = ${previous ? `moment[index] * uniforms.keep + ${term}` : term};`,
  });
}

/** amsgrad's running maximum of `v'` (`previous` absent: `v'` itself). */
function maximumProgram(size: number, previous: boolean) {
  return elementwiseProgram({
    key: `tensorzooAdamMaximum_${previous}`,
    size,
    variableNames: previous ? ['secondMoment', 'maximum'] : ['secondMoment'],
    body: previous
      ? `
      let v = secondMoment[index];
      let old = maximum[index];
      result[index] = select(v, old, old > v || isnan(old));`
      : 'result[index] = secondMoment[index];',
  });
}

/** The new parameter from the new first moment and second moment (or its maximum). */
function parameterProgram(size: number, decay: boolean) {
  return elementwiseProgram({
    key: `tensorzooAdamParameter_${decay}`,
    size,
    variableNames: ['parameter', 'firstMoment', 'secondMoment'],
    uniforms: 'shrink : f32, stepSize : f32, correction2 : f32, eps : f32,',
    body: `
      let p = ${decay ? 'parameter[index] * uniforms.shrink' : 'parameter[index]'};
      result[index] = p - (uniforms.stepSize * firstMoment[index]) / (sqrt(secondMoment[index]) / uniforms.correction2 + uniforms.eps);`,
  });
}

const floats = (...values: number[]): ProgramUniform[] => values.map((value) => ({ type: 'float32', data: [value] }));

/** The `webgpu` kernel function of `TensorZooAdamUpdate`. @internal */
export const adamUpdateWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGPUBackendShape;
  const settings = attrs as unknown as AdamUpdateSettings;
  const { lr, step, beta1, beta2, eps, weightDecay, decoupled, amsgrad } = settings;
  const named = inputs as Record<string, TensorInfo | undefined>;
  const parameter = named.parameter!;
  const size = sizeOf(parameter.shape);
  const flat = (info: TensorInfo | undefined) => info && view(info, [size]);
  const [p, g, m, v, vMax] = [named.parameter, named.gradient, named.expAvg, named.expAvgSq, named.maxExpAvgSq].map(flat);
  const coupled = !decoupled && weightDecay !== 0;
  const decay = decoupled && weightDecay !== 0;
  const run = (program: ReturnType<typeof elementwiseProgram>, tensors: Array<TensorInfo | undefined>, uniforms?: ProgramUniform[]) =>
    gpu.runWebGPUProgram(program, tensors.filter((info): info is TensorInfo => info !== undefined), 'float32', uniforms);

  const expAvg = run(momentProgram(size, false, m !== undefined, coupled), [g, coupled ? p : undefined, m], floats(beta1, 1 - beta1, weightDecay));
  const expAvgSq = run(momentProgram(size, true, v !== undefined, coupled), [g, coupled ? p : undefined, v], floats(beta2, 1 - beta2, weightDecay));
  const maximum = amsgrad ? run(maximumProgram(size, vMax !== undefined), [expAvgSq, vMax]) : undefined;
  const next = run(parameterProgram(size, decay), [p, expAvg, maximum ?? expAvgSq], floats(1 - lr * weightDecay, lr / (1 - beta1 ** step), Math.sqrt(1 - beta2 ** step), eps));
  const shaped = (info: TensorInfo) => view(info, parameter.shape);
  return [next, expAvg, expAvgSq, ...(maximum ? [maximum] : [])].map(shaped);
};
