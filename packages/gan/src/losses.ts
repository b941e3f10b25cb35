// GAN objectives: the non-saturating loss of seed article 001 (Goodfellow et al. 2014), the
// hinge loss (Lim & Ye 2017; Miyato et al. 2018) and WGAN-GP (Gulrajani et al. 2017).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertInRange, formatShape, type Generator, type Module } from '@tensorzoo/core';
import { binaryCrossEntropy } from '@tensorzoo/losses';

/** Options of the non-saturating loss functions. */
export interface NonSaturatingOptions {
  /**
   * The discriminator outputs logits (no final sigmoid): the logs are then computed stably
   * as `softplus`. With probabilities (default, seed 001's sigmoid output) the logs are
   * clamped to >= -100 like PyTorch's `BCELoss`, so D(x) = 0 or 1 gives a finite loss.
   * Default `false`.
   */
  fromLogits?: boolean;
}

function checkScores(where: string, name: string, scores: tf.Tensor): void {
  if (!(scores instanceof tf.Tensor) || scores.rank !== 2 || scores.shape[1] !== 1) {
    throw new ShapeError(
      'shape-mismatch',
      `${where}: ${name} expected discriminator scores of shape [N, 1], received ${scores instanceof tf.Tensor ? formatShape(scores.shape) : typeof scores}.`,
    );
  }
}

/**
 * Seed 001's discriminator loss, `L_D = -[log D(x) + log(1 - D(G(z)))]`, each term averaged
 * over its batch: equals PyTorch's `BCELoss()(D(x), 1) + BCELoss()(D(G(z)), 0)` (or
 * `BCEWithLogitsLoss` with `fromLogits`).
 *
 * @param realScores D(x) `[N, 1]` on real images.
 * @param fakeScores D(G(z)) `[M, 1]` on generated images.
 * @example
 * ```ts
 * const loss = nonSaturatingDiscriminatorLoss(discriminator.call(real), discriminator.call(fake));
 * ```
 */
export function nonSaturatingDiscriminatorLoss(realScores: tf.Tensor, fakeScores: tf.Tensor, options: NonSaturatingOptions = {}): tf.Scalar {
  checkScores('nonSaturatingDiscriminatorLoss', 'realScores', realScores);
  checkScores('nonSaturatingDiscriminatorLoss', 'fakeScores', fakeScores);
  const fromLogits = options.fromLogits ?? false;
  return tf.tidy(() => {
    const real = binaryCrossEntropy(tf.onesLike(realScores), realScores, { fromLogits }); // -mean log D(x)
    const fake = binaryCrossEntropy(tf.zerosLike(fakeScores), fakeScores, { fromLogits }); // -mean log(1 - D(G(z)))
    return tf.add(real, fake) as tf.Scalar;
  });
}

/**
 * Seed 001's generator loss, the non-saturating `L_G = -log D(G(z))`, averaged over the batch
 * (PyTorch's `BCELoss()(D(G(z)), 1)`). Its gradient stays large while D rejects the fakes,
 * unlike the minimax `log(1 - D(G(z)))`.
 *
 * @param fakeScores D(G(z)) `[N, 1]`.
 */
export function nonSaturatingGeneratorLoss(fakeScores: tf.Tensor, options: NonSaturatingOptions = {}): tf.Scalar {
  checkScores('nonSaturatingGeneratorLoss', 'fakeScores', fakeScores);
  return tf.tidy(() => binaryCrossEntropy(tf.onesLike(fakeScores), fakeScores, { fromLogits: options.fromLogits ?? false }));
}

/**
 * Hinge discriminator loss `mean(relu(1 - D(x))) + mean(relu(1 + D(G(z))))` on raw scores
 * (a discriminator with `outputActivation: 'none'`).
 */
export function hingeDiscriminatorLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  checkScores('hingeDiscriminatorLoss', 'realScores', realScores);
  checkScores('hingeDiscriminatorLoss', 'fakeScores', fakeScores);
  return tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(1, realScores))), tf.mean(tf.relu(tf.add(1, fakeScores)))) as tf.Scalar);
}

/** Generator loss of the hinge and Wasserstein GANs: `-mean(D(G(z)))` on raw scores. */
export function criticGeneratorLoss(fakeScores: tf.Tensor): tf.Scalar {
  checkScores('criticGeneratorLoss', 'fakeScores', fakeScores);
  return tf.tidy(() => tf.neg(tf.mean(fakeScores)) as tf.Scalar);
}

