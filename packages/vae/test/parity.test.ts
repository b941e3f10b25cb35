// Numbers against PyTorch (scripts/reference/vae.py -> fixtures/vae.json), tolerance 1e-4.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConvVAE, VAE, elbo, type VariationalAutoencoder } from '../src/index';
import fixtureJson from '../fixtures/vae.json';
import { expectClose, fixtureTensor, loadTorchState, readFixture, type FixtureTensor } from '@tensorzoo/core/testing';

const fixture = readFixture('vae.json', fixtureJson);

const TOLERANCE = 1e-4;

interface Recorded {
  reconstruction_loss: string;
  beta: number;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  epsilon: FixtureTensor;
  reconstruction: FixtureTensor;
  mu: FixtureTensor;
  log_var: FixtureTensor;
  loss: number;
  reconstruction_term: number;
  kl_term: number;
  grads: Record<string, FixtureTensor>;
}

/** With a fixed epsilon the pass is deterministic: outputs, ELBO terms and gradients vs torch. */
async function checkVAE(model: VariationalAutoencoder, recorded: Recorded): Promise<void> {
  expect(model.namedVariables().map(([name]) => name)).toEqual(Object.keys(recorded.state_dict));
  loadTorchState(model, recorded.state_dict);
  const images = fixtureTensor(recorded.input);
  const epsilon = fixtureTensor(recorded.epsilon);
  const options = { reconstructionLoss: recorded.reconstruction_loss as 'bce' | 'mse', beta: recorded.beta };
  const output = model.call(images, { epsilon });
  await expectClose(output.reconstruction, recorded.reconstruction, { tolerance: TOLERANCE, label: 'reconstruction' });
  await expectClose(output.mu, recorded.mu, { tolerance: TOLERANCE, label: 'mu' });
  await expectClose(output.logVar, recorded.log_var, { tolerance: TOLERANCE, label: 'logVar' });
  const terms = elbo(images, output, options);
  await expectClose(terms.loss, [recorded.loss], { tolerance: TOLERANCE, label: 'negative ELBO' });
  await expectClose(terms.reconstruction, [recorded.reconstruction_term], { tolerance: TOLERANCE, label: 'reconstruction term' });
  await expectClose(terms.kl, [recorded.kl_term], { tolerance: TOLERANCE, label: 'KL term' });
  const { value, grads } = tf.variableGrads(() => {
    const pass = model.call(images, { epsilon });
    const { loss, reconstruction, kl } = elbo(images, pass, options);
    tf.dispose([reconstruction, kl]);
    return loss;
  }, model.parameters());
  for (const [name, variable] of model.namedParameters()) {
    await expectClose(grads[variable.name], recorded.grads[name], { tolerance: TOLERANCE, label: `gradient of ${name}` });
  }
  tf.dispose([images, epsilon, value, ...Object.values(output), ...Object.values(terms), ...Object.values(grads)]);
  model.dispose();
}

describe('VAEs match PyTorch with a fixed reparameterisation noise', () => {
  it('MLP VAE, BCE reconstruction: outputs, ELBO terms and gradients', async () => {
    const config = fixture.mlp_bce.config;
    await checkVAE(new VAE({ ...config, imageShape: config.imageShape as [number, number, number] }), fixture.mlp_bce);
  });

  it('MLP VAE, MSE reconstruction with beta = 4', async () => {
    const config = fixture.mlp_mse_beta.config;
    await checkVAE(new VAE({ ...config, imageShape: config.imageShape as [number, number, number] }), fixture.mlp_mse_beta);
  });

  it('conv VAE, BCE reconstruction: outputs, ELBO terms and gradients', async () => {
    await checkVAE(new ConvVAE(fixture.conv_bce.config), fixture.conv_bce);
  });
});
