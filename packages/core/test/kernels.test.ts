import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerNorm, ShapeError, fusedAttention, fusedPackedAttention, fusedSoftmaxCrossEntropy, gelu, linear, fastKernelsInstalled, installFastKernels, restoreStockKernels, setBackend } from '@tensorzoo/core';
import { moduleBytes, setSimdEnabled, simdGemm, simdGemmKind } from '../src/kernels/simd-gemm';
import { expectClose } from '../src/testing/index';

// TensorZoo's cpu kernels against tfjs's stock cpu kernels on many random shapes. Runs on
// the cpu backend in every project (the webgpu projects switch to it for this file).

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Deterministic pseudo-random integers (a small LCG), so failures reproduce. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  return (low: number, high: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + (state % (high - low + 1));
  };
}

let previousBackend = '';
beforeAll(async () => {
  previousBackend = tf.getBackend();
  await setBackend('cpu');
});
afterAll(async () => {
  installFastKernels('cpu');
  if (previousBackend && previousBackend !== 'cpu') await tf.setBackend(previousBackend);
});

/** Runs `compute` with tfjs's kernels, then with ours; returns both results' values. */
async function stockAndFast(compute: () => tf.Tensor[]): Promise<[Float32Array[], tf.Tensor[]]> {
  restoreStockKernels('cpu');
  const stock = compute();
  const stockValues = await Promise.all(stock.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(stock);
  installFastKernels('cpu');
  return [stockValues, compute()];
}

/**
 * Compares with the stock kernel. `tolerance` (relative above 1): the SIMD products sum in
 * float32 (like PyTorch and the GPU backends), tfjs's cpu loops in float64.
 */
async function expectSame(compute: () => tf.Tensor[], label: string, tolerance = 1e-5): Promise<void> {
  const [expected, actual] = await stockAndFast(compute);
  for (let i = 0; i < expected.length; i++) {
    try {
      await expectClose(actual[i], expected[i], { tolerance });
    } catch (error) {
      throw new Error(`${label}, output ${i}: ${(error as Error).message}`);
    }
  }
  tf.dispose(actual);
}

function randomPad(random: (low: number, high: number) => number): Pad {
  switch (random(0, 3)) {
    case 0:
      return 'same';
    case 1:
      return 'valid';
    case 2:
      return random(0, 2);
    default:
      return [[0, 0], [random(0, 2), random(0, 2)], [random(0, 2), random(0, 2)], [0, 0]];
  }
}

/** Output size along one axis for tfjs's conv shape rules, or 0 when the window does not fit. */
function outputSize(size: number, kernel: number, stride: number, pad: Pad, axis: 1 | 2): number {
  if (pad === 'same') return Math.ceil(size / stride);
  const [before, after] = pad === 'valid' ? [0, 0] : typeof pad === 'number' ? [pad, pad] : pad[axis];
  return Math.max(0, Math.floor((size + before + after - kernel) / stride) + 1);
}

describe('fast cpu kernels are installed by setBackend', () => {
  it('lists the replaced kernels', () => {
    expect(fastKernelsInstalled('cpu')).toEqual([
      'BatchMatMul', 'Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad', 'Sum', 'Mean', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Neg', 'Exp', 'Erf', 'Relu', 'Step', 'Tile', 'Transpose', 'UnsortedSegmentSum', 'Softmax', 'GatherV2', 'TensorZooAdamUpdate', 'TensorZooSgdUpdate',
      'TensorZooLayerNorm', 'TensorZooLayerNormGrad', 'TensorZooGelu', 'TensorZooGeluGrad', 'TensorZooLinear', 'TensorZooLinearGrad', 'TensorZooSoftmaxCrossEntropy', 'TensorZooSoftmaxCrossEntropyGrad', 'TensorZooAttention', 'TensorZooAttentionGrad', 'TensorZooPackedAttention', 'TensorZooPackedAttentionGrad', 'TensorZooReluGrad', 'TensorZooLeakyReluGrad',
    ]);
    restoreStockKernels('cpu');
    expect(fastKernelsInstalled('cpu')).toEqual([]);
    installFastKernels('cpu');
    expect(fastKernelsInstalled('cpu')).toHaveLength(39);
  });
});

const CONV_TOLERANCE = 1e-4;

for (const engine of ['WebAssembly SIMD', 'TypeScript'] as const) {
  describe(`Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter equal the stock kernels (${engine} products)`, () => {
    beforeAll(() => setSimdEnabled(engine === 'WebAssembly SIMD'));
    afterAll(() => setSimdEnabled(true));

    it('uses the intended matrix product', () => {
      expect(simdGemm() !== undefined).toBe(engine === 'WebAssembly SIMD');
    });

    it('on 60 random shapes (stride, padding, kernel, channel counts), forward and both gradients', async () => {
      const random = randomSource(7);
      let checked = 0;
      while (checked < 60) {
        const batch = random(1, 2);
        const [height, width] = [random(1, 9), random(1, 9)];
        const [inChannels, outChannels] = [random(1, 5), random(1, 11)];
        const [kh, kw] = [random(1, 4), random(1, 4)];
        const strides: [number, number] = [random(1, 3), random(1, 3)];
        const pad = randomPad(random);
        const [outHeight, outWidth] = [outputSize(height, kh, strides[0], pad, 1), outputSize(width, kw, strides[1], pad, 2)];
        if (outHeight < 1 || outWidth < 1) continue;
        const seed = checked + 1; // tfjs treats seed 0 as "no seed"
        const label = `x [${batch}, ${height}, ${width}, ${inChannels}], filter [${kh}, ${kw}, ${inChannels}, ${outChannels}], strides ${strides}, pad ${JSON.stringify(pad)}`;
        await expectSame(() => {
          const x = tf.randomNormal([batch, height, width, inChannels], 0, 1, 'float32', seed) as tf.Tensor4D;
          const filter = tf.randomNormal([kh, kw, inChannels, outChannels], 0, 1, 'float32', seed + 1000) as tf.Tensor4D;
          const weights = tf.randomNormal([batch, outHeight, outWidth, outChannels], 0, 1, 'float32', seed + 2000);
          const loss = (input: tf.Tensor, kernel: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad), weights));
          const output = tf.conv2d(x, filter, strides, pad);
          const [dx, dFilter] = tf.grads(loss)([x, filter]);
          tf.dispose([x, filter, weights]);
          return [output, dx, dFilter];
        }, label, CONV_TOLERANCE);
        checked++;
      }
    });

    it('dilated forward convolutions (stride 1)', async () => {
      const random = randomSource(11);
      for (let i = 0; i < 12; i++) {
        const dilations: [number, number] = [random(1, 3), random(1, 3)];
        const [kh, kw] = [random(1, 3), random(1, 3)];
        const pad = randomPad(random);
        const size = 9;
        const label = `dilations ${dilations}, kernel [${kh}, ${kw}], pad ${JSON.stringify(pad)}`;
        await expectSame(() => {
          const x = tf.randomNormal([2, size, size - 1, 3], 0, 1, 'float32', i + 1) as tf.Tensor4D;
          const filter = tf.randomNormal([kh, kw, 3, 5], 0, 1, 'float32', i + 100) as tf.Tensor4D;
          const output = tf.conv2d(x, filter, 1, pad, 'NHWC', dilations);
          tf.dispose([x, filter]);
          return [output];
        }, label, CONV_TOLERANCE);
      }
    });

    it('transposed convolutions (Conv2DBackpropInput forward, Conv2D + BackpropFilter gradients)', async () => {
      const random = randomSource(13);
      for (let i = 0; i < 20; i++) {
        const [kh, kw] = [random(1, 5), random(1, 5)];
        const stride = random(1, 3);
        const [padding, outputPadding] = [random(0, Math.min(kh, kw) - 1), random(0, stride - 1)];
        const [height, width] = [random(1, 5), random(1, 5)];
        const [outHeight, outWidth] = [(height - 1) * stride - 2 * padding + kh + outputPadding, (width - 1) * stride - 2 * padding + kw + outputPadding];
        if (outHeight < 1 || outWidth < 1) continue;
        const shape: [number, number, number, number] = [2, outHeight, outWidth, 3];
        const pad: Pad = [[0, 0], [padding, padding], [padding, padding], [0, 0]];
        await expectSame(() => {
          const x = tf.randomNormal([2, height, width, 4], 0, 1, 'float32', i + 1) as tf.Tensor4D;
          const filter = tf.randomNormal([kh, kw, 3, 4], 0, 1, 'float32', i + 100) as tf.Tensor4D;
          const weights = tf.randomNormal(shape, 0, 1, 'float32', i + 200);
          const loss = (input: tf.Tensor, kernel: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2dTranspose(input as tf.Tensor4D, kernel as tf.Tensor4D, shape, stride, pad), weights));
          const output = tf.conv2dTranspose(x, filter, shape, stride, pad);
          const [dx, dFilter] = tf.grads(loss)([x, filter]);
          tf.dispose([x, filter, weights]);
          return [output, dx, dFilter];
        }, `kernel [${kh}, ${kw}], stride ${stride}, padding ${padding}, outputPadding ${outputPadding}, input ${height}x${width}`, CONV_TOLERANCE);
      }
    });

    it('1x1 convolutions (the pointwise path) and wide channel counts', async () => {
      for (const [inChannels, outChannels, stride] of [[3, 17, 1], [16, 8, 1], [9, 4, 2]]) {
        await expectSame(() => {
          const x = tf.randomNormal([2, 5, 6, inChannels], 0, 1, 'float32', inChannels) as tf.Tensor4D;
          const filter = tf.randomNormal([1, 1, inChannels, outChannels], 0, 1, 'float32', outChannels) as tf.Tensor4D;
          const loss = (input: tf.Tensor, kernel: tf.Tensor) => tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, stride, 'valid')));
          const output = tf.conv2d(x, filter, stride, 'valid');
          const [dx, dFilter] = tf.grads(loss)([x, filter]);
          tf.dispose([x, filter]);
          return [output, dx, dFilter];
        }, `1x1 ${inChannels}->${outChannels} stride ${stride}`, CONV_TOLERANCE);
      }
    });

    it('defers NCHW to the stock kernel', async () => {
      const x = tf.randomNormal([1, 2, 5, 5], 0, 1, 'float32', 1) as tf.Tensor4D; // NCHW
      const filter = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const nchw = tf.conv2d(x, filter, 1, 'same', 'NCHW');
      const nhwc = tf.conv2d(tf.transpose(x, [0, 2, 3, 1]), filter, 1, 'same');
      await expectClose(nchw, await tf.transpose(nhwc, [0, 3, 1, 2]).data(), { tolerance: 1e-5 });
      tf.dispose([x, filter, nchw, nhwc]);
    });
  });
}

