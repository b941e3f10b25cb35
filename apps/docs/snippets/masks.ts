import * as tf from '@tensorflow/tfjs-core';
import { causalMask, MultiHeadAttention, scaledDotProductAttention } from '@tensorzoo/attention';
import { setBackend } from '@tensorzoo/core';

await setBackend('cpu');
const x = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 1); // [B, T, E]

// scaledDotProductAttention: bool mask, true = MAY attend (F.scaled_dot_product_attention).
const allowed = causalMask(4); //                              [T, T], lower triangle true
const viaCausal = scaledDotProductAttention(x, x, x, { causal: true });
const viaMask = scaledDotProductAttention(x, x, x, { mask: allowed });

// MultiHeadAttention and the Transformer layers: bool masks, true = BLOCKED (nn.MultiheadAttention).
const attention = new MultiHeadAttention(8, 2, { rng: 0 });
const blocked = tf.logicalNot(causalMask(4)); //                [T, T], upper triangle true
const viaAttentionMask = attention.call(x, { attentionMask: blocked });
const viaCausalFlag = attention.call(x, { causal: true });

// Padding: keyPaddingMask [B, Tk], true = this key is padding (PyTorch key_padding_mask).
const padding = tf.tensor2d([[false, false, false, true], [false, false, true, true]], [2, 4], 'bool');
const padded = attention.call(x, { keyPaddingMask: padding, causal: true }); // [2, 4, 8]

// Both conventions give the same attention.
const difference = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
console.log(difference(viaCausal, viaMask), difference(viaAttentionMask, viaCausalFlag)); // 0 0

export { viaCausal, viaMask, viaAttentionMask, viaCausalFlag, padded, difference };
