import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@tensorzoo/core';
import { GPT, Seq2SeqTransformer, argmax, createDecoderCaches, generate, sampleToken } from '../src/index';
import { Generator } from '@tensorzoo/core';
import { expectClose } from '@tensorzoo/core/testing';

const VOCAB = 11;
// Every new sequence length compiles new shaders on WebGPU, and the software adapter is slow:
// generate fewer tokens there, and allow more time.
const onCpu = tf.getBackend() === 'cpu';
const count = (cpu: number, other: number) => (onCpu ? cpu : other);
const timeout = onCpu ? 60_000 : 300_000;

function tinyGPT(options: { contextLength?: number; tieWeights?: boolean; seed?: number } = {}): GPT {
  const model = new GPT({
    vocabSize: VOCAB,
    contextLength: options.contextLength ?? 12,
    dModel: 16,
    numHeads: 2,
    numLayers: 2,
    dimFeedforward: 32,
    tieWeights: options.tieWeights,
    initStd: 0.3, // larger than nanoGPT's 0.02, so that the logits are far apart and greedy choices are not near ties
    rng: options.seed ?? 1,
  });
  return model.eval();
}

function tinySeq2Seq(): Seq2SeqTransformer {
  return new Seq2SeqTransformer({
    sourceVocabSize: 9,
    targetVocabSize: VOCAB,
    dModel: 16,
    numHeads: 2,
    numEncoderLayers: 1,
    numDecoderLayers: 2,
    dimFeedforward: 32,
    maxLength: 12,
    rng: 2,
  }).eval();
}

/** Logits of the full causal forward pass over `tokens`, as plain arrays per position. */
async function fullLogits(model: GPT, tokens: number[]): Promise<number[][]> {
  const ids = tf.tensor2d([tokens], [1, tokens.length], 'int32');
  const logits = model.call(ids);
  const values = (await logits.array()) as number[][][];
  tf.dispose([ids, logits]);
  return values[0];
}

describe('KV cache: incremental decoding equals the full forward pass', () => {
  it('GPT: token by token and prefill + steps give the full-pass logits (1e-5)', async () => {
    const model = tinyGPT({ tieWeights: false });
    const ids = tf.tensor2d([[1, 5, 2, 9, 0, 3, 7], [4, 4, 8, 1, 10, 6, 2]], [2, 7], 'int32');
    const full = model.call(ids); // [2, 7, V]
    for (const chunks of [[1, 1, 1, 1, 1, 1, 1], [3, 1, 2, 1]]) {
      const cache = model.createGenerationState();
      const parts: tf.Tensor[] = [];
      let start = 0;
      for (const size of chunks) {
        const chunk = tf.slice(ids, [0, start], [2, size]);
        parts.push(model.call(chunk, { cache }));
        chunk.dispose();
        start += size;
      }
      expect(cache.length).toBe(7);
      const stepwise = tf.concat(parts, 1);
      await expectClose(stepwise, await full.data(), { tolerance: 1e-5 });
      tf.dispose([...parts, stepwise]);
      cache.dispose();
    }
    tf.dispose([ids, full]);
    model.dispose();
  }, timeout);

  it('Seq2SeqTransformer: decoding with caches gives the full-pass logits (1e-5)', async () => {
    const model = tinySeq2Seq();
    const source = tf.tensor2d([[1, 2, 3, 4, 0], [5, 6, 7, 8, 8]], [2, 5], 'int32');
    const sourcePaddingMask = tf.tensor2d([[false, false, false, false, true], [false, false, false, false, false]], [2, 5], 'bool');
    const target = tf.tensor2d([[1, 3, 5, 7, 9, 2], [1, 10, 8, 6, 4, 0]], [2, 6], 'int32');
    const full = model.call({ source, target, sourcePaddingMask }); // [2, 6, V]
    const memory = model.encode(source, sourcePaddingMask);
    const caches = createDecoderCaches(2);
    const parts: tf.Tensor[] = [];
    for (let t = 0; t < 6; t++) {
      const token = tf.slice(target, [0, t], [2, 1]);
      parts.push(model.decode(token, memory, { memoryPaddingMask: sourcePaddingMask, caches, offset: t }));
      token.dispose();
    }
    const stepwise = tf.concat(parts, 1);
    await expectClose(stepwise, await full.data(), { tolerance: 1e-5 });
    for (const cache of caches) {
      cache.self.dispose();
      cache.cross.dispose();
    }
    tf.dispose([source, sourcePaddingMask, target, full, memory, ...parts, stepwise]);
    model.dispose();
  }, timeout);
});

