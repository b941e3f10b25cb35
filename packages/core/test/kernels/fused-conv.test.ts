// A convolution with its bias as one FusedConv2D kernel (kernels/fused-conv.ts), as Conv2d
// runs it: the same output and gradients as conv2d + add, each input's gradient computed only
// when needed (a first layer's input gradient is not), and the composite under a gradient
// that is itself differentiated.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fusedConvWithBias } from '../../src/kernels/fused-conv';
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
