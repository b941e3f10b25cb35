import * as tf from '@tensorflow/tfjs-core';
import { MultiHeadAttention } from '@tensorzoo/attention';
import { TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer } from '@tensorzoo/transformer';

const x = tf.randomNormal([2, 7, 16], 0, 1, 'float32', 1); //      [B, T, E]
const memory = tf.randomNormal([2, 9, 16], 0, 1, 'float32', 2); // [B, S, E]
const padding = tf.tensor2d([[0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1, 1]], [2, 9], 'bool'); // true = padding

// #region layers
const encoderLayer = new TransformerEncoderLayer({ dModel: 16, numHeads: 4, dimFeedforward: 32, dropout: 0, rng: 0 });
const encoded = encoderLayer.call(x, { causal: true }); //                                  [2, 7, 16]
const decoderLayer = new TransformerDecoderLayer({ dModel: 16, numHeads: 4, dimFeedforward: 32, dropout: 0, rng: 1 });
const decoded = decoderLayer.call({ target: x, memory }, { causal: true, memoryPaddingMask: padding }); // [2, 7, 16]
const encoder = new TransformerEncoder({ dModel: 16, numHeads: 4, numLayers: 3, normFirst: true, rng: 2 }); // layers.0..2
// #endregion layers

// #region mha
const selfAttention = new MultiHeadAttention(16, 4, { rng: 3 }); //             in_proj_weight [48, 16]
const attended = selfAttention.call(x, { causal: true }); //                   [2, 7, 16]
const crossAttention = new MultiHeadAttention(16, 4, { keyDim: 8, valueDim: 12, rng: 4 }); // q/k/v_proj_weight
const keys = tf.randomNormal([2, 9, 8]);
const values = tf.randomNormal([2, 9, 12]);
const crossed = crossAttention.call({ query: x, key: keys, value: values }, { keyPaddingMask: padding }); // [2, 7, 16]
// #endregion mha

export { encoded, decoded, encoder, attended, crossed };
