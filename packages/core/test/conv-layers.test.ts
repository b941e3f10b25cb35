import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  GlobalAvgPool2d,
  Linear,
  MaxPool2d,
  Module,
  Reshape,
  type Padding2d,
  type Size2d,
} from '@tensorzoo/core';
import json from '../fixtures/conv-layers.json';
import { expectClose, fixtureTensor, loadTorchState, readFixture, reportMaxErrors, type FixtureTensor } from '../src/testing/index';

const fixture = readFixture('conv-layers.json', json);

/** Parity tolerance for float32 against torch float64. */
const TOLERANCE = 1e-4;

type Recorded = FixtureTensor;
interface Case {
  state_dict?: Record<string, Recorded>;
  input: Recorded;
  output: Recorded;
  loss_weights: Recorded;
  loss: number;
  grads: Record<string, number[]>;
  input_grad: number[];
}

/** A torch NCHW tensor as tfjs NHWC (rank-4 only; other ranks unchanged). */
function nhwc(recorded: Recorded): tf.Tensor {
  const t = fixtureTensor(recorded);
  if (recorded.shape.length !== 4) return t;
  const out = tf.transpose(t, [0, 2, 3, 1]);
  t.dispose();
  return out;
}

/** Torch NCHW values reordered to NHWC, for comparisons. */
async function nhwcValues(recorded: Recorded): Promise<Float32Array> {
  const t = nhwc(recorded);
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

afterAll(() => reportMaxErrors('conv layer parity vs PyTorch float64'));

/** Runs sum(module(x) * w) and checks output, loss, parameter and input gradients against torch. */
async function checkCase(module: Module, recorded: Case): Promise<void> {
  const input = tf.variable(nhwc(recorded.input), true);
  const weights = nhwc(recorded.loss_weights);
  const output = module.call(input);
  expect(output.shape).toEqual(weights.shape);
  await expectClose(output, await nhwcValues(recorded.output), { tolerance: TOLERANCE, label: 'output' });
  const parameters = module.namedParameters();
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(module.call(input), weights)) as tf.Scalar,
    [...parameters.map(([, v]) => v), input],
  );
  await expectClose(value, [recorded.loss], { tolerance: TOLERANCE });
  for (const [name, variable] of parameters) await expectClose(grads[variable.name], recorded.grads[name], { tolerance: TOLERANCE, label: 'parameter gradient' });
  await expectClose(grads[input.name], await nhwcValues({ shape: recorded.input.shape, data: recorded.input_grad }), { tolerance: TOLERANCE, label: 'input gradient' });
  tf.dispose([input, weights, output, value, ...Object.values(grads)]);
}

type ConvArgs = (typeof fixture)['conv2d'][number]['args'];
type TransposeArgs = (typeof fixture)['conv_transpose2d'][number]['args'];
type PoolArgs = (typeof fixture)['max_pool2d'][number]['args'];

describe('Conv2d matches torch.nn.Conv2d', () => {
  for (const recorded of fixture.conv2d) {
    const args = recorded.args as ConvArgs;
    it(`k=${JSON.stringify(args.k)} stride=${JSON.stringify(args.stride)} padding=${JSON.stringify(args.padding)} dilation=${args.dilation} bias=${args.bias}`, async () => {
      const conv = new Conv2d(args.inC, args.outC, args.k as Size2d, {
        stride: args.stride as Size2d,
        padding: args.padding as Padding2d,
        dilation: args.dilation,
        bias: args.bias,
      });
      expect(conv.namedVariables().map(([name]) => name)).toEqual(Object.keys(recorded.state_dict));
      loadTorchState(conv, recorded.state_dict as Record<string, Recorded>);
      await checkCase(conv, recorded as Case);
      conv.dispose();
    });
  }
});

describe('ConvTranspose2d matches torch.nn.ConvTranspose2d', () => {
  for (const recorded of fixture.conv_transpose2d) {
    const args = recorded.args as TransposeArgs;
    it(`k=${JSON.stringify(args.k)} stride=${JSON.stringify(args.stride)} padding=${JSON.stringify(args.padding)} outputPadding=${JSON.stringify(args.outputPadding)}`, async () => {
      const conv = new ConvTranspose2d(args.inC, args.outC, args.k as Size2d, {
        stride: args.stride as Size2d,
        padding: args.padding as Size2d,
        outputPadding: args.outputPadding as Size2d,
        bias: args.bias,
      });
      loadTorchState(conv, recorded.state_dict as Record<string, Recorded>);
      await checkCase(conv, recorded as Case);
      conv.dispose();
    });
  }
});

