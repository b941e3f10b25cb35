import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  CheckpointError,
  Dropout,
  Embedding,
  Generator,
  LayerNorm,
  Linear,
  MODEL_METADATA_KEY,
  Module,
  decodeModel,
  encodeCheckpoint,
  encodeModel,
  loadModel,
  modelMetadata,
  parseSafetensorsHeader,
} from '@tensorzoo/core';
import * as core from '@tensorzoo/core';
import { describeModuleNames } from '@tensorzoo/core/testing';

interface TinyNetConfig {
  inputs: number;
  hidden: number;
  rng?: number;
}

/** A user-defined model: a Linear, a LayerNorm, a Linear; config `{ inputs, hidden }`. */
class TinyNet extends Module {
  static override readonly moduleName: string = 'TinyNet';
  readonly inputs: number;
  readonly hidden: number;
  first: Linear;
  norm: LayerNorm;
  second: Linear;

  constructor(config: TinyNetConfig) {
    super();
    this.inputs = config.inputs;
    this.hidden = config.hidden;
    const rng = new Generator(config.rng ?? 0);
    this.first = new Linear(config.inputs, config.hidden, { rng });
    this.norm = new LayerNorm(config.hidden);
    this.second = new Linear(config.hidden, 2, { rng });
  }

  getConfig(): TinyNetConfig {
    return { inputs: this.inputs, hidden: this.hidden };
  }

  static fromConfig(config: TinyNetConfig): TinyNet {
    return new TinyNet(config);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    return this.second.call(tf.relu(this.norm.call(this.first.call(input))));
  }
}

/** What a minifier makes of a class: a short constructor name, the static name intact. */
const Minified = class x4 extends TinyNet {
  static override readonly moduleName: string = 'MinifiedNet';
  static override fromConfig(config: TinyNetConfig): TinyNet {
    return new Minified(config);
  }
};

async function expectSameModel(actual: Module, expected: Module, input: tf.Tensor): Promise<void> {
  const actualVariables = actual.namedVariables();
  const expectedVariables = expected.namedVariables();
  expect(actualVariables.map(([name, variable]) => [name, variable.shape])).toEqual(expectedVariables.map(([name, variable]) => [name, variable.shape]));
  for (let index = 0; index < expectedVariables.length; index++) {
    expect(Array.from(await actualVariables[index][1].data()), expectedVariables[index][0]).toEqual(Array.from(await expectedVariables[index][1].data()));
  }
  const actualOutput = (actual as unknown as Module).call(input);
  const expectedOutput = (expected as unknown as Module).call(input);
  expect(Array.from(await actualOutput.data())).toEqual(Array.from(await expectedOutput.data()));
  tf.dispose([actualOutput, expectedOutput]);
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the promise to reject');
}

