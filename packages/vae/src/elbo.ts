// The VAE objective: the negative evidence lower bound (Kingma & Welling 2014, eq. 10),
// -ELBO = E_q[-log p(x | z)] + beta·KL(q(z | x) || N(0, I)), one z sample per image.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertInRange, formatShape } from '@tensorzoo/core';
import { binaryCrossEntropy } from '@tensorzoo/losses';

/** Options of {@link elbo} and {@link elboLoss}. */
export interface ElboOptions {
  /**
   * `'bce'`: Bernoulli likelihood, binary cross-entropy summed over the pixels (targets in
   * [0, 1]; logs clamped to >= -100 as PyTorch's `F.binary_cross_entropy`). `'mse'`: squared
   * error summed over the pixels (a unit-variance Gaussian up to a constant). Default `'bce'`.
   */
  reconstructionLoss?: 'bce' | 'mse';
  /** Weight of the KL term (beta-VAE, Higgins et al. 2017); 1 is the ELBO. Default 1. */
  beta?: number;
}

/**
 * The terms of the negative ELBO, each averaged over the batch (nats per image for `'bce'`).
 * A type alias (not an interface) so that it can be returned from `tf.tidy`.
 */
export type ElboTerms = {
  /** `reconstruction + beta·kl`: the loss to minimise. */
  loss: tf.Scalar;
  /** Mean over images of the summed per-pixel reconstruction loss. */
  reconstruction: tf.Scalar;
  /** Mean over images of `KL(N(mu, exp(logVar)) || N(0, I)) = ½ Σ (mu² + exp(logVar) - 1 - logVar)`. */
  kl: tf.Scalar;
};

/**
 * The negative ELBO of a VAE pass and its two terms:
 * `mean_n [ Σ_pixels ℓ(x, x̂) + beta·½ Σ_j (mu² + exp(logVar) - 1 - logVar) ]`,
 * equal to PyTorch's `F.binary_cross_entropy(x̂, x, reduction='sum') / N + beta·KL / N`
 * (the PyTorch examples' VAE loss divided by the batch size).
 *
 * @param images the input `x` `[N, ...]` (pixels in [0, 1] for `'bce'`).
 * @param output a VAE's `call` output (`reconstruction` of `x`'s shape, `mu` and `logVar` `[N, latentDim]`).
 * @example
 * ```ts
 * const { loss, reconstruction, kl } = elbo(images, vae.call(images));
 * ```
 */
export function elbo(
  images: tf.Tensor,
  output: { reconstruction: tf.Tensor; mu: tf.Tensor; logVar: tf.Tensor },
  options: ElboOptions = {},
): ElboTerms {
  const where = 'elbo';
  const { reconstruction, mu, logVar } = output ?? ({} as Record<string, undefined>);
  for (const [name, tensor] of [['images', images], ['output.reconstruction', reconstruction], ['output.mu', mu], ['output.logVar', logVar]] as const) {
    if (!(tensor instanceof tf.Tensor) || tensor.rank < 2) {
      throw new ShapeError('shape-mismatch', `${where}: ${name} must be a tensor [N, ...], received ${tensor instanceof tf.Tensor ? formatShape(tensor.shape) : typeof tensor}.`);
    }
  }
  if (formatShape(images.shape) !== formatShape(reconstruction.shape)) {
    throw new ShapeError('shape-mismatch', `${where}: output.reconstruction ${formatShape(reconstruction.shape)} must have the images' shape ${formatShape(images.shape)}.`);
  }
  if (mu.rank !== 2 || formatShape(mu.shape) !== formatShape(logVar.shape) || mu.shape[0] !== images.shape[0]) {
    throw new ShapeError('shape-mismatch', `${where}: output.mu ${formatShape(mu.shape)} and output.logVar ${formatShape(logVar.shape)} must both be [${images.shape[0]}, latentDim].`);
  }
  const kind = options.reconstructionLoss ?? 'bce';
  if (kind !== 'bce' && kind !== 'mse') {
    throw new ArgumentError('bad-argument', `${where}: reconstructionLoss (${JSON.stringify(kind)}) must be 'bce' or 'mse'.`);
  }
  const beta = assertInRange(where, 'beta', options.beta ?? 1, 0, Number.MAX_VALUE);
  return tf.tidy(() => {
    const count = images.shape[0];
    const target = tf.reshape(images, [count, -1]); // [N, D]
    const predicted = tf.reshape(reconstruction, [count, -1]); // [N, D]
    const pixels = images.size / count;
    const perImage =
      kind === 'bce'
        ? tf.mul(binaryCrossEntropy(target, predicted, { reduction: 'none' }), pixels) // per-pixel mean x D = sum, [N]
        : tf.sum(tf.square(tf.sub(predicted, target)), 1); // [N]
    const reconstructionTerm = tf.mean(perImage) as tf.Scalar;
    const klPerImage = tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(1, logVar)), 1)); // [N]
    const kl = tf.mean(klPerImage) as tf.Scalar;
    const loss = tf.add(reconstructionTerm, tf.mul(beta, kl)) as tf.Scalar;
    return { loss, reconstruction: reconstructionTerm, kl };
  });
}

/** {@link elbo}'s `loss` alone (the negative ELBO, to minimise); the other terms are disposed. */
export function elboLoss(
  images: tf.Tensor,
  output: { reconstruction: tf.Tensor; mu: tf.Tensor; logVar: tf.Tensor },
  options: ElboOptions = {},
): tf.Scalar {
  const { loss, reconstruction, kl } = elbo(images, output, options);
  tf.dispose([reconstruction, kl]);
  return loss;
}
