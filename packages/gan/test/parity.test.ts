// Numbers against PyTorch (scripts/reference/gan.py -> fixtures/gan.json), tolerance 1e-4.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Module } from '@tensorzoo/core';
import {
  DCGANDiscriminator,
  DCGANGenerator,
  criticGeneratorLoss,
  gradientPenalty,
  hingeDiscriminatorLoss,
  nonSaturatingDiscriminatorLoss,
  nonSaturatingGeneratorLoss,
  wassersteinDiscriminatorLoss,
  type DCGANDiscriminatorOptions,
} from '../src/index';
import fixtureJson from '../fixtures/gan.json';
import { expectClose, fixtureTensor, loadTorchState, readFixture, type FixtureTensor } from '@tensorzoo/core/testing';

const fixture = readFixture('gan.json', fixtureJson);

const TOLERANCE = 1e-4;

interface Recorded {
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  loss_weights: FixtureTensor;
  loss: number;
  grads: Record<string, FixtureTensor>;
  buffers_after: Record<string, FixtureTensor>;
  /** Class labels of a conditional network's call. */
  labels?: number[];
}

/** Forward in training mode, loss sum(output * weights), gradients: all against torch. */
async function checkModule(module: Module<tf.Tensor, tf.Tensor, { labels?: tf.Tensor }>, recorded: Recorded): Promise<void> {
  expect(module.namedVariables().map(([name]) => name)).toEqual(Object.keys(recorded.state_dict));
  loadTorchState(module, recorded.state_dict);
  const input = fixtureTensor(recorded.input);
  const weights = fixtureTensor(recorded.loss_weights);
  const labels = recorded.labels === undefined ? undefined : tf.tensor1d(recorded.labels, 'int32');
  const options = labels === undefined ? undefined : { labels };
  const { value, grads } = tf.variableGrads(() => {
    const output = module.call(input, options);
    return tf.sum(tf.mul(output, weights)) as tf.Scalar;
  }, module.parameters());
  await expectClose(value, [recorded.loss], { tolerance: TOLERANCE, label: 'loss' });
  for (const [name, variable] of module.namedParameters()) {
    await expectClose(grads[variable.name], recorded.grads[name], { tolerance: TOLERANCE, label: `gradient of ${name}` });
  }
  // The forward pass above ran in training mode: batch-norm buffers moved like torch's.
  const buffers = Object.fromEntries(module.namedBuffers());
  for (const [name, stored] of Object.entries(recorded.buffers_after)) await expectClose(buffers[name], stored, { tolerance: TOLERANCE, label: name });
  const output = module.call(input, options); // batch norm: a second training-mode pass gives the same output
  await expectClose(output, recorded.output, { tolerance: TOLERANCE, label: 'output' });
  tf.dispose([input, weights, value, output, ...Object.values(grads), ...(labels ? [labels] : [])]);
  module.dispose();
}

describe('DCGAN networks match PyTorch', () => {
  it('generator without batch norm (seed 001 layout): output and gradients', async () => {
    await checkModule(new DCGANGenerator(fixture.generator.config), fixture.generator);
  });

  it('generator with batch norm: output, gradients and running statistics', async () => {
    await checkModule(new DCGANGenerator(fixture.generator_batch_norm.config), fixture.generator_batch_norm);
  });

  it('discriminator (stride 1, sigmoid, as seed 001): output and gradients', async () => {
    await checkModule(new DCGANDiscriminator(fixture.discriminator.config as DCGANDiscriminatorOptions), fixture.discriminator);
  });

  it('discriminator (stride 2, logits): output and gradients', async () => {
    const config = fixture.discriminator_strided_logits.config as DCGANDiscriminatorOptions;
    await checkModule(new DCGANDiscriminator(config), fixture.discriminator_strided_logits);
  });

  it('class-conditional generator (one-hot labels, batch norm): output, gradients and running statistics', async () => {
    await checkModule(new DCGANGenerator(fixture.generator_conditional.config), fixture.generator_conditional);
  });

  it('projection discriminator (logits and sigmoid): output and gradients, class vectors included', async () => {
    for (const recorded of [fixture.discriminator_projection, fixture.discriminator_projection_sigmoid]) {
      await checkModule(new DCGANDiscriminator(recorded.config as DCGANDiscriminatorOptions), recorded);
    }
  });
});