describe('encodeModel / decodeModel', () => {
  it('records the class name and config in the safetensors metadata', async () => {
    const model = new TinyNet({ inputs: 3, hidden: 5, rng: 1 });
    const bytes = await encodeModel(model);
    const { metadata, tensors } = parseSafetensorsHeader(bytes);
    expect(JSON.parse(metadata[MODEL_METADATA_KEY])).toEqual({ name: 'TinyNet', config: { inputs: 3, hidden: 5 } });
    expect(Object.keys(tensors).sort()).toEqual(['first.bias', 'first.weight', 'norm.bias', 'norm.weight', 'second.bias', 'second.weight']);
    expect(modelMetadata(model)).toEqual({ [MODEL_METADATA_KEY]: '{"name":"TinyNet","config":{"inputs":3,"hidden":5}}' });
    model.dispose();
  });

  it('rebuilds the model bit-exactly, without leaking tensors', async () => {
    const model = new TinyNet({ inputs: 3, hidden: 5, rng: 1 });
    const input = tf.randomNormal([4, 3], 0, 1, 'float32', 7);
    const bytes = await encodeModel(model);
    const before = tf.memory().numTensors;
    const { model: copy, info } = await decodeModel<TinyNet>(bytes, { models: [Linear, TinyNet] });
    expect(tf.memory().numTensors).toBe(before + model.namedVariables().length);
    expect(copy).toBeInstanceOf(TinyNet);
    expect(copy.getConfig()).toEqual(model.getConfig());
    expect(info.metadata).toEqual({ format: 'pt' });
    await expectSameModel(copy, model, input);
    tf.dispose([input]);
    model.dispose();
    copy.dispose();
  });

  it('keeps the training state and your own metadata, and hides the architecture key', async () => {
    const model = new Linear(2, 3, { rng: 4 });
    const bytes = await encodeModel(model, { step: 12, epoch: 3, metadata: { run: 'a' } });
    const { model: copy, info } = await decodeModel(bytes, { models: [Linear] });
    expect(info.step).toBe(12);
    expect(info.epoch).toBe(3);
    expect(info.metadata).toEqual({ run: 'a', format: 'pt' });
    expect((copy as Linear).getConfig()).toEqual({ inFeatures: 2, outFeatures: 3, bias: true });
    model.dispose();
    copy.dispose();
  });

  it('uses the static moduleName, not the (minified) constructor name', async () => {
    const model = new Minified({ inputs: 2, hidden: 3 });
    expect(Minified.name).toBe('x4');
    const bytes = await encodeModel(model);
    expect(JSON.parse(parseSafetensorsHeader(bytes).metadata[MODEL_METADATA_KEY]).name).toBe('MinifiedNet');
    // TinyNet's own name does not match: the subclass is found by its own moduleName.
    const { model: copy } = await decodeModel(bytes, { models: [TinyNet, Minified] });
    expect(copy).toBeInstanceOf(Minified);
    model.dispose();
    copy.dispose();
  });

  it('loads from an ArrayBuffer, a Uint8Array, a Blob and a File', async () => {
    const model = new TinyNet({ inputs: 3, hidden: 4, rng: 2 });
    const input = tf.randomNormal([2, 3], 0, 1, 'float32', 3);
    const bytes = await encodeModel(model);
    const sources = [bytes, bytes.slice().buffer, new Blob([bytes.slice().buffer]), new File([bytes.slice().buffer], 'tiny.safetensors')];
    for (const source of sources) {
      const copy = await loadModel<TinyNet>(source, { models: [TinyNet] });
      await expectSameModel(copy, model, input);
      copy.dispose();
    }
    input.dispose();
    model.dispose();
  });
});