describe('MaxPool, MaxPoolGrad and Sum equal the stock kernels', () => {
  it('max pooling and its gradient on 30 random shapes, ties included', async () => {
    const random = randomSource(17);
    let checked = 0;
    while (checked < 30) {
      const [height, width, channels] = [random(1, 8), random(1, 8), random(1, 6)];
      const [kh, kw] = [random(1, 3), random(1, 3)];
      const strides: [number, number] = [random(1, 3), random(1, 3)];
      const pad = randomPad(random);
      if (typeof pad !== 'string' && (typeof pad === 'number' ? pad >= Math.min(kh, kw) : pad[1].some((p) => p >= kh) || pad[2].some((p) => p >= kw))) continue;
      if (outputSize(height, kh, strides[0], pad, 1) < 1 || outputSize(width, kw, strides[1], pad, 2) < 1) continue;
      const seed = checked + 1; // tfjs treats seed 0 as "no seed"
      const ties = checked % 2 === 0; // small integers: many equal values in a window
      await expectSame(() => {
        const noise = tf.randomNormal([2, height, width, channels], 0, 2, 'float32', seed);
        const x = (ties ? tf.round(noise) : noise) as tf.Tensor4D;
        const output = tf.maxPool(x, [kh, kw], strides, pad);
        const weights = tf.randomNormal(output.shape, 0, 1, 'float32', seed + 1);
        const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, [kh, kw], strides, pad), weights)))(x);
        tf.dispose([noise, x, weights]);
        return [output, dx];
      }, `x [2, ${height}, ${width}, ${channels}], window [${kh}, ${kw}], strides ${strides}, pad ${JSON.stringify(pad)}${ties ? ', ties' : ''}`);
      checked++;
    }
  });

  it('Sum and Mean over contiguous and scattered axes, with and without keepDims (bit-identical)', async () => {
    const axesCases: Array<number | number[]> = [0, 1, 2, 3, -1, [0, 1], [0, 1, 2], [1, 2], [2, 3], [1, 2, 3], [0, 2], [0, 3], [0, 1, 2, 3], [3, 2]];
    for (const axis of axesCases) {
      for (const keepDims of [false, true]) {
        await expectSame(() => {
          const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 5);
          const out = [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)];
          tf.dispose(x);
          return out;
        }, `sum and mean axis ${JSON.stringify(axis)} keepDims ${keepDims}`, 0);
      }
    }
    const ints = tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32');
    const total = tf.sum(ints, 0);
    expect(total.dtype).toBe('int32');
    expect(Array.from(await total.data())).toEqual([4, 6]);
    tf.dispose([ints, total]);
  });
});

