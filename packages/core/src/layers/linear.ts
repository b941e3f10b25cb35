import * as tf from '@tensorflow/tfjs-core';
import { resolveGenerator, torchDefaultBias, torchDefaultWeight, type Initializer } from '../init';
import { Module, parameter } from '../module';
import type { Generator } from '../rng';
import { assertInteger, assertShape } from '../shape';
import { fusedLinear } from '../kernels/linear';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a learned bias. Default `true`. */
  bias?: boolean;
  /** Randomness for initialisation: a Generator, a seed, or the default generator. */
  rng?: Generator | number;
  /** Weight initializer (`[out, in]` layout). Default: PyTorch's (U(±1/sqrt(in))). */
  weightInit?: Initializer;
  /** Bias initializer. Default: PyTorch's (U(±1/sqrt(in))). */
  biasInit?: Initializer;
}

/**
 * Fully connected layer `y = x Wᵀ + b` (PyTorch `nn.Linear`, Keras `Dense`).
 *
 * `weight` is stored `[outFeatures, inFeatures]`, exactly as PyTorch stores it, so
 * `state_dict`s move both ways without transposes.
 *
 * Input `[..., inFeatures]` float32 -> output `[..., outFeatures]`.
 * @example
 * ```ts
 * const layer = new Linear(3, 2, { rng: 1 });
 * layer.call(tf.ones([4, 3])).shape; // [4, 2]
 * ```
 */
export class Linear extends Module {
  static override readonly moduleName: string = 'Linear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]` */
  weight: tf.Variable;
  /** `[outFeatures]`, or absent when `bias: false`. */
  bias?: tf.Variable;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = assertInteger('Linear', 'inFeatures', inFeatures);
    this.outFeatures = assertInteger('Linear', 'outFeatures', outFeatures);
    const rng = resolveGenerator(options.rng);
    this.weight = parameter((options.weightInit ?? torchDefaultWeight)([outFeatures, inFeatures], rng));
    if (options.bias ?? true) {
      this.bias = parameter((options.biasInit ?? torchDefaultBias(inFeatures))([outFeatures], rng));
    }
  }

  /** The constructor arguments, `{ inFeatures, outFeatures, bias }` (no rng or initializers). */
  getConfig(): { inFeatures: number; outFeatures: number; bias: boolean } {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== undefined };
  }

  /** Builds a Linear layer (fresh random weights) from {@link Linear.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { inFeatures: number; outFeatures: number; bias?: boolean }): Linear {
    return new Linear(config.inFeatures, config.outFeatures, { bias: config.bias });
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, ['...', this.inFeatures], 'float32');
    return affine(input, this.weight, this.bias);
  }
}

/**
 * The affine map of a {@link Linear} layer as a function (PyTorch `F.linear`):
 * `input·weightᵀ + bias` over the last axis, for `input` `[..., in]`, `weight` `[out, in]`
 * and an optional `bias` `[out]` -> `[..., out]`. For weights that are not a Linear's: a
 * packed attention projection, a language-model head tied to the token embedding.
 *
 * On `cpu` and `wasm` it is one kernel forward and one backward (`TensorZooLinear`,
 * `TensorZooLinearGrad`, installed by `installFastKernels`); elsewhere `matMul` + `add`.
 * @throws ShapeError when the shapes or dtypes do not fit, naming what was expected and received.
 * @example
 * ```ts
 * const logits = linear(hidden, embedding.weight); // [B, T, E] x [V, E] -> [B, T, V]
 * ```
 */
export function linear(input: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  assertShape('linear', 'weight', weight, [null, null], 'float32');
  const [outFeatures, inFeatures] = weight.shape;
  assertShape('linear', 'input', input, ['...', inFeatures], 'float32');
  if (bias !== undefined) assertShape('linear', 'bias', bias, [outFeatures], 'float32');
  return affine(input, weight, bias);
}

/** `input·weightᵀ + bias`, checked by the caller: the fused kernels where registered, else the composite ops. */
function affine(input: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor {
  const fused = fusedLinear(input, weight, bias); // cpu and wasm (kernels/linear.ts)
  if (fused) return fused;
  const [outFeatures, inFeatures] = weight.shape;
  const leading = input.shape.slice(0, -1);
  const flat = input.reshape([-1, inFeatures]); // [N, in]
  // transposeB, no Transpose launch: the cpu GEMM reads the [out, in] weight in place, and
  // TensorZoo's wasm BatchMatMul turns tfjs-wasm's slow transposed product into a plain one.
  let output = tf.matMul(flat, weight, false, true); // [N, out]
  if (bias) output = tf.add(output, bias);
  return output.reshape([...leading, outFeatures]);
}
