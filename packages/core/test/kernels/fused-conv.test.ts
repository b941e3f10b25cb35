// A convolution with its bias as one FusedConv2D kernel (kernels/fused-conv.ts), as Conv2d
// runs it: the same output and gradients as conv2d + add, each input's gradient computed only
// when needed (a first layer's input gradient is not), and the composite under a gradient
// that is itself differentiated; with a ReLU taken in (Sequential's Conv2d + ReLU), the same
// values and gradients as relu(conv2d + add).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fusedConvWithBias } from '../../src/kernels/fused-conv';
import { Conv2d, ReLU, Sequential } from '../../src/layers/index';
import { expectClose } from '../../src/testing/index';

const values = (shape: number[], seed: number) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 0.7 + seed)), shape);

describe('FusedConv2D with a bias', () => {
  for (const [stride, pad] of [[1, 'valid'], [2, 'same'], [1, [[0, 0], [1, 2], [2, 1], [0, 0]]]] as const) {
    it(`equals conv2d + add, output and the three gradients (stride ${stride}, pad ${JSON.stringify(pad)})`, async () => {
      const [x, filter, bias] = [values([2, 9, 8, 3], 1) as tf.Tensor4D, values([3, 3, 3, 5], 2) as tf.Tensor4D, values([5], 3)];
      const strides: [number, number] = [stride, stride];
      const fused = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => fusedConvWithBias(a as tf.Tensor4D, w as tf.Tensor4D, b, strides, pad as never)!;
      const composite = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, strides, pad as never), b);
      const upstream = values(composite(x, filter, bias).shape, 4);
      const [ours, theirs] = [fused, composite].map((f) => [f(x, filter, bias), ...tf.grads(f)([x, filter, bias], upstream)]);
      for (let i = 0; i < ours.length; i++) await expectClose(ours[i], await theirs[i].data(), { tolerance: 1e-5, label: ['y', 'dx', 'dfilter', 'dbias'][i] });
      tf.dispose([x, filter, bias, upstream, ...ours, ...theirs]);
    });
  }

  it('computes only the gradients asked for: no input gradient for a first layer', async () => {
    const [x, filter, bias] = [values([2, 8, 8, 1], 1) as tf.Tensor4D, values([3, 3, 1, 4], 2), values([4], 3)];
    const profile = await tf.profile(() => {
      const grads = tf.grads((w: tf.Tensor, b: tf.Tensor) => tf.sum(fusedConvWithBias(x, w as tf.Tensor4D, b, [1, 1], 'valid')!))([filter, bias]);
      return grads[0];
    });
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names).toContain('FusedConv2D');
    expect(names).toContain('Conv2DBackpropFilter');
    expect(names).not.toContain('Conv2DBackpropInput');
    tf.dispose([x, filter, bias]);
  });

  it('declines inside a gradient that is itself differentiated (the composite is differentiable again)', () => {
    const [x, filter, bias] = [values([1, 5, 5, 2], 1) as tf.Tensor4D, values([3, 3, 2, 2], 2) as tf.Tensor4D, values([2], 3)];
    let inner: tf.Tensor4D | undefined | 'unset' = 'unset';
    tf.grad((w: tf.Tensor) => tf.sum(tf.grad((a: tf.Tensor) => {
      inner = fusedConvWithBias(a as tf.Tensor4D, w as tf.Tensor4D, bias, [1, 1], 'valid');
      return tf.sum(tf.square(tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'), bias)));
    })(x)))(filter).dispose();
    expect(inner).toBeUndefined();
    tf.dispose([x, filter, bias]);
  });
});