describe('Add, Sub, Multiply, RealDiv, Softmax, Relu, Step and Transpose are bit-identical to the stock kernels', () => {
  const shapes: Array<[number[], number[]]> = [
    [[2, 3, 4, 5], [2, 3, 4, 5]], // same shape
    [[2, 3, 4, 5], [5]], // bias over channels
    [[2, 3, 4, 5], [1, 1, 1, 5]],
    [[2, 3, 4, 5], [4, 5]],
    [[5], [2, 3, 4, 5]], // bias on the left
    [[2, 3, 4, 5], []], // scalar
    [[], [3, 2]],
    [[1, 5], [3, 1, 5]], // output rank above both: stock path for a, fast for b
    [[2, 3, 1], [2, 1, 4]], // both operands broadcast
    [[3, 1], [1, 4]],
    [[4, 3, 6, 1], [4, 3, 6, 7]], // [B, T, 1] with [B, T, C]: LayerNorm and softmax gradients
    [[4, 3, 6, 7], [4, 3, 6, 1]],
    [[2, 3, 4, 5], [2, 1, 4, 1]],
    [[2, 1, 4, 1], [1, 3, 1, 5]],
    [[3, 1, 5], [1, 4, 1]],
    [[1, 1, 1], [2, 1, 3]],
    [[2, 0, 3], [1, 1, 3]], // empty
    [[1, 40, 1], [300, 1, 9]], // 108,000 elements
  ];
  it('on same-shape, scalar, bias-style and general broadcasts, with NaN, ±Infinity and -0', async () => {
    for (const [aShape, bShape] of shapes) {
      const special = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -3.5];
      const make = (shape: number[], seed: number) => {
        const random = randomSource(seed);
        const size = shape.reduce((x, y) => x * y, 1);
        const values = Array.from({ length: size }, (_, i) => (i % 5 === 0 ? special[(i / 5) % special.length] : (random(0, 2000) - 1000) / 137));
        return tf.tensor(values, shape, 'float32');
      };
      const a = make(aShape, 3);
      const b = make(bShape, 4);
      for (const op of [tf.add, tf.sub, tf.mul, tf.div] as const) {
        restoreStockKernels('cpu');
        const stock = op(a, b);
        installFastKernels('cpu');
        const fast = op(a, b);
        expect(fast.shape, `${op.name} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`).toEqual(stock.shape);
        expect(Array.from(await fast.data()), `${op.name} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`).toEqual(Array.from(await stock.data()));
        tf.dispose([stock, fast]);
      }
      for (const unary of [tf.relu, tf.neg, tf.exp, tf.erf, (x: tf.Tensor) => tf.step(x), (x: tf.Tensor) => tf.step(x, 0.25)]) {
        restoreStockKernels('cpu');
        const stock = unary(a);
        installFastKernels('cpu');
        const fast = unary(a);
        expect(Array.from(await fast.data()), `unary on ${JSON.stringify(aShape)}`).toEqual(Array.from(await stock.data()));
        tf.dispose([stock, fast]);
      }
      tf.dispose([a, b]);
    }
  });
  it('Softmax over the last axis, NaN and ±Infinity rows included, and its gradient', async () => {
    for (const shape of [[7], [3, 5], [2, 4, 6, 6], [2, 3, 1], [4, 0], [2, 64, 65]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const random = randomSource(size + 1);
      const special = [NaN, Infinity, -Infinity, 80, -80];
      const values = Array.from({ length: size }, (_, i) => (i % 11 === 3 ? special[i % special.length] : (random(0, 4000) - 2000) / 300));
      const x = tf.tensor(values, shape, 'float32');
      const dy = tf.randomNormal(shape, 0, 1, 'float32', size + 2);
      const compute = () => [tf.softmax(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), dy)))(x)];
      restoreStockKernels('cpu');
      const stock = compute();
      installFastKernels('cpu');
      const fast = compute();
      for (let i = 0; i < 2; i++) {
        expect(fast[i].shape).toEqual(stock[i].shape);
        expect(Array.from(await fast[i].data()), `${i === 0 ? 'softmax' : 'gradient'} ${JSON.stringify(shape)}`).toEqual(Array.from(await stock[i].data()));
      }
      tf.dispose([x, dy, ...stock, ...fast]);
    }
  });

  it('Tile of float32, int32 and bool tensors (the causal mask) on random shapes and repetitions', async () => {
    const random = randomSource(21);
    for (let trial = 0; trial < 30; trial++) {
      const rank = random(1, 4);
      const shape = Array.from({ length: rank }, () => random(trial === 0 ? 0 : 1, 4));
      const reps = Array.from({ length: rank }, () => random(1, 3));
      const size = shape.reduce((a, b) => a * b, 1);
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const x = tf.tensor(Array.from({ length: size }, (_, i) => (dtype === 'bool' ? Number(i % 3 === 0) : (i * 7) % 11 - 5 + (dtype === 'float32' ? 0.5 : 0))), shape, dtype);
        restoreStockKernels('cpu');
        const stock = tf.tile(x, reps);
        installFastKernels('cpu');
        const fast = tf.tile(x, reps);
        const label = `tile ${dtype} ${JSON.stringify(shape)} by ${reps}`;
        expect(fast.dtype, label).toBe(stock.dtype);
        expect(fast.shape, label).toEqual(stock.shape);
        expect(Array.from(await fast.data()), label).toEqual(Array.from(await stock.data()));
        tf.dispose([x, stock, fast]);
      }
    }
  });

  it('Transpose on every permutation of rank 1-4 tensors (and size 0)', async () => {
    const permutations = (items: number[]): number[][] =>
      items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    for (const shape of [[5], [3, 4], [2, 3, 4], [2, 3, 4, 5], [2, 0, 3]]) {
      for (const perm of permutations(shape.map((_, axis) => axis))) {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor(Array.from({ length: size }, (_, i) => i), shape, 'float32');
        restoreStockKernels('cpu');
        const stock = tf.transpose(x, perm);
        installFastKernels('cpu');
        const fast = tf.transpose(x, perm);
        expect(fast.shape).toEqual(stock.shape);
        expect(Array.from(await fast.data()), `transpose ${JSON.stringify(shape)} by ${perm}`).toEqual(Array.from(await stock.data()));
        tf.dispose([x, stock, fast]);
      }
    }
  });
  it('leaves int32 arithmetic to the stock kernels', async () => {
    const a = tf.tensor1d([1, 2, 3], 'int32');
    const sum = tf.add(a, tf.scalar(2, 'int32'));
    expect(sum.dtype).toBe('int32');
    expect(Array.from(await sum.data())).toEqual([3, 4, 5]);
    tf.dispose([a, sum]);
  });
});