describe('pooling matches torch', () => {
  const poolOptions = (args: PoolArgs) => ({ stride: (args.stride ?? undefined) as Size2d | undefined, padding: args.padding as Size2d });
  fixture.max_pool2d.forEach((recorded, index) => {
    const args = recorded.args as PoolArgs;
    it(`MaxPool2d k=${JSON.stringify(args.k)} stride=${JSON.stringify(args.stride)} padding=${JSON.stringify(args.padding)}`, async () => {
      await checkCase(new MaxPool2d(args.k as Size2d, poolOptions(args)), recorded as Case);
    });
    const average = fixture.avg_pool2d[index];
    it(`AvgPool2d (count_include_pad) k=${JSON.stringify(args.k)} stride=${JSON.stringify(args.stride)} padding=${JSON.stringify(args.padding)}`, async () => {
      await checkCase(new AvgPool2d(args.k as Size2d, poolOptions(args)), average as Case);
    });
  });
  it('GlobalAvgPool2d equals adaptive_avg_pool2d(1).flatten(1)', async () => {
    await checkCase(new GlobalAvgPool2d(), fixture.global_avg_pool2d as Case);
  });
});

type BatchNormFixture = (typeof fixture)['batch_norm2d'];

async function checkBatchNorm(norm: BatchNorm1d | BatchNorm2d, recorded: BatchNormFixture): Promise<void> {
  expect(norm.namedVariables().map(([name]) => name)).toEqual(Object.keys(recorded.initial_state_dict));
  expect(norm.namedBuffers().map(([name]) => name)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
  loadTorchState(norm, recorded.initial_state_dict);
  norm.train();
  for (const step of recorded.train_steps) await checkCase(norm, step as unknown as Case);
  // Each checkCase runs the forward twice (plain + under variableGrads): replay the two
  // steps once each on a fresh layer to compare the running statistics with torch's.
  const fresh = norm instanceof BatchNorm2d ? new BatchNorm2d(recorded.num_features, { momentum: recorded.momentum }) : new BatchNorm1d(recorded.num_features, { momentum: recorded.momentum });
  loadTorchState(fresh, recorded.initial_state_dict);
  for (const step of recorded.train_steps) {
    const input = nhwc(step.input);
    const { value, grads } = tf.variableGrads(() => tf.sum(fresh.call(input)) as tf.Scalar, fresh.parameters());
    tf.dispose([input, value, ...Object.values(grads)]);
  }
  const after = recorded.state_dict_after as Record<string, Recorded>;
  for (const [name, variable] of fresh.namedVariables()) {
    if (name === 'num_batches_tracked') {
      expect(variable.dtype).toBe('int32');
      expect(Array.from(await variable.data())).toEqual(after[name].data);
    } else await expectClose(variable, after[name], { tolerance: TOLERANCE, label: 'running statistics' });
  }
  fresh.eval();
  const evalInput = nhwc(recorded.eval_input);
  const evalOutput = fresh.call(evalInput);
  await expectClose(evalOutput, await nhwcValues(recorded.eval_output), { tolerance: TOLERANCE });
  tf.dispose([evalInput, evalOutput]);
  fresh.dispose();
  norm.dispose();
}

describe('BatchNorm matches torch in training and eval mode', () => {
  it('BatchNorm2d: batch statistics, gradients, running stats after 2 steps, eval output', async () => {
    await checkBatchNorm(new BatchNorm2d(3), fixture.batch_norm2d);
  });
  it('BatchNorm1d (momentum 0.3): the same on [N, C]', async () => {
    await checkBatchNorm(new BatchNorm1d(4, { momentum: 0.3 }), fixture.batch_norm1d as unknown as BatchNormFixture);
  });
  it('momentum null keeps the cumulative average; affine/trackRunningStats false drop the variables', async () => {
    const norm = new BatchNorm1d(2, { momentum: null });
    const first = tf.tensor2d([[1, 10], [3, 30]]); // means [2, 20]
    const second = tf.tensor2d([[5, 0], [7, 0]]); // means [6, 0]
    tf.dispose([norm.call(first), norm.call(second)]);
    expect(Array.from(await norm.running_mean!.data())).toEqual([4, 10]);
    expect(Array.from(await norm.num_batches_tracked!.data())).toEqual([2]);
    const bare = new BatchNorm2d(3, { affine: false, trackRunningStats: false });
    expect(bare.namedVariables()).toEqual([]);
    bare.eval(); // still batch statistics
    const x = tf.tensor4d([1, 2, 3, 5, 6, 9], [2, 1, 1, 3]);
    const normalised = bare.call(x);
    await expectClose(normalised, [-1, -1, -1, 1, 1, 1], { tolerance: 1e-4 });
    tf.dispose([first, second, x, normalised]);
    norm.dispose();
  });
  it('updates running stats under variableGrads without leaking', () => {
    const norm = new BatchNorm2d(2);
    const input = tf.randomNormal([3, 2, 2, 2], 0, 1, 'float32', 3);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(norm.call(input)) as tf.Scalar, norm.parameters());
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(input);
    norm.dispose();
  });
});

class SmallNet extends Module {
  conv = new Conv2d(1, 4, 3, { padding: 1 });
  norm = new BatchNorm2d(4);
  pool = new MaxPool2d(2);
  flatten = new Flatten();
  fc = new Linear(4 * 3 * 3, 3);
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.fc.call(this.flatten.call(this.pool.call(tf.relu(this.norm.call(this.conv.call(x))))));
  }
}

