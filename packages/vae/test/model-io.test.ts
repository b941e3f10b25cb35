// Every exported Module class keeps its name when minified; VAE and ConvVAE rebuild from
// getConfig() and round-trip through encodeModel -> loadModel with identical outputs.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { encodeModel, loadModel } from '@tensorzoo/core';
import { describeModuleNames } from '@tensorzoo/core/testing';
import * as vae from '../src/index';

describeModuleNames('@tensorzoo/vae', vae, vae.vaeModels);

const cases = [
  { name: 'VAE', create: () => new vae.VAE({ imageShape: [4, 4, 1], hiddenDims: [6, 5], latentDim: 2, rng: 1 }), shape: [2, 4, 4, 1] },
  { name: 'ConvVAE', create: () => new vae.ConvVAE({ inChannels: 2, imageSize: 8, channels: [3, 4], latentDim: 3, rng: 2 }), shape: [2, 8, 8, 2] },
];

describe('VAE model round trip', () => {
  for (const { name, create, shape } of cases) {
    it(`${name}: fromConfig(getConfig()) and encodeModel -> loadModel rebuild it exactly`, async () => {
      const model = create().eval();
      const config = model.getConfig();
      const rebuilt = (model.constructor as typeof vae.VAE | typeof vae.ConvVAE).fromConfig(JSON.parse(JSON.stringify(config)));
      expect(rebuilt.getConfig()).toEqual(config);
      expect(rebuilt.namedVariables().map(([key, variable]) => [key, variable.shape])).toEqual(model.namedVariables().map(([key, variable]) => [key, variable.shape]));
      rebuilt.dispose();

      const loaded = (await loadModel<vae.VariationalAutoencoder>(await encodeModel(model), { models: vae.vaeModels })).eval();
      expect(loaded.typeName).toBe(name);
      const images = tf.randomUniform(shape, 0, 1, 'float32', 3);
      const expected = model.call(images);
      const actual = loaded.call(images);
      for (const key of ['reconstruction', 'mu', 'logVar'] as const) {
        expect(Array.from(await actual[key].data()), key).toEqual(Array.from(await expected[key].data()));
      }
      tf.dispose([images, ...Object.values(expected), ...Object.values(actual)]);
      model.dispose();
      loaded.dispose();
    });
  }
});