/** The WebAssembly instruction sets this runtime compiles the GEMM with (relaxed SIMD: Chromium, Node with a flag). */
const SIMD_KINDS = (['relaxed-simd', 'simd'] as const).filter((kind) => WebAssembly.validate(moduleBytes(kind === 'relaxed-simd')));

describe('BatchMatMul', () => {
  it('uses relaxed SIMD (fused multiply-adds) where the runtime has it, else plain SIMD', () => {
    expect(simdGemmKind()).toBe(SIMD_KINDS[0]);
  });

  for (const engine of [...SIMD_KINDS, 'TypeScript'] as const) {
    it(`matches the stock kernel on 40 random shapes, transposes and batch broadcasts (${engine} GEMM)`, async () => {
      if (engine === 'TypeScript') setSimdEnabled(false);
      else setSimdEnabled(true, [engine]);
      try {
        expect(simdGemmKind()).toBe(engine === 'TypeScript' ? 'none' : engine);
        const random = randomSource(engine === 'TypeScript' ? 12 : 11);
        for (let trial = 0; trial < 40; trial++) {
          const [rows, columns, depth] = [random(1, 70), random(1, 70), random(1, 90)];
          const [transposeA, transposeB] = [random(0, 1) === 1, random(0, 1) === 1];
          const batch = random(1, 3);
          const layout = random(0, 3); // 0: both rank 2, 1: same batch, 2: a single B, 3: a single A
          const aBatch = layout === 0 || layout === 3 ? [] : [batch];
          const bBatch = layout === 0 || layout === 2 ? [] : [batch];
          const aShape = [...aBatch, ...(transposeA ? [depth, rows] : [rows, depth])];
          const bShape = [...bBatch, ...(transposeB ? [columns, depth] : [depth, columns])];
          const a = tf.randomNormal(aShape, 0, 1, 'float32', trial);
          const b = tf.randomNormal(bShape, 0, 1, 'float32', trial + 100);
          await expectSame(() => [tf.matMul(a, b, transposeA, transposeB)], `matMul ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} (${transposeA}, ${transposeB})`, 1e-4);
          tf.dispose([a, b]);
        }
      } finally {
        setSimdEnabled(true);
      }
    });
  }

  it('matches the stock kernel past the cache-blocking thresholds (packed B over 1 MiB, several row blocks, both transposes)', async () => {
    // [300 x 1100]·[1100 x 260]: 264 packed columns x 1100 deep = 1.16 MB (the panels-outer
    // loop order), 300 rows = two row blocks, 33 panels = 4 groups of the row-major packing.
    for (const [transposeA, transposeB] of [[false, false], [true, true], [false, true], [true, false]] as const) {
      const a = tf.randomNormal(transposeA ? [1100, 300] : [300, 1100], 0, 1, 'float32', 5);
      const b = tf.randomNormal(transposeB ? [260, 1100] : [1100, 260], 0, 1, 'float32', 6);
      await expectSame(() => [tf.matMul(a, b, transposeA, transposeB)], `matMul 300x260x1100 (${transposeA}, ${transposeB})`, 1e-3);
      tf.dispose([a, b]);
    }
    // A Linear layer's forward product with few rows runs as Cᵀ = B·Aᵀ (only A is packed):
    // packed Aᵀ of 281 KB, then of 1.1 MB (the panels-outer order), odd sizes included.
    for (const [rows, columns, depth] of [[64, 600, 1100], [200, 410, 1400], [13, 203, 77]]) {
      const a = tf.randomNormal([rows, depth], 0, 1, 'float32', 7);
      const b = tf.randomNormal([columns, depth], 0, 1, 'float32', 8);
      await expectSame(() => [tf.matMul(a, b, false, true)], `matMul ${rows}x${columns}x${depth} (false, true)`, 1e-3);
      tf.dispose([a, b]);
    }
  });

  it('gives the stock gradients of a Linear-like product, and leaks nothing', async () => {
    const x = tf.randomNormal([33, 40], 0, 1, 'float32', 1);
    const w = tf.randomNormal([24, 40], 0, 1, 'float32', 2);
    const grads = () => {
      const [dx, dw] = tf.grads((input: tf.Tensor, weight: tf.Tensor) => tf.sum(tf.square(tf.matMul(input, weight, false, true))))([x, w]);
      return [dx, dw];
    };
    await expectSame(grads, 'matMul gradients', 1e-4);
    const before = tf.memory().numTensors;
    tf.dispose(grads());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});

describe('fused LayerNorm (TensorZooLayerNorm, TensorZooLayerNormGrad) equals the composite ops', () => {
  /** LayerNorm forward and the gradients of a weighted sum of its output, composite (stock kernels) then fused. */
  function layerNormCase(shape: number[], affine: boolean, seed: number) {
    const columns = shape[shape.length - 1];
    return () => {
      const x = tf.randomNormal(shape, 0.3, 2, 'float32', seed);
      const weighting = tf.randomNormal(shape, 0, 1, 'float32', seed + 1);
      const layer = new LayerNorm(columns, { elementwiseAffine: affine });
      if (affine) {
        layer.weight!.assign(tf.randomNormal([columns], 1, 0.5, 'float32', seed + 2));
        layer.bias!.assign(tf.randomNormal([columns], 0, 0.5, 'float32', seed + 3));
      }
      const parameters = layer.parameters();
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.call(input), weighting)))(x);
      const output = layer.call(x);
      const results = [output, gradient];
      if (affine) {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.call(x), weighting)), parameters);
        results.push(value, ...parameters.map((variable) => grads[variable.name]));
      }
      tf.dispose([x, weighting]);
      layer.dispose();
      return results;
    };
  }

  it('forward, input gradient and weight/bias gradients on random shapes, with and without the affine step', async () => {
    const random = randomSource(77);
    for (let trial = 0; trial < 16; trial++) {
      const rank = random(1, 4);
      const shape = Array.from({ length: rank }, (_, axis) => (axis === rank - 1 ? random(1, 70) : random(1, 5)));
      const affine = trial % 3 !== 2;
      await expectSame(layerNormCase(shape, affine, 1 + trial * 10),  `LayerNorm ${JSON.stringify(shape)} affine ${affine}`, 2e-5);
    }
  });

  it('runs one kernel forward and one backward, and leaks no tensors', async () => {
    const layer = new LayerNorm(8);
    const x = tf.randomNormal([4, 3, 8], 0, 1, 'float32', 5);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.call(x))), layer.parameters());
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    const profile = await tf.profile(step);
    expect(tf.memory().numTensors).toBe(before);
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name === 'TensorZooLayerNorm')).toHaveLength(1);
    expect(names.filter((name) => name === 'TensorZooLayerNormGrad')).toHaveLength(1);
    expect(names).not.toContain('Sqrt');
    tf.dispose(x);
    layer.dispose();
  });

  it('propagates NaN and Infinity like the composite ops, and a constant row gives the bias', async () => {
    const compute = () => {
      const layer = new LayerNorm(4);
      layer.bias!.assign(tf.tensor1d([1, 2, 3, 4]));
      const x = tf.tensor2d([[1, Number.NaN, 3, 4], [2, 2, 2, 2], [1, Number.POSITIVE_INFINITY, 0, 0]]);
      const y = layer.call(x);
      tf.dispose(x);
      layer.dispose();
      return [y];
    };
    const [[stock], [fused]] = await stockAndFast(compute);
    const values = Array.from(await fused.data());
    expect(values.slice(4, 8)).toEqual([1, 2, 3, 4]);
    expect(values.map(Number.isNaN)).toEqual(Array.from(stock).map(Number.isNaN));
    fused.dispose();
  });
});

