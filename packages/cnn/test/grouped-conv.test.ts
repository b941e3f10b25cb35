// Grouped and depthwise Conv2d (core) against PyTorch float64 (scripts/reference/torchvision_grouped_conv.py):
// outputs, the weight/bias gradients and the input gradient of sum(output * w), on every backend.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Conv2d, type Padding2d, type Size2d } from '@tensorzoo/core';
import { expectClose, readFixture, stateDictTensors, type FixtureTensor } from '@tensorzoo/core/testing';
import json from '../fixtures/torchvision-grouped-conv.json';

const fixture = readFixture('torchvision-grouped-conv.json', json);

type Recorded = FixtureTensor;
interface Case {
  args: { inC: number; outC: number; k: Size2d; stride: Size2d; padding: Padding2d; dilation: Size2d; groups: number; bias: boolean; size: number[] };
  state_dict: Record<string, Recorded>;
  input: Recorded;
  output: Recorded;
  loss_weights: Recorded;
  grads: Record<string, number[]>;
  input_grad: number[];
}

/** Gradients within 1e-5 (relative above 1), the bar for grouped convolutions. */
const TOLERANCE = 1e-5;
// Software WebGPU (SwiftShader) compiles every new shader on first use.
const SLOW = 120_000;

/** Torch NCHW values as a tfjs NHWC tensor. */
function nhwc({ shape, data }: Recorded): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(data as number[], shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** Torch NCHW values reordered to NHWC. */
async function nhwcValues(recorded: Recorded): Promise<Float32Array> {
  const tensor = nhwc(recorded);
  const values = (await tensor.data()) as Float32Array;
  tensor.dispose();
  return values;
}

describe('grouped and depthwise Conv2d match PyTorch', () => {
  for (const recorded of fixture as unknown as Case[]) {
    const { inC, outC, k, stride, padding, dilation, groups, bias, size } = recorded.args;
    const kind = groups === inC ? `depthwise x${outC / inC}` : `${groups} groups`;
    it(`${kind}: ${inC}->${outC}, kernel ${JSON.stringify(k)}, stride ${JSON.stringify(stride)}, dilation ${JSON.stringify(dilation)}, ${size.join('x')}`, { timeout: SLOW }, async () => {
      const conv = new Conv2d(inC, outC, k, { stride, padding, dilation, groups, bias, rng: 0 });
      expect(conv.weight.shape).toEqual(recorded.state_dict.weight.shape);
      const weights = stateDictTensors(recorded.state_dict);
      conv.loadStateDict(weights);
      tf.dispose(Object.values(weights));
      const input = nhwc(recorded.input);
      const lossWeights = nhwc(recorded.loss_weights);
      let output: tf.Tensor | undefined;
      const { grads } = tf.variableGrads(() => {
        const y = conv.call(input);
        output = tf.keep(y);
        return tf.sum(tf.mul(y, lossWeights)) as tf.Scalar;
      }, conv.parameters());
      const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(conv.call(x), lossWeights)))(input);
      await expectClose(output!, await nhwcValues(recorded.output), { tolerance: TOLERANCE, label: 'output' });
      for (const [name, variable] of conv.namedParameters()) {
        await expectClose(grads[variable.name], recorded.grads[name], { tolerance: TOLERANCE, label: `gradient of ${name}` });
      }
      await expectClose(inputGradient, await nhwcValues({ shape: recorded.input.shape, data: recorded.input_grad }), { tolerance: TOLERANCE, label: 'input gradient' });
      tf.dispose([input, lossWeights, output!, inputGradient, ...Object.values(grads)]);
      conv.dispose();
    });
  }

  it('weight is [out, in / groups, kh, kw] and fan-in counts one group', () => {
    const conv = new Conv2d(8, 16, 3, { groups: 4, rng: 0 });
    expect(conv.weight.shape).toEqual([16, 2, 3, 3]);
    // PyTorch's default init draws from U(±1/sqrt(fan-in)), fan-in = 2·3·3.
    const bound = 1 / Math.sqrt(18);
    expect(Math.max(...(conv.weight.dataSync() as Float32Array).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...(conv.weight.dataSync() as Float32Array).map(Math.abs))).toBeGreaterThan(bound * 0.8);
    conv.dispose();
  });

  it('rejects a group count that does not divide the channels', () => {
    expect(() => new Conv2d(6, 4, 3, { groups: 4 })).toThrow(ArgumentError);
    expect(() => new Conv2d(6, 4, 3, { groups: 4 })).toThrow(
      'Conv2d: groups (4) must divide inChannels (6); use a group count that divides both inChannels (6) and outChannels (4).',
    );
    expect(() => new Conv2d(4, 6, 3, { groups: 4 })).toThrow('Conv2d: groups (4) must divide outChannels (6)');
    expect(() => new Conv2d(4, 4, 3, { groups: 0 })).toThrow(ArgumentError);
  });

  it('leaks no tensors over repeated training steps', () => {
    for (const groups of [2, 4]) {
      const conv = new Conv2d(4, 8, 3, { padding: 1, groups, rng: 1 });
      const input = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 3);
      const step = () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(conv.call(input))) as tf.Scalar, conv.parameters());
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      input.dispose();
      conv.dispose();
    }
  });
});