describe('FusedConv2D with a ReLU (Sequential runs Conv2d + ReLU as one kernel)', () => {
  for (const [stride, pad] of [[1, 'valid'], [2, 'same']] as const) {
    it(`equals relu(conv2d + add), output and the three gradients (stride ${stride}, pad ${pad}), NaN and -0 included`, async () => {
      const x = values([2, 9, 8, 3], 1) as tf.Tensor4D;
      const withSpecial = tf.tensor(Float32Array.from(x.dataSync(), (v, i) => (i === 7 ? Number.NaN : i === 11 ? -0 : v)), x.shape) as tf.Tensor4D;
      const [filter, bias] = [values([3, 3, 3, 5], 2) as tf.Tensor4D, values([5], 3)];
      const strides: [number, number] = [stride, stride];
      const fused = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => fusedConvWithBias(a as tf.Tensor4D, w as tf.Tensor4D, b, strides, pad, 'relu')!;
      const composite = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, strides, pad), b));
      // WGSL's max() need not pass NaN through: the special values on the CPU backends only.
      for (const input of tf.getBackend() === 'webgpu' ? [x] : [x, withSpecial]) {
        const upstream = values(composite(input, filter, bias).shape, 4);
        const [ours, theirs] = [fused, composite].map((f) => [f(input, filter, bias), ...tf.grads(f)([input, filter, bias], upstream)]);
        for (let i = 0; i < ours.length; i++) {
          const [actual, expected] = [await ours[i].data(), await theirs[i].data()];
          const bad = expected.findIndex((e, j) => (Number.isNaN(e) ? !Number.isNaN(actual[j]) : !(Math.abs(actual[j] - e) <= 1e-5 * (1 + Math.abs(e)))));
          expect(bad, `${['y', 'dx', 'dfilter', 'dbias'][i]} element ${bad}: ${actual[bad]} vs ${expected[bad]}`).toBe(-1);
        }
        tf.dispose([upstream, ...ours, ...theirs]);
      }
      tf.dispose([x, withSpecial, filter, bias]);
    });
  }

  it('Sequential(Conv2d, ReLU, ...) runs FusedConv2D with the ReLU inside and no Relu kernel, with the same output and gradients as the layers one by one', async () => {
    const model = new Sequential(new Conv2d(3, 4, 3, { rng: 1 }), new ReLU(), new Conv2d(4, 2, 3, { rng: 2, padding: 1 }), new ReLU());
    const x = values([2, 7, 6, 3], 5);
    const oneByOne = (input: tf.Tensor) => model.modules.reduce((value, layer) => layer.call(value), input);
    const loss = (run: (input: tf.Tensor) => tf.Tensor) => () => tf.sum(tf.square(run(x))) as tf.Scalar;
    const parameters = model.parameters();
    const profile = await tf.profile(() => tf.dispose(model.call(x)));
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name === 'FusedConv2D')).toHaveLength(2);
    expect(names).not.toContain('Relu');
    const [fused, separate] = [(input: tf.Tensor) => model.call(input), oneByOne].map((run) => tf.variableGrads(loss(run), parameters));
    await expectClose(fused.value, await separate.value.data(), { tolerance: 1e-6 });
    for (const [name, gradient] of Object.entries(fused.grads)) await expectClose(gradient, await separate.grads[name].data(), { tolerance: 1e-5, label: name });
    tf.dispose([x, fused.value, separate.value, ...Object.values(fused.grads), ...Object.values(separate.grads)]);
    model.dispose();
  });

  it('leaves subclasses of Conv2d and ReLU, and other activations, to their own forward', async () => {
    class ShiftedReLU extends ReLU {
      protected override forward(input: tf.Tensor): tf.Tensor {
        return tf.relu(tf.sub(input, 1));
      }
    }
    const x = values([1, 5, 5, 2], 1);
    for (const model of [new Sequential(new Conv2d(2, 2, 3, { rng: 1 }), new ShiftedReLU()), new Sequential(new Conv2d(2, 2, 3, { rng: 1 }), new Sequential(new ReLU()))]) {
      const profile = await tf.profile(() => tf.dispose(model.call(x)));
      expect(profile.kernels.map((kernel) => kernel.name)).toContain('Relu');
      const expected = model.modules.reduce((value, layer) => layer.call(value), x);
      const actual = model.call(x);
      expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
      tf.dispose([expected, actual]);
      model.dispose();
    }
    x.dispose();
  });
});