describe('fused GELU (TensorZooGelu, TensorZooGeluGrad) equals the composite ops', () => {
  it('forward and gradient on random shapes and values far in both tails, NaN and ±Infinity', async () => {
    const random = randomSource(91);
    for (let trial = 0; trial < 8; trial++) {
      const shape = Array.from({ length: random(1, 4) }, () => random(1, 9));
      await expectSame(() => {
        const x = tf.randomNormal(shape, 0, trial < 4 ? 1 : 6, 'float32', trial + 1);
        const weighting = tf.randomNormal(shape, 0, 1, 'float32', trial + 100);
        const output = gelu(x);
        const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gelu(input), weighting)))(x);
        tf.dispose([x, weighting]);
        return [output, gradient];
      }, `GELU ${JSON.stringify(shape)}`, 1e-6);
    }
    const special = () => {
      const x = tf.tensor1d([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 40, -40]);
      const output = gelu(x);
      x.dispose();
      return [output];
    };
    const [[stock], [fused]] = await stockAndFast(special);
    expect(Array.from(await fused.data())).toEqual(Array.from(stock));
    fused.dispose();
  });

  it('runs one kernel forward and one backward', async () => {
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 5);
    const profile = await tf.profile(() => {
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(gelu(input)))(x);
      gradient.dispose();
    });
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name.startsWith('TensorZooGelu'))).toEqual(['TensorZooGelu', 'TensorZooGeluGrad']);
    expect(names).not.toContain('Erf');
    x.dispose();
  });
});
describe('fused Linear (TensorZooLinear, TensorZooLinearGrad) equals the composite ops', () => {
  it('output and the gradients of input, weight and bias on 16 random shapes (leading axes, sizes past the GEMM blocks)', async () => {
    const random = randomSource(93);
    for (let trial = 0; trial < 16; trial++) {
      // Up to 300 rows (past the 256-row GEMM block); the weight gradient sums over them in float32.
      const leading = trial < 4 ? [random(200, 300)] : Array.from({ length: random(0, 2) }, () => random(1, 9));
      const [inFeatures, outFeatures] = [random(1, 70), random(1, 70)];
      const withBias = trial % 3 !== 2;
      await expectSame(() => {
        const x = tf.randomNormal([...leading, inFeatures], 0, 1, 'float32', trial + 1);
        const weight = tf.randomNormal([outFeatures, inFeatures], 0, 1, 'float32', trial + 50);
        const bias = withBias ? tf.randomNormal([outFeatures], 0, 1, 'float32', trial + 100) : undefined;
        const weighting = tf.randomNormal([...leading, outFeatures], 0, 1, 'float32', trial + 150);
        const output = linear(x, weight, bias);
        const objective = (...inputs: tf.Tensor[]) => tf.sum(tf.mul(linear(inputs[0], inputs[1], inputs[2]), weighting));
        const gradients = tf.grads(objective)(bias ? [x, weight, bias] : [x, weight]);
        tf.dispose([x, weight, weighting, ...(bias ? [bias] : [])]);
        return [output, ...gradients];
      }, `linear ${JSON.stringify([...leading, inFeatures])} -> ${outFeatures}${withBias ? ' + bias' : ''}`, 1e-4);
    }
  });

  it('propagates NaN and ±Infinity like the composite, runs one kernel each way, and leaks nothing', async () => {
    const x = tf.tensor2d([[Number.NaN, 1], [2, Number.POSITIVE_INFINITY], [1, -1]]);
    const weight = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    const bias = tf.tensor1d([0, 1, Number.NEGATIVE_INFINITY]);
    const [[stock], [fused]] = await stockAndFast(() => [linear(x, weight, bias)]);
    expect(Array.from(await fused.data())).toEqual(Array.from(stock));
    fused.dispose();
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(linear(a, b)))([weight, weight]);
      tf.dispose(gradients);
    });
    const names = profile.kernels.map((kernel) => kernel.name);
    // One forward launch, one gradient launch per input that needs one.
    expect(names.filter((name) => name.startsWith('TensorZooLinear'))).toEqual(['TensorZooLinear', 'TensorZooLinearGrad', 'TensorZooLinearGrad']);
    expect(names).not.toContain('BatchMatMul');
    expect(tf.memory().numTensors).toBe(before);
    // Differentiating for the weight alone (a first layer: its input needs no gradient)
    // skips the input's product; with a bias, its sum is a launch of its own.
    const weightOnly = await tf.profile(() => {
      const gradients = tf.grads((w: tf.Tensor, b: tf.Tensor) => tf.sum(linear(x, w, b)))([weight, bias]);
      tf.dispose(gradients);
    });
    const launches = weightOnly.kernels.filter((kernel) => kernel.name === 'TensorZooLinearGrad').map((kernel) => kernel.inputShapes.length);
    expect(launches).toHaveLength(2); // dweight and dbias, no dx
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, weight, bias]);
  });

  it('rejects operands that do not fit, naming linear and the shapes', () => {
    const x = tf.zeros([2, 3]);
    expect(() => linear(x, tf.zeros([4, 5]))).toThrow(ShapeError);
    expect(() => linear(x, tf.zeros([4, 5]))).toThrow(/linear.*input/);
    expect(() => linear(x, tf.zeros([4, 3]), tf.zeros([5]))).toThrow(/linear.*bias/);
    expect(() => linear(x, tf.zeros([3]))).toThrow(/linear.*weight/);
    x.dispose();
  });
});

