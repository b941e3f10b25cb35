// Token ids outside the vocabulary throw an ArgumentError naming the module path, the id and
// the vocabulary size (issue 10 item 8), instead of tfjs's raw GatherV2 error. Where the
// backend cannot read values synchronously (webgpu) the bad ids give NaN logits instead.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Embedding, readValueRange } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import { GPT, Seq2SeqTransformer } from '../src/index';

const checksRun = () => {
  const probe = tf.scalar(1);
  const readable = readValueRange(probe) !== undefined;
  probe.dispose();
  return readable;
};

describe('token ids outside the vocabulary', () => {
  it.each([1000, -1])('GPT with id %i throws an ArgumentError with the path, the id and the vocabulary size; no leak', async (id) => {
    const gpt = new GPT({ vocabSize: 10, contextLength: 8, dModel: 8, numHeads: 2, numLayers: 1, rng: 1 });
    const ids = tf.tensor2d([[1, id, 3]], [1, 3], 'int32');
    const before = tf.memory().numTensors;
    if (checksRun()) {
      expect(() => gpt.call(ids)).toThrow(ArgumentError);
      // The path is the module's own (set on the first call), as in every shape error.
      expect(gpt.token_embedding.path).toMatch(/^GPT\.token_embedding/);
      expect(() => gpt.call(ids)).toThrow(`${gpt.token_embedding.path}: token id ${id} (in ids [1, 3]) is outside the vocabulary [0, 10).`);
      expect(() => gpt.call(ids)).toThrow("Check the tokenizer: its ids must be below the model's vocabulary size 10.");
    } else {
      const output = gpt.call(ids);
      expect(Array.from(await output.data()).some(Number.isNaN)).toBe(true);
      output.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    // Valid ids run; validateIds = false skips the check.
    const logits = gpt.call(tf.tidy(() => tf.tensor2d([[0, 9, 3]], [1, 3], 'int32')));
    expect(logits.shape).toEqual([1, 3, 10]);
    gpt.token_embedding.validateIds = false;
    expect(gpt.token_embedding.validateIds).toBe(false);
    tf.dispose([ids, logits]);
    gpt.dispose();
  });

  it('a bare Embedding and the Seq2Seq embeddings name their own paths', () => {
    const embedding = new Embedding(5, 2, { rng: 0 });
    const seq2seq = new Seq2SeqTransformer({ sourceVocabSize: 6, targetVocabSize: 7, dModel: 8, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, rng: 2 });
    const bad = tf.tensor2d([[1, 6]], [1, 2], 'int32');
    const good = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    if (checksRun()) {
      expect(() => seq2seq.call({ source: bad, target: good })).toThrow(ArgumentError);
      expect(seq2seq.source_embedding.path).toMatch(/^Seq2SeqTransformer\.source_embedding/);
      expect(() => embedding.call(tf.tensor1d([5], 'int32'))).toThrow(`${embedding.path}: token id 5 (in ids [1]) is outside the vocabulary [0, 5).`);
      expect(() => seq2seq.call({ source: bad, target: good })).toThrow(
        `${seq2seq.source_embedding.path}: token id 6 (in ids [1, 2]) is outside the vocabulary [0, 6).`,
      );
      expect(() => seq2seq.call({ source: good, target: tf.tensor2d([[7, 0]], [1, 2], 'int32') })).toThrow(
        `${seq2seq.target_embedding.path}: token id 7 (in ids [1, 2]) is outside the vocabulary [0, 7).`,
      );
    }
    tf.dispose([bad, good]);
    embedding.dispose();
    seq2seq.dispose();
  });
});
