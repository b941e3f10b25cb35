// Every exported Module class keeps its name when minified, and cnnModels can rebuild each model
// with loadModel (the small models' round trips run in the conformance suite; the torchvision
// ones, too slow for that suite on cpu, are checked here once at small sizes).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { encodeModel, loadModel, type Module } from '@tensorzoo/core';
import { describeModuleNames } from '@tensorzoo/core/testing';
import * as cnn from '../src/index';

describeModuleNames('@tensorzoo/cnn', cnn, cnn.cnnModels);

describe('torchvision models round trip', () => {
  const cases: Array<[string, () => Module & { getConfig(): object }]> = [
    ['ImageNetResNet', () => new cnn.ImageNetResNet({ layers: [1, 1, 1, 1], numClasses: 3, rng: 1 })],
    ['MobileNetV2', () => new cnn.MobileNetV2({ widthMultiplier: 0.25, numClasses: 3, rng: 2 })],
  ];
  for (const [name, create] of cases) {
    it(`${name}: encodeModel -> loadModel rebuilds it with identical outputs`, async () => {
      const model = create().eval();
      const loaded = (await loadModel(await encodeModel(model), { models: cnn.cnnModels })).eval() as unknown as Module & { getConfig(): object };
      expect(loaded.typeName).toBe(name);
      expect(loaded.getConfig()).toEqual(model.getConfig());
      const images = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3);
      // Weights bit-identical everywhere; outputs too on cpu. GPU backends may round the same
      // computation differently between two programs (observed: 1 ulp on webgpu), so there the
      // outputs must agree to 1e-6.
      const before = model.namedVariables();
      const after = new Map(loaded.namedVariables());
      for (const [variableName, variable] of before) {
        expect(Array.from(await after.get(variableName)!.data()), variableName).toEqual(Array.from(await variable.data()));
      }
      const [expected, actual] = [model.call(images), loaded.call(images)];
      const [actualValues, expectedValues] = [Array.from(await actual.data()), Array.from(await expected.data())];
      if (tf.getBackend() === 'cpu') expect(actualValues).toEqual(expectedValues);
      else actualValues.forEach((value, index) => expect(Math.abs(value - expectedValues[index])).toBeLessThan(1e-6));
      tf.dispose([images, expected, actual]);
      model.dispose();
      loaded.dispose();
    }, 120_000);
  }
});