describe('fused softmax cross-entropy (TensorZooSoftmaxCrossEntropy, ...Grad) equals the composite ops', () => {
  /** The composite: -logSoftmax(logits)[label] per sample. */
  const composite = (logits: tf.Tensor, labels: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, logits.shape[logits.rank - 1]).cast('float32')), -1));

  it('per-sample losses and the logits gradient on random shapes, large logits included', async () => {
    const random = randomSource(95);
    for (let trial = 0; trial < 12; trial++) {
      const leading = Array.from({ length: random(0, 2) }, () => random(1, 9));
      const classes = random(2, trial < 3 ? 300 : 20);
      const scale = trial % 4 === 3 ? 60 : 3; // exp would overflow without the max shift
      const labels = tf.tensor(Int32Array.from({ length: leading.reduce((a, b) => a * b, 1) }, () => random(0, classes - 1)), leading, 'int32');
      const logits = tf.randomNormal([...leading, classes], 0, scale, 'float32', trial + 1);
      const weighting = tf.randomNormal(leading, 0, 1, 'float32', trial + 40);
      const [[expectedLoss, expectedGradient]] = [[composite(logits, labels), tf.grad((z: tf.Tensor) => tf.sum(tf.mul(composite(z, labels), weighting)))(logits)]];
      const loss = fusedSoftmaxCrossEntropy(logits, labels)!;
      const gradient = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(fusedSoftmaxCrossEntropy(z, labels)!, weighting)))(logits);
      await expectClose(loss, Array.from(await expectedLoss.data()), { tolerance: 1e-5 });
      await expectClose(gradient, Array.from(await expectedGradient.data()), { tolerance: 1e-5 });
      tf.dispose([labels, logits, weighting, expectedLoss, expectedGradient, loss, gradient]);
    }
  });

  it('runs one kernel each way, gives NaN for NaN logits and labels outside the classes, and leaks nothing', async () => {
    const logits = tf.tensor2d([[1, Number.NaN, 0], [2, 1, 0], [0, 0, 0]]);
    const labels = tf.tensor1d([0, 1, 3], 'int32');
    const before = tf.memory().numTensors;
    const loss = fusedSoftmaxCrossEntropy(logits, labels)!;
    const values = Array.from(await loss.data());
    expect(Number.isNaN(values[0])).toBe(true);
    expect(values[1]).toBeCloseTo(Math.log(Math.exp(2) + Math.exp(1) + 1) - 1, 6);
    expect(Number.isNaN(values[2])).toBe(true); // label 3 of 3 classes
    loss.dispose();
    const profile = await tf.profile(() => tf.dispose(tf.grad((z: tf.Tensor) => tf.sum(fusedSoftmaxCrossEntropy(z, labels)!))(logits)));
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name.startsWith('TensorZooSoftmax'))).toEqual(['TensorZooSoftmaxCrossEntropy', 'TensorZooSoftmaxCrossEntropyGrad']);
    expect(names).not.toContain('OneHot');
    expect(tf.memory().numTensors).toBe(before);
    // Not a float32 [..., C] / int32 [...] pair: the caller's composite path.
    expect(fusedSoftmaxCrossEntropy(logits, tf.tensor1d([0, 1, 2], 'float32'))).toBeUndefined();
    tf.dispose([logits, labels]);
  });
});

