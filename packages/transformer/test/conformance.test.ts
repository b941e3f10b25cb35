import * as tf from '@tensorflow/tfjs-core';
import { describeModuleConformance } from '@tensorzoo/core/testing';
import {
  GPT,
  Seq2SeqTransformer,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '../src/index';

// Tiny sizes (d 8, 2 heads, seq 4-6). On the software WebGPU adapter a training step of these
// models takes seconds (hundreds of small dispatches); there the suite only checks that the
// loss falls, and 5 steps show it.
const onCpu = tf.getBackend() === 'cpu';
const timeout = onCpu ? 60_000 : 600_000;
const overfitWith = (lr: number) => ({ steps: onCpu ? 60 : 5, lr, factor: 0.5 });
const overfit = overfitWith(0.1);
const sizes = { dModel: 8, numHeads: 2, dimFeedforward: 16, dropout: 0.1 };
const normal = (shape: number[], seed: number) => () => tf.randomNormal(shape, 0, 1, 'float32', seed);
const ids = (rows: number[][]) => tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');

describeModuleConformance('TransformerEncoderLayer (post-norm, ReLU)', {
  modelClass: TransformerEncoderLayer,
  create: (seed) => new TransformerEncoderLayer({ ...sizes, rng: seed }),
  input: normal([2, 5, 8], 1),
  outputShape: [2, 5, 8],
  timeout,
  overfit,
});

describeModuleConformance('TransformerEncoderLayer (pre-norm, GELU)', {
  modelClass: TransformerEncoderLayer,
  create: (seed) => new TransformerEncoderLayer({ ...sizes, normFirst: true, activation: 'gelu', rng: seed }),
  input: normal([2, 5, 8], 2),
  outputShape: [2, 5, 8],
  timeout,
  overfit,
});

describeModuleConformance('TransformerDecoderLayer', {
  modelClass: TransformerDecoderLayer,
  create: (seed) => new TransformerDecoderLayer({ ...sizes, rng: seed }),
  input: () => ({ target: normal([2, 4, 8], 3)(), memory: normal([2, 6, 8], 4)() }),
  outputShape: [2, 4, 8],
  timeout,
  overfit,
});

describeModuleConformance('TransformerEncoder (2 layers + norm)', {
  modelClass: TransformerEncoder,
  create: (seed) => new TransformerEncoder({ ...sizes, numLayers: 2, norm: true, rng: seed }),
  input: normal([2, 5, 8], 5),
  outputShape: [2, 5, 8],
  timeout,
  overfit,
});

describeModuleConformance('TransformerDecoder (2 layers + norm, pre-norm)', {
  modelClass: TransformerDecoder,
  create: (seed) => new TransformerDecoder({ ...sizes, numLayers: 2, norm: true, normFirst: true, rng: seed }),
  input: () => ({ target: normal([2, 4, 8], 6)(), memory: normal([2, 5, 8], 7)() }),
  outputShape: [2, 4, 8],
  timeout,
  overfit,
});

describeModuleConformance('Transformer (1 + 1 layers)', {
  modelClass: Transformer,
  create: (seed) => new Transformer({ ...sizes, numEncoderLayers: 1, numDecoderLayers: 1, rng: seed }),
  input: () => ({ source: normal([2, 6, 8], 8)(), target: normal([2, 4, 8], 9)() }),
  outputShape: [2, 4, 8],
  timeout,
  overfit,
});

describeModuleConformance('Seq2SeqTransformer', {
  modelClass: Seq2SeqTransformer,
  create: (seed) =>
    new Seq2SeqTransformer({
      sourceVocabSize: 7,
      targetVocabSize: 9,
      ...sizes,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      maxLength: 8,
      rng: seed,
    }),
  input: () => ({
    source: ids([
      [1, 2, 3, 4, 5, 0],
      [6, 5, 4, 3, 0, 0],
    ]),
    target: ids([
      [0, 1, 2, 3],
      [0, 8, 7, 6],
    ]),
    sourcePaddingMask: tf.tensor2d([[false, false, false, false, false, true], [false, false, false, false, true, true]], [2, 6], 'bool'),
  }),
  outputShape: [2, 4, 9],
  timeout,
  overfit,
});

for (const tieWeights of [true, false]) {
  describeModuleConformance(`GPT (${tieWeights ? 'tied' : 'untied'} lm_head)`, {
    modelClass: GPT,
    create: (seed) => new GPT({ vocabSize: 10, contextLength: 7, dModel: 8, numHeads: 2, numLayers: 2, dropout: 0.1, tieWeights, rng: seed }),
    input: () =>
      ids([
        [1, 2, 3, 4, 5],
        [9, 8, 7, 6, 0],
      ]),
    outputShape: [2, 5, 10],
    timeout,
    // nanoGPT's N(0, 0.02) init gives tiny logits: 60 large steps fit the random target on cpu;
    // the 5 steps of the WebGPU projects need a smaller one (at 2 the loss rises first).
    overfit: overfitWith(onCpu ? 2 : 0.3),
  });
}
