// The torchvision models and grouped convolutions on the wasm backend (XNNPACK): inference
// parity (depthwise included) and grouped-conv gradients. Stock tfjs-wasm has no depthwise
// gradient kernels (DepthwiseConv2dNativeBackpropInput/Filter), so depthwise training is not checked here.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conv2d, loadCheckpoint, setBackend } from '@tensorzoo/core';
import { mobilenetV2, resnet18 } from '../src/index';
import models from '../fixtures/torchvision-models.json';
import tiny from '../fixtures/torchvision-mobilenet_v2-tiny.json';
import groupedCases from '../fixtures/torchvision-grouped-conv.json';
import { deterministicInput, fillDeterministic } from './deterministic-weights';
import { expectClose, stateDictTensors, type FixtureTensor } from '@tensorzoo/core/testing';

beforeAll(async () => {
  await setBackend('wasm');
});
afterAll(async () => {
  await setBackend('cpu');
});

/** Torch NCHW values as NHWC. */
function nhwc({ shape, data }: FixtureTensor): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(data as number[], shape as [number, number, number, number]), [0, 2, 3, 1]));
}

describe('torchvision models on wasm', () => {
  it('a torchvision MobileNetV2 checkpoint gives torchvision logits (depthwise forward)', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const model = mobilenetV2(tiny.config);
    await loadCheckpoint(fileURLToPath(new URL('../fixtures/torchvision-mobilenet_v2-tiny.safetensors', import.meta.url)), model);
    const input = deterministicInput(tiny.input_shape as [number, number, number, number]);
    const logits = model.eval().call(input);
    await expectClose(logits, tiny.logits, { tolerance: 1e-4, label: 'logits' });
    tf.dispose([input, logits]);
    model.dispose();
  });

  it('resnet18 eval logits match torchvision', async () => {
    const model = resnet18({ numClasses: models.num_classes });
    fillDeterministic(model);
    const input = deterministicInput(models.input_shape as [number, number, number, number]);
    const logits = model.eval().call(input);
    await expectClose(logits, models.models.resnet18.logits, { tolerance: 1e-4, label: 'logits' });
    tf.dispose([input, logits]);
    model.dispose();
  });

  it('grouped convolutions: forward of every case, gradients when not depthwise', async () => {
    for (const recorded of groupedCases) {
      const { inC, outC, k, stride, padding, dilation, groups, bias } = recorded.args;
      const conv = new Conv2d(inC, outC, k as number, { stride: stride as number, padding: padding as number, dilation: dilation as number, groups, bias, rng: 0 });
      const weights = stateDictTensors(recorded.state_dict as Record<string, FixtureTensor>);
      conv.loadStateDict(weights);
      const input = nhwc(recorded.input);
      const output = conv.call(input);
      const expected = nhwc(recorded.output);
      await expectClose(output, await expected.data(), { tolerance: 1e-5, label: `output (groups ${groups})` });
      if (groups !== inC) {
        const lossWeights = nhwc(recorded.loss_weights);
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(conv.call(input), lossWeights)) as tf.Scalar, conv.parameters());
        for (const [name, variable] of conv.namedParameters()) {
          await expectClose(grads[variable.name], (recorded.grads as Record<string, number[]>)[name], { tolerance: 1e-5, label: `gradient of ${name} (groups ${groups})` });
        }
        tf.dispose([lossWeights, ...Object.values(grads)]);
      }
      tf.dispose([...Object.values(weights), input, output, expected]);
      conv.dispose();
    }
  });
});