describe('fused attention (TensorZooAttention, TensorZooAttentionGrad) equals the composite ops', () => {
  /** The composite: softmax(q·kᵀ·scale + causal bias)·v, the causal bias -1e9 where a query may not look. */
  function composite(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number, causal: boolean): tf.Tensor {
    let scores = tf.mul(tf.matMul(q, k, false, true), scale);
    if (causal) {
      const [queryLength, keyLength] = [q.shape[q.rank - 2], k.shape[k.rank - 2]];
      const bias = tf.tensor2d(Float32Array.from({ length: queryLength * keyLength }, (_, index) => (index % keyLength <= Math.floor(index / keyLength) + keyLength - queryLength ? 0 : -1e9)), [queryLength, keyLength]);
      scores = tf.add(scores, bias);
    }
    return tf.matMul(tf.softmax(scores), v);
  }

  it('output and the gradients of query, key and value on 12 random shapes, causal (Tq <= Tk) or not', async () => {
    const random = randomSource(97);
    for (let trial = 0; trial < 12; trial++) {
      const leading = Array.from({ length: random(1, 2) }, () => random(1, 4));
      const keyLength = random(1, trial < 2 ? 80 : 12);
      const queryLength = trial % 3 === 0 ? 1 : random(1, keyLength); // 1: a KV-cache decoding step
      const [depth, valueDepth] = [random(1, 16), random(1, 16)];
      const causal = trial % 2 === 0;
      const scale = 1 / Math.sqrt(depth);
      const q = tf.randomNormal([...leading, queryLength, depth], 0, 1, 'float32', trial + 1);
      const k = tf.randomNormal([...leading, keyLength, depth], 0, 1, 'float32', trial + 30);
      const v = tf.randomNormal([...leading, keyLength, valueDepth], 0, 1, 'float32', trial + 60);
      const weighting = tf.randomNormal([...leading, queryLength, valueDepth], 0, 1, 'float32', trial + 90);
      const objective = (attend: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(attend(a, b, c), weighting));
      const expected = [composite(q, k, v, scale, causal), ...tf.grads(objective((a, b, c) => composite(a, b, c, scale, causal)))([q, k, v])];
      const fusedCall = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => fusedAttention(a, b, c, { scale, causal })!;
      const actual = [fusedCall(q, k, v), ...tf.grads(objective(fusedCall))([q, k, v])];
      const label = `attention q ${JSON.stringify(q.shape)} k ${JSON.stringify(k.shape)} v ${JSON.stringify(v.shape)}${causal ? ' causal' : ''}`;
      for (let index = 0; index < expected.length; index++) {
        try {
          await expectClose(actual[index], Array.from(await expected[index].data()), { tolerance: 1e-4 });
        } catch (error) {
          throw new Error(`${label}, output ${index}: ${(error as Error).message}`);
        }
      }
      tf.dispose([q, k, v, weighting, ...expected, ...actual]);
    }
  });

  it('runs one kernel each way, leaks nothing, and leaves what it cannot do to the composite (causal with Tq > Tk)', async () => {
    const q = tf.randomNormal([2, 3, 5, 4], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => tf.dispose(tf.grads((a: tf.Tensor) => tf.sum(fusedAttention(a, a, a, { scale: 0.5, causal: true })!))([q])));
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name.startsWith('TensorZooAttention'))).toEqual(['TensorZooAttention', 'TensorZooAttentionGrad']);
    expect(names).not.toContain('Softmax');
    expect(tf.memory().numTensors).toBe(before);
    const keys = tf.randomNormal([2, 3, 4, 4], 0, 1, 'float32', 2);
    expect(fusedAttention(q, keys, keys, { scale: 0.5, causal: true })).toBeUndefined();
    tf.dispose([q, keys]);
  });
});

