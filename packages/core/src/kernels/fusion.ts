/**
 * When the fused kernels (LayerNorm, GELU, Linear, attention, softmax cross-entropy) may run.
 * @internal
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * True when the ops about to run are recorded for a gradient that is itself differentiated
 * (a gradient penalty, a Hessian-vector product: `tf.grad` inside `tf.grad` or inside
 * `variableGrads`). The fused kernels' gradients are first-order only (tfjs does not track
 * what a `customGrad` saves), so callers use the composite ops there, whose gradients are
 * differentiable again.
 */
export function recordingHigherOrder(): boolean {
  return (tf.engine().state as { gradientDepth?: number }).gradientDepth! > 1;
}
