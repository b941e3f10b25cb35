// Forward outputs and parameter gradients against the PyTorch reference modules
// (scripts/reference/cnn.py, float64), and a PyTorch state_dict loaded from safetensors bytes.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, type Module } from '@tensorzoo/core';
import { LeNet5, MLPClassifier, ResNet, SimpleCNN, type LeNet5Config, type MLPClassifierConfig, type ResNetConfig, type SimpleCNNConfig } from '../src/index';
import { expectClose, fixtureTensor, loadTorchState, readFixture, type FixtureTensor } from '@tensorzoo/core/testing';
import json from '../fixtures/cnn.json';

const fixture = readFixture('cnn.json', json);

interface Recorded {
  config: object;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  loss_weights: number[];
  loss: number;
  grads: Record<string, number[]>;
  buffers_after?: Record<string, number[]>;
  eval_output?: number[];
}

const TOLERANCE = 1e-4;
// Software WebGPU (SwiftShader) compiles every new shader on first use: seconds per conv shape.
const SLOW = 180_000;

const cases: Array<[string, Recorded, (config: object) => Module]> = [
  ['SimpleCNN (valid padding, 3 logits, 22x24x2 input)', fixture.simple_cnn, (config) => new SimpleCNN(config as SimpleCNNConfig)],
  ['SimpleCNN (same padding, sigmoid head)', fixture.simple_cnn_binary, (config) => new SimpleCNN(config as SimpleCNNConfig)],
  ['LeNet5 (ReLU, max pooling)', fixture.lenet5, (config) => new LeNet5(config as LeNet5Config)],
  ['LeNet5 (tanh, average pooling, 2 channels)', fixture.lenet5_tanh, (config) => new LeNet5(config as LeNet5Config)],
  ['ResNet (BatchNorm, identity and projection shortcuts)', fixture.resnet, (config) => new ResNet(config as ResNetConfig)],
  ['MLPClassifier (logits)', fixture.mlp, (config) => new MLPClassifier(config as MLPClassifierConfig)],
  ['MLPClassifier (softmax)', fixture.mlp_softmax, (config) => new MLPClassifier(config as MLPClassifierConfig)],
];

describe('models match the PyTorch reference', () => {
  for (const [name, recorded, create] of cases) {
    it(`${name}: names, forward, gradients`, async () => {
      const model = create(recorded.config);
      expect(model.namedVariables().map(([variableName]) => variableName)).toEqual(Object.keys(recorded.state_dict));
      loadTorchState(model, recorded.state_dict);
      const x = fixtureTensor(recorded.input);
      const lossWeights = tf.tensor(recorded.loss_weights, recorded.output.shape);
      let output: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const y = model.call(x); // training mode, like the reference
        output = tf.keep(y);
        return tf.sum(tf.mul(y, lossWeights)) as tf.Scalar;
      }, model.parameters());
      expect(output!.shape).toEqual(recorded.output.shape);
      await expectClose(output!, recorded.output, { tolerance: TOLERANCE, label: 'output' });
      await expectClose(value, [recorded.loss], { tolerance: TOLERANCE, label: 'loss' });
      for (const [parameterName, variable] of model.namedParameters()) {
        await expectClose(grads[variable.name], recorded.grads[parameterName], { tolerance: TOLERANCE, label: `gradient of ${parameterName}` });
      }
      if (recorded.buffers_after && recorded.eval_output) {
        const variables = Object.fromEntries(model.namedVariables());
        for (const [bufferName, expected] of Object.entries(recorded.buffers_after)) {
          await expectClose(variables[bufferName], expected, { tolerance: TOLERANCE, label: bufferName });
        }
        model.eval();
        const evaluated = model.call(x);
        await expectClose(evaluated, recorded.eval_output, { tolerance: TOLERANCE, label: 'eval output' });
        evaluated.dispose();
      }
      tf.dispose([x, lossWeights, output!, value, ...Object.values(grads)]);
      model.dispose();
    }, SLOW);
  }
});

describe('a PyTorch state_dict saved as safetensors', () => {
  const fromBase64 = (text: string) => Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
  const recorded = fixture.safetensors;

  it('loads into ResNet with conv weights [out, in, kh, kw] and gives PyTorch outputs', async () => {
    const model = new ResNet(recorded.config);
    expect(model.namedVariables().map(([name]) => name)).toEqual(recorded.names);
    await decodeCheckpoint(fromBase64(recorded.base64), model);
    expect(model.conv1.weight.shape).toEqual(recorded.conv1_weight.shape);
    expect(Array.from(await model.conv1.weight.data())).toEqual(Array.from(Float32Array.from(recorded.conv1_weight.data)));
    const tracked = Object.fromEntries(model.namedBuffers())['layers.0.0.bn1.num_batches_tracked'];
    expect(tracked.dtype).toBe('int32');
    expect(Array.from(await tracked.data())).toEqual([3]);
    model.eval();
    const x = fixtureTensor(recorded.input);
    const output = model.call(x);
    await expectClose(output, recorded.eval_output, { tolerance: TOLERANCE, label: 'eval output' });
    tf.dispose([x, output]);
    model.dispose();
  }, SLOW);
});