describe('generate', () => {
  it('greedy picks the argmax of the full forward pass at every step', async () => {
    const model = tinyGPT();
    const prompt = [3, 1, 4];
    const tokens = await generate(model, prompt, { maxNewTokens: count(6, 3) });
    expect(tokens).toHaveLength(count(6, 3));
    const logits = await fullLogits(model, [...prompt, ...tokens.slice(0, -1)]);
    tokens.forEach((token, i) => expect(token).toBe(argmax(logits[prompt.length - 1 + i])));
    model.dispose();
  }, timeout);

  it('processes the prompt once, then one token per step', async () => {
    const model = tinyGPT();
    const shapes: number[][] = [];
    const step = model.decodeStep.bind(model);
    model.decodeStep = (ids, state) => {
      shapes.push(ids.shape);
      return step(ids, state);
    };
    const tokens = await generate(model, [3, 1, 4, 1], { maxNewTokens: count(5, 3) });
    expect(new Set(tokens).size).toBeGreaterThan(1); // not a degenerate repetition
    expect(shapes).toEqual([[1, 4], ...new Array(count(5, 3) - 1).fill([1, 1])]);
    model.dispose();
  }, timeout);

  it('topK = 1 and beam width 1 equal greedy; streaming equals generate and calls onToken', async () => {
    const model = tinyGPT();
    const prompt = [2, 7];
    const maxNewTokens = count(6, 3);
    const greedy = await generate(model, prompt, { maxNewTokens });
    expect(await generate(model, prompt, { maxNewTokens, strategy: 'topK', topK: 1, seed: 5 })).toEqual(greedy);
    expect(await generate(model, prompt, { maxNewTokens, strategy: 'beam', beamWidth: 1 })).toEqual(greedy);
    const seen: Array<[number, number]> = [];
    const streamed: number[] = [];
    for await (const token of model.generate(prompt, { maxNewTokens, onToken: (token, index) => seen.push([token, index]) })) streamed.push(token);
    expect(streamed).toEqual(greedy);
    expect(seen).toEqual(greedy.map((token, index) => [token, index]));
    model.dispose();
  }, timeout);

  it('sampling is reproducible with a seed and varies with it', async () => {
    const model = tinyGPT();
    const options = { maxNewTokens: count(8, 4), temperature: 3, seed: 11 } as const;
    const a = await generate(model, [1], { ...options, strategy: 'topK', topK: 6 });
    const b = await generate(model, [1], { ...options, strategy: 'topK', topK: 6 });
    expect(a).toEqual(b);
    const nucleus = await generate(model, [1], { ...options, topP: 0.95 });
    expect(await generate(model, [1], { ...options, topP: 0.95 })).toEqual(nucleus);
    const others = await Promise.all([12, 13, 14].map((seed) => generate(model, [1], { ...options, topP: 0.95, seed })));
    expect(others.some((tokens) => tokens.join() !== nucleus.join())).toBe(true);
    model.dispose();
  }, timeout);

  it('stops after a stop token (included)', async () => {
    const model = tinyGPT();
    const maxNewTokens = count(8, 4);
    const greedy = await generate(model, [5], { maxNewTokens });
    const stop = greedy[2];
    const stopped = await generate(model, [5], { maxNewTokens, stopTokens: [stop] });
    expect(stopped).toEqual(greedy.slice(0, greedy.indexOf(stop) + 1));
    const beam = await generate(model, [5], { maxNewTokens, beamWidth: 1, stopTokens: [stop] });
    expect(beam).toEqual(stopped);
    model.dispose();
  }, timeout);

  it('beam search with beamWidth >= vocabSize is exhaustive over two tokens', async () => {
    const model = tinyGPT();
    const prompt = [4, 2];
    const best = await generate(model, prompt, { maxNewTokens: 2, beamWidth: VOCAB, lengthPenalty: 0 });
    const logProbability = (row: number[], token: number) => row[token] - Math.log(row.reduce((sum, value) => sum + Math.exp(value), 0));
    let bestScore = -Infinity;
    let bestPair: number[] = [];
    const first = await fullLogits(model, prompt);
    for (let a = 0; a < VOCAB; a++) {
      const next = await fullLogits(model, [...prompt, a]);
      for (let b = 0; b < VOCAB; b++) {
        const score = logProbability(first[1], a) + logProbability(next[2], b);
        if (score > bestScore) [bestScore, bestPair] = [score, [a, b]];
      }
    }
    expect(best).toEqual(bestPair);
    model.dispose();
  }, timeout);

  it('crops the context like nanoGPT once contextLength is reached', async () => {
    const model = tinyGPT({ contextLength: 6 });
    const prompt = [1, 2, 3, 4, 5, 6, 7, 8]; // longer than the context: the last 6 are kept
    const maxNewTokens = count(5, 3);
    const tokens = await generate(model, prompt, { maxNewTokens });
    const sequence = [...prompt];
    for (let i = 0; i < maxNewTokens; i++) {
      const logits = await fullLogits(model, sequence.slice(-6));
      sequence.push(argmax(logits[logits.length - 1]));
    }
    expect(tokens).toEqual(sequence.slice(prompt.length));
    model.dispose();
  }, timeout);

  it('leaves no tensors behind over many steps, early breaks and beams', async () => {
    const model = tinyGPT({ contextLength: 8 });
    await generate(model, [1], { maxNewTokens: 2 }); // warm up
    const before = tf.memory().numTensors;
    await generate(model, [1, 2, 3], { maxNewTokens: count(20, 8), topK: 4, seed: 1 }); // past the context: re-encodes
    await generate(model, [1, 2], { maxNewTokens: count(10, 3), beamWidth: 3 });
    for await (const token of model.generate([3], { maxNewTokens: 10 })) if (token >= 0) break;
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, timeout);

  it('restores training mode and validates its options', async () => {
    const model = tinyGPT();
    model.train();
    await generate(model, [1], { maxNewTokens: 1 });
    expect(model.training).toBe(true);
    await expect(generate(model, [1], { maxNewTokens: 0 })).rejects.toThrow('generate: maxNewTokens (0) must be an integer >= 1.');
    await expect(generate(model, [1], { maxNewTokens: 2, topK: 12 })).rejects.toThrow('generate: topK (12) must be <= vocabSize (11).');
    await expect(generate(model, [], { maxNewTokens: 2 })).rejects.toThrow(ArgumentError);
    await expect(generate(model, [11], { maxNewTokens: 2 })).rejects.toThrow('generate: prompt must be a non-empty array of token ids in [0, 11), received [11].');
    await expect(generate(model, [1], { maxNewTokens: 2, temperature: 0, strategy: 'topK' })).rejects.toThrow('temperature (0) must be > 0');
    await expect(generate(model, [1], { maxNewTokens: 2, stopTokens: [20] })).rejects.toThrow('stopTokens must be token ids in [0, 11)');
    model.dispose();
  }, timeout);
});

describe('sampleToken', () => {
  it('topK = 1 is argmax (first on ties); topP keeps the smallest nucleus', () => {
    const rng = new Generator(3);
    expect(sampleToken([0.1, 2, 2, -1], { topK: 1, rng })).toBe(1);
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 200; i++) counts[sampleToken([Math.log(0.6), Math.log(0.3), Math.log(0.05), Math.log(0.05)], { topP: 0.8, rng })]++;
    expect(counts[2] + counts[3]).toBe(0);
    expect(counts[0]).toBeGreaterThan(counts[1]);
  });
});