/** Wasserstein critic loss `mean(D(G(z))) - mean(D(x))` on raw scores (add {@link gradientPenalty}). */
export function wassersteinDiscriminatorLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  checkScores('wassersteinDiscriminatorLoss', 'realScores', realScores);
  checkScores('wassersteinDiscriminatorLoss', 'fakeScores', fakeScores);
  return tf.tidy(() => tf.sub(tf.mean(fakeScores), tf.mean(realScores)) as tf.Scalar);
}

/**
 * Makes gradients of gradients work through the ops a DCGAN discriminator uses.
 *
 * tfjs's LeakyReLU gradient computes a `Greater` mask; a second backward pass reaches that
 * mask and tfjs 4.22 registers no gradient for `Greater` ("gradient function not found for
 * Greater"). A comparison's gradient is zero, so this registers exactly that (as tfjs does
 * for `GreaterEqual`). Idempotent; called by {@link gradientPenalty}. Every other op on the
 * path (Conv2D, Conv2DBackpropInput, MatMul, Transpose, Reshape, Select, Sigmoid) already has
 * a differentiable gradient in tfjs.
 */
export function registerSecondOrderGradients(): void {
  if (tf.getGradient('Greater') === undefined) {
    tf.registerGradient({
      kernelName: 'Greater',
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [a, b] = saved;
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
}

/**
 * WGAN-GP gradient penalty (Gulrajani et al. 2017): on random mixes
 * `x̂ = ε·real + (1 - ε)·fake` (one ε ~ U[0, 1] per image),
 * `mean((‖∇x̂ D(x̂)‖₂ - 1)²)`. Differentiable with respect to the discriminator's parameters
 * (a gradient of a gradient); matches PyTorch's `autograd.grad(..., create_graph=True)`.
 * The norm is `sqrt(Σ g² + 1e-12)` so a zero gradient gives no NaN.
 *
 * @param discriminator maps `[N, ...]` images to `[N, 1]` raw scores.
 * @param real `[N, H, W, C]` real images.
 * @param fake `[N, H, W, C]` generated images (detached).
 * @param mixing a Generator to draw ε from, or ε itself as a tensor `[N]`.
 * @example
 * ```ts
 * const { value, grads } = tf.variableGrads(() =>
 *   tf.add(wassersteinDiscriminatorLoss(critic.call(real), critic.call(fake)),
 *          tf.mul(10, gradientPenalty(critic, real, fake, rng))) as tf.Scalar, critic.parameters());
 * ```
 */
export function gradientPenalty(discriminator: Module, real: tf.Tensor, fake: tf.Tensor, mixing: Generator | tf.Tensor): tf.Scalar {
  const where = 'gradientPenalty';
  if (!(real instanceof tf.Tensor) || !(fake instanceof tf.Tensor) || real.rank < 2 || formatShape(real.shape) !== formatShape(fake.shape)) {
    throw new ShapeError(
      'shape-mismatch',
      `${where}: real and fake must be tensors of the same shape [N, ...], received ${real instanceof tf.Tensor ? formatShape(real.shape) : typeof real} and ${fake instanceof tf.Tensor ? formatShape(fake.shape) : typeof fake}.`,
    );
  }
  const count = real.shape[0];
  if (mixing instanceof tf.Tensor && (mixing.rank !== 1 || mixing.shape[0] !== count)) {
    throw new ShapeError('shape-mismatch', `${where}: epsilon expected shape [${count}], received ${formatShape(mixing.shape)}.`);
  }
  registerSecondOrderGradients();
  return tf.tidy(() => {
    const epsilon = mixing instanceof tf.Tensor ? mixing : tf.tensor1d(mixing.uniformArray(count));
    const broadcast = tf.reshape(epsilon, [count, ...real.shape.slice(1).map(() => 1)]); // [N, 1, 1, 1]
    const mixed = tf.add(tf.mul(broadcast, real), tf.mul(tf.sub(1, broadcast), fake)); // [N, H, W, C]
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(discriminator.call(input)))(mixed); // [N, H, W, C]
    const squares = tf.sum(tf.square(tf.reshape(gradient, [count, -1])), 1); // [N]
    const norms = tf.sqrt(tf.add(squares, 1e-12));
    return tf.mean(tf.square(tf.sub(norms, 1))) as tf.Scalar;
  });
}

/** What a {@link GANLoss} sees in the discriminator step. */
export interface DiscriminatorLossInputs {
  /** D(x) `[N, 1]`. */
  realScores: tf.Tensor;
  /** D(G(z)) `[N, 1]`. */
  fakeScores: tf.Tensor;
  /**
   * The discriminator (for penalties on its gradients), as a function of the images alone: for
   * a class-conditional GAN it is bound to {@link DiscriminatorLossInputs.labels}.
   */
  discriminator: Module;
  /** The real batch `[N, H, W, C]`. */
  real: tf.Tensor;
  /** The generated batch `[N, H, W, C]` (no gradient to the generator). */
  fake: tf.Tensor;
  /** The trainer's generator of random numbers (e.g. WGAN-GP's mixing ε). */
  rng: Generator;
  /**
   * Class-conditional GANs only: the real batch's labels int32 `[N]`, which the generated
   * batch was drawn with too.
   */
  labels?: tf.Tensor;
}

/**
 * A GAN objective: the two losses {@link GANTrainer} minimises in turn. Implement it to add
 * your own; `scores` is what the discriminator needs to output.
 */
export interface GANLoss {
  /** Short name, e.g. `'non-saturating'`. */
  readonly name: string;
  /** `'probabilities'` (a final sigmoid) or `'logits'` (raw scores). */
  readonly scores: 'probabilities' | 'logits';
  /** The discriminator's loss; called inside `tf.variableGrads` over its parameters. */
  discriminatorLoss(inputs: DiscriminatorLossInputs): tf.Scalar;
  /** The generator's loss from D(G(z)) `[N, 1]`. */
  generatorLoss(fakeScores: tf.Tensor): tf.Scalar;
}

/**
 * Seed 001's objective: `L_D = -[log D(x) + log(1 - D(G(z)))]`, `L_G = -log D(G(z))`.
 * @example
 * ```ts
 * nonSaturatingGANLoss();                     // discriminator ends with a sigmoid (seed 001)
 * nonSaturatingGANLoss({ fromLogits: true }); // discriminator with outputActivation 'none'
 * ```
 */
export function nonSaturatingGANLoss(options: NonSaturatingOptions = {}): GANLoss {
  const fromLogits = options.fromLogits ?? false;
  return {
    name: 'non-saturating',
    scores: fromLogits ? 'logits' : 'probabilities',
    discriminatorLoss: ({ realScores, fakeScores }) => nonSaturatingDiscriminatorLoss(realScores, fakeScores, { fromLogits }),
    generatorLoss: (fakeScores) => nonSaturatingGeneratorLoss(fakeScores, { fromLogits }),
  };
}

/** Hinge objective on raw scores: {@link hingeDiscriminatorLoss} and {@link criticGeneratorLoss}. */
export function hingeGANLoss(): GANLoss {
  return {
    name: 'hinge',
    scores: 'logits',
    discriminatorLoss: ({ realScores, fakeScores }) => hingeDiscriminatorLoss(realScores, fakeScores),
    generatorLoss: criticGeneratorLoss,
  };
}

/** Options of {@link wassersteinGPLoss}. */
export interface WassersteinGPOptions {
  /** Weight λ of the gradient penalty. Default 10 (the paper's). */
  penaltyWeight?: number;
}

/**
 * WGAN-GP objective: critic loss `mean(D(G(z))) - mean(D(x)) + λ·GP`, generator loss
 * `-mean(D(G(z)))`. Use a critic without batch norm and without sigmoid, and usually
 * several critic steps per generator step (`GANTrainer`'s `discriminatorSteps: 5`) with
 * Adam `betas: [0, 0.9]`, lr 1e-4, as in the paper.
 */
export function wassersteinGPLoss(options: WassersteinGPOptions = {}): GANLoss {
  const weight = assertInRange('wassersteinGPLoss', 'penaltyWeight', options.penaltyWeight ?? 10, 0, Number.MAX_VALUE);
  return {
    name: 'wasserstein-gp',
    scores: 'logits',
    discriminatorLoss: ({ realScores, fakeScores, discriminator, real, fake, rng }) =>
      tf.tidy(() => {
        const critic = wassersteinDiscriminatorLoss(realScores, fakeScores);
        if (weight === 0) return critic;
        return tf.add(critic, tf.mul(weight, gradientPenalty(discriminator, real, fake, rng))) as tf.Scalar;
      }),
    generatorLoss: criticGeneratorLoss,
  };
}

/** Throws unless `loss` has the {@link GANLoss} shape. @internal */
export function checkGANLoss(where: string, loss: unknown): GANLoss {
  const candidate = loss as GANLoss;
  if (!candidate || typeof candidate.discriminatorLoss !== 'function' || typeof candidate.generatorLoss !== 'function') {
    throw new ArgumentError('bad-argument', `${where}: loss must be a GANLoss (e.g. nonSaturatingGANLoss()), received ${typeof loss}.`);
  }
  return candidate;
}