type LossCase = { value: number; grad_real: FixtureTensor; grad_fake: FixtureTensor };

describe('GAN losses match PyTorch', () => {
  const losses = fixture.losses;
  const cases: Array<[string, 'logits' | 'probabilities', LossCase, (real: tf.Tensor, fake: tf.Tensor) => tf.Scalar]> = [
    ['non-saturating L_D (probabilities, clamped logs)', 'probabilities', losses.non_saturating_discriminator_probabilities, (r, f) => nonSaturatingDiscriminatorLoss(r, f)],
    ['non-saturating L_G (probabilities)', 'probabilities', losses.non_saturating_generator_probabilities, (_r, f) => nonSaturatingGeneratorLoss(f)],
    ['non-saturating L_D (logits)', 'logits', losses.non_saturating_discriminator_logits, (r, f) => nonSaturatingDiscriminatorLoss(r, f, { fromLogits: true })],
    ['non-saturating L_G (logits)', 'logits', losses.non_saturating_generator_logits, (_r, f) => nonSaturatingGeneratorLoss(f, { fromLogits: true })],
    ['hinge L_D', 'logits', losses.hinge_discriminator, hingeDiscriminatorLoss],
    ['hinge / Wasserstein L_G', 'logits', losses.hinge_generator, (_r, f) => criticGeneratorLoss(f)],
    ['Wasserstein L_D', 'logits', losses.wasserstein_discriminator, wassersteinDiscriminatorLoss],
  ];
  for (const [name, kind, expected, loss] of cases) {
    it(`${name}: value and gradients`, async () => {
      const real = fixtureTensor(losses[kind].real);
      const fake = fixtureTensor(losses[kind].fake);
      // Generator losses do not use the real scores (torch: gradient None, stored as zeros).
      const usesReal = expected.grad_real.data.some((g) => g !== 0);
      const { value, grads } = usesReal
        ? tf.valueAndGrads((r: tf.Tensor, f: tf.Tensor) => loss(r, f))([real, fake])
        : tf.valueAndGrads((f: tf.Tensor) => loss(real, f))([fake]);
      await expectClose(value, [expected.value], { tolerance: TOLERANCE, label: 'value' });
      if (usesReal) await expectClose(grads[0], expected.grad_real, { tolerance: TOLERANCE, label: 'gradient wrt real scores' });
      await expectClose(grads[grads.length - 1], expected.grad_fake, { tolerance: TOLERANCE, label: 'gradient wrt fake scores' });
      tf.dispose([real, fake, value, ...grads]);
    });
  }
});

describe('WGAN-GP gradient penalty matches PyTorch (second-order gradients)', () => {
  it('penalty value and its gradient with respect to the critic parameters', async () => {
    const recorded = fixture.gradient_penalty;
    const critic = new DCGANDiscriminator(recorded.config as DCGANDiscriminatorOptions);
    loadTorchState(critic, recorded.state_dict);
    const [real, fake, epsilon] = [fixtureTensor(recorded.real), fixtureTensor(recorded.fake), fixtureTensor(recorded.epsilon)];
    const { value, grads } = tf.variableGrads(() => gradientPenalty(critic, real, fake, epsilon), critic.parameters());
    await expectClose(value, [recorded.penalty], { tolerance: TOLERANCE, label: 'penalty' });
    for (const [name, variable] of critic.namedParameters()) {
      const expected = (recorded.grads as Record<string, FixtureTensor>)[name];
      // Biases do not change the input gradient: tfjs returns no gradient, torch None (stored as zeros).
      if (grads[variable.name] === undefined) expect(expected.data.every((g) => g === 0), name).toBe(true);
      else await expectClose(grads[variable.name], expected, { tolerance: TOLERANCE, label: `penalty gradient of ${name}` });
    }
    expect(Object.keys(grads).length).toBeGreaterThan(0);
    tf.dispose([real, fake, epsilon, value, ...Object.values(grads)]);
    critic.dispose();
  });
});
