/**
 * `TensorZooGelu` and `TensorZooGeluGrad` on `webgpu` (inputs and outputs as the cpu kernels,
 * `kernels/gelu.ts`): forward 2 dispatches (`y` and the derivative, each one pass over `x`),
 * gradient 1 (`dy·derivative`), instead of the composite's ~5 forward and ~8 backward.
 *
 * `erf` is tfjs's approximation (Abramowitz and Stegun 7.1.26 with `backend_util.ERF_*`, what
 * every tfjs backend's `Erf` computes), in float32:
 *
 * ```text
 * y  = 0.5·x·(1 + erf(x/√2))
 * y' = 0.5·(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π)
 * ```
 * @packageDocumentation
 */
import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { elementwiseProgram, sizeOf, view, type WebGPUBackendShape } from './program';

/** WGSL literal of a float (always with a decimal point or exponent). */
const literal = (value: number) => {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
};

/** `cdfAndDensity(x)`: `(0.5·(1 + erf(x/√2)), x·exp(−x²/2)/√(2π))`. */
const GELU_HELPERS = /* @__PURE__ */ (() => {
  const { ERF_P, ERF_A1, ERF_A2, ERF_A3, ERF_A4, ERF_A5 } = backend_util;
  return `
  fn cdfAndDensity(value : f32) -> vec2<f32> {
    let u = value * ${literal(Math.SQRT1_2)};
    let gaussian = exp(-u * u);
    let t = 1.0 / (1.0 + ${literal(ERF_P)} * abs(u));
    let erf = sign(u) * (1.0 - (((((${literal(ERF_A5)} * t + ${literal(ERF_A4)}) * t) + ${literal(ERF_A3)}) * t + ${literal(ERF_A2)}) * t + ${literal(ERF_A1)}) * t * gaussian);
    return vec2<f32>(0.5 * (1.0 + erf), value * gaussian * ${literal(1 / Math.sqrt(2 * Math.PI))});
  }`;
})();

/** `y` (`derivative` false) or `dy/dx` of every element. */
function geluProgram(size: number, derivative: boolean) {
  return elementwiseProgram({
    key: `tensorzooGelu_${derivative}`,
    size,
    variableNames: ['x'],
    helpers: GELU_HELPERS,
    body: `
      let value = x[index];
      let parts = cdfAndDensity(value);
      result[index] = ${derivative ? 'parts.x + parts.y' : 'value * parts.x'};`,
  });
}

/** The `webgpu` kernel function of `TensorZooGelu`. @internal */
export const geluWebGPU: KernelFunc = ({ inputs, backend }) => {
  const gpu = backend as unknown as WebGPUBackendShape;
  const { x } = inputs as { x: TensorInfo };
  const size = sizeOf(x.shape);
  const flat = view(x, [size]);
  const y = gpu.runWebGPUProgram(geluProgram(size, false), [flat], 'float32');
  const derivative = gpu.runWebGPUProgram(geluProgram(size, true), [flat], 'float32');
  return [view(y, x.shape), view(derivative, x.shape)];
};

/** The `webgpu` kernel function of `TensorZooGeluGrad`. @internal */
export const geluGradWebGPU: KernelFunc = ({ inputs, backend }) => {
  const gpu = backend as unknown as WebGPUBackendShape;
  const { dy, derivative } = inputs as { dy: TensorInfo; derivative: TensorInfo };
  const size = sizeOf(dy.shape);
  const program = elementwiseProgram({ key: 'tensorzooGeluGrad', size, variableNames: ['dy', 'derivative'], body: 'result[index] = dy[index] * derivative[index];' });
  return view(gpu.runWebGPUProgram(program, [view(dy, [size]), view(derivative, [size])], 'float32'), dy.shape);
};
