import * as tf from '@tensorflow/tfjs-core';
import { Seq2SeqTransformer } from '@tensorzoo/transformer';

// #region seq2seq
const model = new Seq2SeqTransformer({
  sourceVocabSize: 13, targetVocabSize: 13, //  digits 0-9 + <pad> <bos> <eos>
  dModel: 32, numHeads: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64, maxLength: 16, rng: 0,
});
const source = tf.tensor2d([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0]], [2, 5], 'int32'); //      [B, S]
const sourcePaddingMask = tf.tensor2d([[false, false, false, false, false], [false, false, false, true, true]], [2, 5], 'bool'); // true = padding
const target = tf.tensor2d([[11, 5, 1, 4, 1], [11, 6, 2, 9, 12]], [2, 5], 'int32'); // <bos> + target, shifted right
const logits = model.call({ source, target, sourcePaddingMask }); //                  [2, 5, 13], causal decoder
model.eval();
const decoded = await model.greedyDecode(source, { startToken: 11, stopTokens: [12], maxNewTokens: 6, sourcePaddingMask });
// #endregion seq2seq

export { logits, decoded };
