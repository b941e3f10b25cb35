import * as tf from '@tensorflow/tfjs-core';
import { loadFemaleFirstNames } from '@tensorzoo/datasets';
import { CharTokenizer, GPT } from '@tensorzoo/transformer';

// #region gpt
const tokenizer = CharTokenizer.fromText(loadFemaleFirstNames().join('\n'));
const gpt = new GPT({ vocabSize: tokenizer.size, contextLength: 16, dModel: 32, numHeads: 4, numLayers: 2, dimFeedforward: 128, rng: 0 });
const ids = tf.tensor2d([tokenizer.encode('Emma'), tokenizer.encode('Olga')], [2, 4], 'int32'); // [B, T] int32
const logits = gpt.call(ids); //                                                                  [2, 4, V]
gpt.eval();
const continuation: number[] = [];
for await (const token of gpt.generate(tokenizer.encode('Ma'), { maxNewTokens: 6, strategy: 'topK', topK: 5, seed: 1 })) {
  continuation.push(token); // streamed one by one, with a KV cache
}
console.log(tokenizer.decode(continuation)); // untrained: random letters; train it with `tensorzoo train gpt-names`
// #endregion gpt

export { logits, continuation };