describe('fused packed self-attention (TensorZooPackedAttention, TensorZooPackedAttentionGrad)', () => {
  /** The reference: split the heads of `qkv` [B, T, 3, H, D] by transposes, fusedAttention, merge the heads. */
  function split(qkv: tf.Tensor, scale: number, causal: boolean): tf.Tensor {
    const [q, k, v] = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4]));
    return tf.transpose(fusedAttention(q, k, v, { scale, causal })!, [0, 2, 1, 3]);
  }

  it('output and the gradient of qkv equal the split heads through fusedAttention bit for bit, on 10 random shapes', async () => {
    const random = randomSource(101);
    for (let trial = 0; trial < 10; trial++) {
      const [batch, length, heads, depth] = [random(1, 2), trial < 3 ? 8 * random(1, 3) : random(1, 12), random(1, 3), trial < 3 ? 8 : random(1, 9)];
      const causal = trial % 2 === 0;
      const scale = 1 / Math.sqrt(depth);
      const qkv = tf.randomNormal([batch, length, 3, heads, depth], 0, 1, 'float32', trial + 1);
      const weighting = tf.randomNormal([batch, length, heads, depth], 0, 1, 'float32', trial + 50);
      const objective = (attend: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.mul(attend(x), weighting));
      const packed = (x: tf.Tensor) => fusedPackedAttention(x, { scale, causal })!;
      const reference = (x: tf.Tensor) => split(x, scale, causal);
      const expected = [reference(qkv), tf.grad(objective(reference))(qkv)];
      const actual = [packed(qkv), tf.grad(objective(packed))(qkv)];
      for (let index = 0; index < 2; index++) {
        expect(actual[index].shape).toEqual(expected[index].shape);
        const [a, e] = [await actual[index].data(), await expected[index].data()];
        const first = e.findIndex((value, i) => !Object.is(value, a[i]));
        expect(first, `qkv ${JSON.stringify(qkv.shape)}${causal ? ' causal' : ''}, output ${index}: element ${first} (${a[first]} vs ${e[first]})`).toBe(-1);
      }
      tf.dispose([qkv, weighting, ...expected, ...actual]);
    }
  });

  it('runs one kernel each way with no transposes, leaks nothing, and declines what it cannot take', async () => {
    const qkv = tf.randomNormal([2, 8, 3, 2, 4], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => tf.dispose(tf.grad((x: tf.Tensor) => tf.sum(fusedPackedAttention(x, { scale: 0.5, causal: true })!))(qkv)));
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name.startsWith('TensorZooPackedAttention'))).toEqual(['TensorZooPackedAttention', 'TensorZooPackedAttentionGrad']);
    expect(names).not.toContain('Transpose');
    expect(tf.memory().numTensors).toBe(before);
    const notPacked = tf.zeros([2, 8, 2, 2, 4]);
    expect(fusedPackedAttention(notPacked, { scale: 0.5, causal: false })).toBeUndefined();
    expect(fusedPackedAttention(qkv.reshape([2, 8, 24]), { scale: 0.5, causal: false })).toBeUndefined();
    expect(fusedPackedAttention(qkv, { scale: Number.NaN, causal: false })).toBeUndefined();
    tf.dispose([qkv, notPacked]);
  });
});

describe('GatherV2 (axis 0) equals the stock kernel', () => {
  it('float32, int32 and bool rows on random shapes and index tensors, with repeats', async () => {
    const random = randomSource(99);
    for (let trial = 0; trial < 10; trial++) {
      const shape = [random(1, 30), ...Array.from({ length: random(0, 2) }, () => random(1, 6))];
      const indexShape = Array.from({ length: random(1, 2) }, () => random(1, 7));
      const ids = tf.tensor(Int32Array.from({ length: indexShape.reduce((a, b) => a * b, 1) }, () => random(0, shape[0] - 1)), indexShape, 'int32');
      await expectSame(() => [tf.gather(tf.randomNormal(shape, 0, 1, 'float32', trial + 1), ids)], `gather float32 ${JSON.stringify(shape)} by ${JSON.stringify(indexShape)}`, 0);
      const [[stockInts], [fastInts]] = await stockAndFast(() => [tf.gather(tf.range(0, shape.reduce((a, b) => a * b, 1), 1, 'int32').reshape(shape), ids)]);
      expect(fastInts.dtype).toBe('int32');
      expect(Array.from(await fastInts.data())).toEqual(Array.from(stockInts));
      const [[stockBools], [fastBools]] = await stockAndFast(() => [tf.gather(tf.greater(tf.randomNormal(shape, 0, 1, 'float32', trial + 9), 0), ids)]);
      expect(fastBools.dtype).toBe('bool');
      expect(Array.from(await fastBools.data())).toEqual(Array.from(stockBools));
      tf.dispose([ids, fastInts, fastBools]);
    }
  });

  it('leaves other axes and out-of-range indices to the stock kernel (its error)', () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const columns = tf.gather(x, tf.tensor1d([1, 0], 'int32'), 1);
    expect(Array.from(columns.dataSync())).toEqual([2, 1, 4, 3]);
    expect(() => tf.gather(x, tf.tensor1d([2], 'int32'))).toThrow(/GatherV2: the index value 2 is not in \[0, 1\]/);
    tf.dispose([x, columns]);
  });
});

describe('fused kernels under second-order gradients', () => {
  it('a gradient penalty through linear, gelu and LayerNorm equals the composite ops; attention and cross-entropy step aside', async () => {
    const x = tf.randomNormal([2, 3, 8], 0, 1, 'float32', 1);
    const w = tf.randomNormal([8, 8], 0, 0.5, 'float32', 2);
    const labels = tf.tensor2d([[0, 1, 7], [3, 3, 2]], [2, 3], 'int32');
    const norm = new LayerNorm(8);
    const penalty = () => [
      tf.grad((weight: tf.Tensor) => {
        // ‖∇x loss‖² as a function of the weight: the inner gradient is differentiated again.
        const inner = tf.grad((input: tf.Tensor) => {
          const h = norm.call(gelu(linear(input, weight))).reshape([2, 1, 3, 8]);
          // Under a second-order gradient these two must step aside (undefined): the caller's composite runs.
          const attended = fusedAttention(h, h, h, { scale: 0.5, causal: true }) ?? tf.matMul(tf.softmax(tf.mul(tf.matMul(h, h, false, true), 0.5)), h);
          const logits = attended.reshape([2, 3, 8]);
          return tf.sum(fusedSoftmaxCrossEntropy(logits, labels) ?? tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, 8).cast('float32')), -1)));
        })(x);
        return tf.sum(tf.square(inner));
      })(w),
    ];
    await expectSame(penalty, 'second-order gradient', 1e-4);
    tf.dispose([x, w, labels]);
    norm.dispose();
  });
});