describe('a Conv -> BN -> ReLU -> MaxPool -> Flatten -> Linear net loaded from torch', () => {
  it('loads the state_dict strictly and gives the same logits and gradients (eval mode)', async () => {
    const net = new SmallNet();
    expect(net.namedVariables().map(([name]) => name)).toEqual(Object.keys(fixture.small_net.eval.state_dict));
    loadTorchState(net, fixture.small_net.eval.state_dict);
    net.eval();
    await checkCase(net, fixture.small_net.eval as Case);
    net.dispose();
  });
  it('matches in training mode, running statistics included', async () => {
    const net = new SmallNet();
    loadTorchState(net, fixture.small_net.eval.state_dict);
    const input = nhwc(fixture.small_net.train.input);
    const weights = fixtureTensor(fixture.small_net.train.loss_weights);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(net.call(input), weights)) as tf.Scalar, net.parameters());
    await expectClose(value, [fixture.small_net.train.loss], { tolerance: TOLERANCE });
    for (const [name, variable] of net.namedParameters()) {
      await expectClose(grads[variable.name], (fixture.small_net.train.grads as Record<string, number[]>)[name], { tolerance: TOLERANCE });
    }
    const after = fixture.small_net.train.state_dict_after as Record<string, Recorded>;
    for (const [name, variable] of net.namedBuffers()) await expectClose(variable, after[name], { tolerance: TOLERANCE, label: 'running statistics' });
    tf.dispose([input, weights, value, ...Object.values(grads)]);
    net.dispose();
  });
});

class GeneratorHead extends Module {
  fc = new Linear(5, 3 * 2 * 2);
  reshape = new Reshape([3, 2, 2]);
  up = new ConvTranspose2d(3, 2, 4, { stride: 2, padding: 1 });
  protected forward(z: tf.Tensor): tf.Tensor {
    return tf.tanh(this.up.call(this.reshape.call(this.fc.call(z)))); // [N, 4, 4, 2]
  }
}

describe('Reshape([C, H, W]) reads PyTorch order', () => {
  it('Linear -> view(N, C, H, W) -> ConvTranspose2d -> tanh matches torch', async () => {
    const head = new GeneratorHead();
    loadTorchState(head, fixture.generator_head.state_dict);
    await checkCase(head, fixture.generator_head as Case);
    head.dispose();
  });
  it('Flatten and Reshape([C, H, W]) are inverses and use (C, H, W) order', async () => {
    const nchw = tf.range(0, 24).reshape([2, 3, 2, 2]); // values in torch order
    const images = tf.transpose(nchw, [0, 2, 3, 1]); // [2, 2, 2, 3]
    const flat = new Flatten().call(images);
    expect(Array.from(await flat.data())).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const back = new Reshape([3, 2, 2]).call(flat);
    expect(back.shape).toEqual([2, 2, 2, 3]);
    expect(Array.from(await back.data())).toEqual(Array.from(await images.data()));
    tf.dispose([nchw, images, flat, back]);
  });
});

describe('argument and shape checks name the module', () => {
  it('rejects bad constructor arguments', () => {
    expect(() => new Conv2d(0, 3, 3)).toThrow(/^Conv2d: inChannels \(0\) must be/);
    expect(() => new Conv2d(1, 3, [3, 0])).toThrow('Conv2d: kernelSize ([3, 0]) must be an integer >= 1 or a pair [height, width] of them.');
    expect(() => new Conv2d(1, 3, 3, { padding: -1 })).toThrow('Conv2d: padding (-1) must be an integer >= 0');
    expect(() => new ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 })).toThrow(
      'ConvTranspose2d: outputPadding ([2, 2]) must be smaller than stride ([2, 2]).',
    );
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow('MaxPool2d: padding ([2, 2]) must be at most half the kernel size ([2, 2]).');
    expect(() => new BatchNorm2d(4, { momentum: 2 })).toThrow('BatchNorm2d: momentum (2) must be in [0, 1].');
    expect(() => new Reshape([3, 0])).toThrow('Reshape: shape ([3, 0]) must be a non-empty list of integers >= 1.');
  });
  it('rejects wrong input shapes with path, expected and received', () => {
    const conv = new Conv2d(3, 4, 3);
    const x = tf.zeros([2, 8, 8, 1]);
    expect(() => conv.call(x)).toThrow('Conv2d: input expected shape [*, *, *, 3], received [2, 8, 8, 1].');
    const small = tf.zeros([1, 2, 2, 3]);
    expect(() => conv.call(small)).toThrow('Conv2d: input [1, 2, 2, 3] is too small for kernel [3, 3]');
    const norm = new BatchNorm2d(4);
    expect(() => norm.call(x)).toThrow('BatchNorm2d: input expected shape [*, *, *, 4], received [2, 8, 8, 1].');
    expect(() => new Reshape([3, 2, 2]).call(x)).toThrow('Reshape: input expected [N, ...] with 12 values per example');
    tf.dispose([x, small]);
    conv.dispose();
    norm.dispose();
  });
});
