import * as tf from '@tensorflow/tfjs-core';
import { ones, zeros } from '../init';
import { fusedLayerNorm } from '../kernels/layer-norm';
import { Module, parameter } from '../module';
import { Generator } from '../rng';
import { assertInRange, assertInteger, assertShape } from '../shape';

/**
 * Layer normalisation over the last dimension (PyTorch `nn.LayerNorm(normalizedShape)`):
 * `(x - mean) / sqrt(var + eps) * weight + bias`, biased variance.
 */
export class LayerNorm extends Module {
  static override readonly moduleName: string = 'LayerNorm';
  readonly normalizedShape: number;
  readonly eps: number;
  /** `[normalizedShape]`, initialised to ones. */
  weight?: tf.Variable;
  /** `[normalizedShape]`, initialised to zeros. */
  bias?: tf.Variable;

  constructor(normalizedShape: number, options: { eps?: number; elementwiseAffine?: boolean } = {}) {
    super();
    this.normalizedShape = assertInteger('LayerNorm', 'normalizedShape', normalizedShape);
    this.eps = assertInRange('LayerNorm', 'eps', options.eps ?? 1e-5, 0, 1);
    if (options.elementwiseAffine ?? true) {
      const unused = new Generator(0); // deterministic initializers ignore it
      this.weight = parameter(ones([normalizedShape], unused));
      this.bias = parameter(zeros([normalizedShape], unused));
    }
  }

  /** The constructor arguments, `{ normalizedShape, eps, elementwiseAffine }`. */
  getConfig(): { normalizedShape: number; eps: number; elementwiseAffine: boolean } {
    return { normalizedShape: this.normalizedShape, eps: this.eps, elementwiseAffine: this.weight !== undefined };
  }

  /** Builds a LayerNorm from {@link LayerNorm.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: { normalizedShape: number; eps?: number; elementwiseAffine?: boolean }): LayerNorm {
    return new LayerNorm(config.normalizedShape, { eps: config.eps, elementwiseAffine: config.elementwiseAffine });
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, ['...', this.normalizedShape], 'float32');
    // cpu and wasm: one fused kernel forward and one backward (installFastKernels).
    const fused = fusedLayerNorm(input, this.eps, this.weight, this.bias);
    if (fused) return fused;
    const { mean, variance } = tf.moments(input, -1, true);
    let output = tf.div(tf.sub(input, mean), tf.sqrt(tf.add(variance, this.eps)));
    if (this.weight && this.bias) output = tf.add(tf.mul(output, this.weight), this.bias);
    return output;
  }
}