describe('Seq2SeqTransformer decoding', () => {
  it('greedyDecode (batched) equals generate per row; beam width 1 equals greedy', async () => {
    const model = tinySeq2Seq();
    const rows = [
      [1, 2, 3, 4, 5],
      [8, 7, 6, 5, 4],
    ];
    const source = tf.tensor2d(rows, [2, 5], 'int32');
    const maxNewTokens = count(6, 3);
    const batched = await model.greedyDecode(source, { maxNewTokens, startToken: 0 });
    for (const [index, row] of rows.entries()) {
      const tokens: number[] = [];
      for await (const token of model.generate(row, { maxNewTokens, startToken: 0 })) tokens.push(token);
      expect(tokens).toEqual(batched[index]);
      const beam: number[] = [];
      for await (const token of model.generate(row, { maxNewTokens, startToken: 0, beamWidth: 1 })) beam.push(token);
      expect(beam).toEqual(batched[index]);
    }
    model.train(); // generation switches to eval mode (dropout 0.1 here) and back
    const inTraining: number[] = [];
    for await (const token of model.generate(rows[0], { maxNewTokens, startToken: 0 })) inTraining.push(token);
    expect(inTraining).toEqual(batched[0]);
    expect(await model.greedyDecode(source, { maxNewTokens, startToken: 0 })).toEqual(batched);
    expect(model.training).toBe(true);
    model.eval();
    const stop = batched[0][1];
    const stopped = await model.greedyDecode(source, { maxNewTokens, startToken: 0, stopTokens: [stop] });
    expect(stopped[0]).toEqual(batched[0].slice(0, batched[0].indexOf(stop) + 1));
    const before = tf.memory().numTensors;
    await model.greedyDecode(source, { maxNewTokens, startToken: 0 });
    expect(tf.memory().numTensors).toBe(before);
    await expect(model.greedyDecode(source, { maxNewTokens: 13, startToken: 0 })).rejects.toThrow(
      'maxNewTokens (13) must be <= maxLength (12), the longest target the positions cover.',
    );
    source.dispose();
    model.dispose();
  }, timeout);
});