describe('model-io errors', () => {
  it('an unknown name lists the classes that were given', async () => {
    const model = new TinyNet({ inputs: 2, hidden: 2 });
    const error = await errorOf(loadModel(await encodeModel(model), { models: [Linear, LayerNorm] }));
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error.code).toBe('unknown-model');
    expect(error.message).toBe(
      'decodeModel: the file holds a "TinyNet" but options.models has Linear, LayerNorm. ' +
        'Pass the TinyNet class (from its package\'s model list, e.g. `models: [...cnnModels, ...transformerModels]`).',
    );
    model.dispose();
  });

  it('a plain checkpoint says to pass a model instance to loadCheckpoint', async () => {
    const model = new Linear(2, 2, { rng: 0 });
    const error = await errorOf(decodeModel(await encodeCheckpoint(model), { models: [Linear] }));
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error.code).toBe('missing-model-metadata');
    expect(error.message).toContain('has no "tensorzoo.architecture" metadata');
    expect(error.message).toContain('loadCheckpoint(path, model) or decodeCheckpoint(bytes, model)');
    model.dispose();
  });

  it('a model without getConfig, or with a function in its config, cannot be saved', async () => {
    class Plain extends Module {
      static override readonly moduleName: string = 'Plain';
      weight = new Linear(1, 1, { rng: 0 });
      protected forward(input: tf.Tensor): tf.Tensor {
        return this.weight.call(input);
      }
    }
    const plain = new Plain();
    const noConfig = await errorOf(encodeModel(plain as never));
    expect(ArgumentError.isInstance(noConfig)).toBe(true);
    expect(noConfig.code).toBe('not-serializable');
    expect(noConfig.message).toContain('a Plain without getConfig()');

    const withFunction = Object.assign(new Linear(1, 1, { rng: 0 }), { getConfig: () => ({ inFeatures: 1, activation: Math.abs }) });
    const badConfig = await errorOf(encodeModel(withFunction));
    expect(badConfig.code).toBe('not-serializable');
    expect(badConfig.message).toBe(
      'modelMetadata: Linear.getConfig(): config.activation is a function, which JSON cannot store; configs hold only numbers, strings, booleans, arrays and plain objects.',
    );
    plain.dispose();
    withFunction.dispose();
  });

  it('a subclass that inherits fromConfig is rejected (it would build the parent)', async () => {
    const Inheriting = class extends TinyNet {
      static override readonly moduleName: string = 'InheritingNet';
    };
    const model = new Inheriting({ inputs: 1, hidden: 1 });
    const before = tf.memory().numTensors;
    const error = await errorOf(decodeModel(await encodeModel(model), { models: [Inheriting] }));
    expect(error.code).toBe('bad-model-class');
    expect(error.message).toBe(
      'decodeModel: InheritingNet.fromConfig returned a TinyNet, not a InheritingNet; give InheritingNet its own static fromConfig (an inherited one builds the parent class).',
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('models must be a list of classes with fromConfig', async () => {
    const bytes = new Uint8Array(8);
    const missing = await errorOf(loadModel(bytes, {} as never));
    expect(ArgumentError.isInstance(missing)).toBe(true);
    expect(missing.message).toContain('options.models must list the model classes');
    const bad = await errorOf(loadModel(bytes, { models: [Module as never] }));
    expect(bad.message).toContain('options.models[0]');
  });

  it('a damaged architecture entry is a CheckpointError', async () => {
    const model = new Linear(1, 1, { rng: 0 });
    const bytes = await encodeCheckpoint(model, { metadata: { [MODEL_METADATA_KEY]: '{"name": 3}' } });
    const error = await errorOf(decodeModel(bytes, { models: [Linear] }));
    expect(error.code).toBe('bad-metadata');
    model.dispose();
  });

  it('weights that do not fit the rebuilt model are rejected and the model is freed', async () => {
    const model = new Linear(2, 3, { rng: 0 });
    const lying = await encodeCheckpoint(model, { metadata: { [MODEL_METADATA_KEY]: JSON.stringify({ name: 'Linear', config: { inFeatures: 2, outFeatures: 4 } }) } });
    const before = tf.memory().numTensors;
    const error = await errorOf(decodeModel(lying, { models: [Linear] }));
    expect(error.code).toBe('shape-mismatch');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describeModuleNames('@tensorzoo/core', core, core.coreLayers);

describe('Sequential round trip', () => {
  it('rebuilds a stack of core layers from coreLayers, with identical outputs', async () => {
    const model = new core.Sequential(
      new Linear(4, 6, { rng: 1 }),
      new core.BatchNorm1d(6, { momentum: null }),
      new core.LeakyReLU(0.2),
      new Dropout(0.25),
      new core.Reshape([2, 3]),
      new core.Flatten(),
      new core.GELU({ approximate: 'tanh' }),
      new Linear(6, 3, { bias: false, rng: 2 }),
      new core.Softmax(),
    ).eval();
    const bytes = await encodeModel(model);
    const stored = JSON.parse(parseSafetensorsHeader(bytes).metadata[MODEL_METADATA_KEY]);
    expect(stored.name).toBe('Sequential');
    expect(stored.config.layers.map((layer: { name: string }) => layer.name)).toEqual([
      'Linear', 'BatchNorm1d', 'LeakyReLU', 'Dropout', 'Reshape', 'Flatten', 'GELU', 'Linear', 'Softmax',
    ]);
    expect(stored.config.layers[1].config).toEqual({ numFeatures: 6, eps: 1e-5, momentum: null, affine: true, trackRunningStats: true });
    const copy = (await loadModel<core.Sequential>(bytes, { models: core.coreLayers })).eval();
    expect(copy.getConfig()).toEqual(model.getConfig());
    const input = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
    await expectSameModel(copy, model, input);
    input.dispose();
    model.dispose();
    copy.dispose();
  });

  it('names a layer class that was not given, and a layer without getConfig', async () => {
    const model = new core.Sequential(new Linear(2, 2, { rng: 0 }), new core.Tanh());
    const error = await errorOf(loadModel(await encodeModel(model), { models: [core.Sequential, Linear] }));
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      'Sequential.fromConfig: layer 1 is a "Tanh" but the models given are Sequential, Linear; pass its class (e.g. models: [Sequential, ...coreLayers]).',
    );
    const withCustom = new core.Sequential(new Linear(2, 2, { rng: 0 }), new TinyNet({ inputs: 2, hidden: 2 }), new (class extends Module {
      static override readonly moduleName: string = 'Custom';
      protected forward(input: tf.Tensor): tf.Tensor {
        return input.clone();
      }
    })());
    const unsaved = await errorOf(encodeModel(withCustom));
    expect(unsaved.code).toBe('not-serializable');
    expect(unsaved.message).toBe(
      'Sequential.getConfig: layer 2 (Custom) has no getConfig(), so the stack cannot be rebuilt from a config; save the weights with saveCheckpoint and build the model in code.',
    );
    model.dispose();
    withCustom.dispose();
  });
});
