// Small numeric building blocks shared by the loss families. Call inside tf.tidy.
import * as tf from '@tensorflow/tfjs-core';

/** PyTorch's BCELoss clamps `log(p)` and `log(1 - p)` to at least this. @internal */
export const LOG_FLOOR = -100;

/** `tf.customGrad`'s argument type (tfjs-core does not export its name). @internal */
export type CustomGradientFunction = Parameters<typeof tf.customGrad<tf.Tensor>>[0];

/** `tensor` as float32, so integer targets work. @internal */
export function asFloat(tensor: tf.Tensor): tf.Tensor {
  return tensor.dtype === 'float32' ? tensor : tf.cast(tensor, 'float32');
}

/**
 * `max(log x, -100)`, and `-100` for `x <= 0`, as PyTorch's BCELoss. The gradient is `1 / x`
 * above the floor and 0 on it (never NaN from `0 * (1 / 0)`); NaN inputs stay NaN.
 * A custom gradient because the mask's comparison op has no gradient of its own. @internal
 */
export function clampedLog(x: tf.Tensor): tf.Tensor {
  const forward = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    const nonPositive = tf.lessEqual(input, 0);
    const logged = tf.maximum(tf.log(tf.where(nonPositive, tf.onesLike(input), input)), LOG_FLOOR);
    const value = tf.where(nonPositive, tf.fill(input.shape, LOG_FLOOR), logged);
    save([input, value]);
    const gradFunc = (dy: tf.Tensor, [savedInput, savedValue]: tf.Tensor[]): tf.Tensor =>
      tf.where(tf.greater(savedValue, LOG_FLOOR), tf.div(dy, savedInput), tf.zerosLike(dy));
    return { value, gradFunc };
  };
  return tf.customGrad(forward as CustomGradientFunction)(x);
}
