// ResNet-18/34/50 and MobileNetV2 against torchvision (scripts/reference/torchvision_models.py):
// state_dict names, shapes and dtypes equal torchvision's exactly; eval-mode logits with the
// shared closed-form weights; ResNet-18 train-mode logits and BatchNorm running statistics.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, type Module } from '@tensorzoo/core';
import { ImageNetResNet, MobileNetV2, makeDivisible, mobilenetV2, resnet18, resnet34, resnet50 } from '../src/index';
import models from '../fixtures/torchvision-models.json';
import stateDicts from '../fixtures/torchvision-state-dicts.json';
import { deterministicInput, fillDeterministic } from './deterministic-weights';
import { expectClose } from '@tensorzoo/core/testing';

const TOLERANCE = 1e-4;
// Software WebGPU (SwiftShader) compiles every new shader on first use; ResNet-50 has many shapes.
const SLOW = 600_000;

type AnyModule = Module<never, unknown, never>;

/** `[name, shape, dtype]` rows like the fixture's (torch's int64 is int32 in tfjs). */
function describeVariables(model: AnyModule): Array<[string, number[], string]> {
  return model.namedVariables().map(([name, variable]) => [name, variable.shape, variable.dtype]);
}

const architectures: Array<[keyof typeof stateDicts, () => AnyModule]> = [
  ['resnet18', () => resnet18()],
  ['resnet34', () => resnet34()],
  ['resnet50', () => resnet50()],
  ['resnext50_32x4d', () => new ImageNetResNet({ block: 'bottleneck', layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4 })],
  ['wide_resnet50_2', () => new ImageNetResNet({ block: 'bottleneck', layers: [3, 4, 6, 3], widthPerGroup: 128 })],
  ['mobilenet_v2_0.35', () => mobilenetV2({ widthMultiplier: 0.35 })],
  ['mobilenet_v2_0.5', () => mobilenetV2({ widthMultiplier: 0.5 })],
  ['mobilenet_v2_0.75', () => mobilenetV2({ widthMultiplier: 0.75 })],
  ['mobilenet_v2_1.0', () => mobilenetV2()],
  ['mobilenet_v2_1.4', () => mobilenetV2({ widthMultiplier: 1.4 })],
];

describe('state_dict layout equals torchvision', () => {
  for (const [key, create] of architectures) {
    it(`${key}: every name, shape and dtype in order`, { timeout: SLOW }, () => {
      const model = create();
      const expected = stateDicts[key].map(([name, shape, dtype]) => [name, shape, dtype === 'int64' ? 'int32' : dtype]);
      expect(describeVariables(model)).toEqual(expected);
      model.dispose();
    });
  }
});

const parityCases: Array<[keyof typeof models.models, () => ImageNetResNet | MobileNetV2]> = [
  ['resnet18', () => resnet18({ numClasses: models.num_classes })],
  ['resnet34', () => resnet34({ numClasses: models.num_classes })],
  ['resnet50', () => resnet50({ numClasses: models.num_classes })],
  ['mobilenet_v2', () => mobilenetV2({ numClasses: models.num_classes })],
];
const inputShape = models.input_shape as [number, number, number, number];

describe('eval-mode logits match torchvision (float64) on a [2, 64, 64, 3] input', () => {
  for (const [key, create] of parityCases) {
    it(`${key}`, { timeout: SLOW }, async () => {
      const model = create();
      fillDeterministic(model);
      const input = deterministicInput(inputShape);
      const logits = model.eval().call(input);
      expect(logits.shape).toEqual(models.models[key].logits.shape);
      const worst = await expectClose(logits, models.models[key].logits, { tolerance: TOLERANCE, label: `${key} logits` });
      console.log(`${key} eval logits, backend ${tf.getBackend()}: max |error| ${worst.toExponential(2)}`);
      tf.dispose([input, logits]);
      model.dispose();
    });
  }

  it('resnet18 in training mode: batch-statistics logits and running statistics after one forward', { timeout: SLOW }, async () => {
    const model = resnet18({ numClasses: models.num_classes });
    fillDeterministic(model);
    const input = deterministicInput(inputShape);
    const logits = model.train().call(input);
    const { train } = models.models.resnet18;
    const worst = await expectClose(logits, train.logits, { tolerance: TOLERANCE, label: 'train logits' });
    const variables = Object.fromEntries(model.namedVariables());
    let worstBuffer = 0;
    for (const [name, expected] of Object.entries(train.buffers_after)) {
      const variable = variables[name];
      if (name.endsWith('num_batches_tracked')) expect(Array.from(await variable.data())).toEqual(expected);
      else worstBuffer = Math.max(worstBuffer, await expectClose(variable, expected, { tolerance: TOLERANCE, label: name }));
    }
    console.log(`resnet18 train logits max |error| ${worst.toExponential(2)}, running statistics ${worstBuffer.toExponential(2)}`);
    tf.dispose([input, logits]);
    model.dispose();
  });
});

describe('configuration', () => {
  it('getConfig round-trips through fromConfig', () => {
    const resnet = new ImageNetResNet({ block: 'bottleneck', layers: [1, 1, 1, 1], numClasses: 3, inputChannels: 1, groups: 2, widthPerGroup: 8, rng: 0 });
    expect(resnet.getConfig()).toEqual({ block: 'bottleneck', layers: [1, 1, 1, 1], numClasses: 3, inputChannels: 1, groups: 2, widthPerGroup: 8 });
    const rebuilt = ImageNetResNet.fromConfig(resnet.getConfig());
    expect(describeVariables(rebuilt)).toEqual(describeVariables(resnet));
    const mobilenet = mobilenetV2({ widthMultiplier: 0.25, numClasses: 4, inputChannels: 1, rng: 0 });
    expect(mobilenet.getConfig()).toEqual({ numClasses: 4, widthMultiplier: 0.25, inputChannels: 1, dropout: 0.2 });
    expect(describeVariables(MobileNetV2.fromConfig(mobilenet.getConfig()))).toEqual(describeVariables(mobilenet));
    expect(ImageNetResNet.moduleName).toBe('ImageNetResNet');
    expect(MobileNetV2.moduleName).toBe('MobileNetV2');
    for (const model of [resnet, rebuilt, mobilenet]) model.dispose();
  });

  it('makeDivisible follows torchvision', () => {
    expect([32, 24, 8, 12, 100, 9.6].map((value) => makeDivisible(value))).toEqual([32, 24, 8, 16, 104, 16]);
  });

  it('rejects invalid configurations with clear errors', () => {
    expect(() => new ImageNetResNet({ layers: [2, 2, 2] })).toThrow(ArgumentError);
    expect(() => new ImageNetResNet({ groups: 32 })).toThrow(
      "ImageNetResNet: BasicBlock supports only groups 1 and widthPerGroup 64, received groups 32 and widthPerGroup 64. Use block: 'bottleneck'.",
    );
    expect(() => mobilenetV2({ widthMultiplier: 0 })).toThrow(ArgumentError);
    expect(() => mobilenetV2({ widthMultiplier: 0 })).toThrow('MobileNetV2: widthMultiplier (0)');
    expect(() => resnet18({ numClasses: 0 })).toThrow('numClasses');
  });

  it('names the module and shapes in input errors', () => {
    const model = resnet18({ numClasses: 2, rng: 0 });
    expect(() => model.call(tf.zeros([1, 32, 32, 1]))).toThrow(/ImageNetResNet.*images/);
    model.dispose();
  });
});
