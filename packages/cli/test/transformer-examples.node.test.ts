import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, Linear, parseSafetensorsHeader, saveCheckpoint } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli';
import { runExample, type RunResult } from '../src/index';
import { LANGUAGE_MODEL_METADATA, sampleFromCheckpoint } from '../src/sample';
import { lineCollector } from './line-collector';
import { temporaryFolders } from './temporary-folders';

const folder = temporaryFolders();
/** Each short run takes 10-25 s of CPU time; a shared, busy machine can stretch that several times. */
const LONG = { timeout: 600_000 };
const quiet = { backend: 'cpu', progress: 'none', warn: () => {} } as const;

/** Runs an example for two (short) epochs and checks what every run must produce. */
async function shortRun(name: string): Promise<{ result: RunResult; output: string }> {
  const output = lineCollector();
  const tensorsBefore = tf.memory().numTensors;
  const result = await runExample(name, { ...quiet, epochs: 2, outDir: await folder(), log: output.log });
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  for (const path of Object.values(result.files)) expect((await stat(path)).size).toBeGreaterThan(0);
  expect(result.loss).toHaveLength(2);
  expect(result.valLoss).toHaveLength(2);
  expect(result.loss[1]).toBeLessThan(result.loss[0]);
  expect(result.valLoss[1]).toBeLessThan(result.valLoss[0]);
  expect(JSON.parse(await readFile(result.files.history, 'utf8')).summary).toEqual(result.summary);
  return { result, output: output.text() };
}

let namesRun: Promise<{ result: RunResult; output: string }> | undefined;
/** The gpt-names run, shared by the sampling tests. */
const gptNamesRun = () => (namesRun ??= shortRun('gpt-names'));

describe('transformer examples with two short epochs', () => {
  it('gpt-names: the loss falls, the checkpoint carries the model config and tokenizer, names are sampled', LONG, async () => {
    const { result, output } = await gptNamesRun();
    expect(output).toContain('data: 4951 names (4456 train / 495 validation), vocabulary 56 (53 characters + <pad> <bos> <eos>)');
    expect(output).toMatch(/unigram baseline: entropy 3\.\d{4} nats/);
    expect(output).toMatch(/sampled names \(temperature 0\.8\): (.+, ){9}.+/);
    expect(result.summary.unigramEntropy).toBeGreaterThan(3);
    expect(Number.isFinite(result.summary.validationLoss)).toBe(true);
    const { metadata } = parseSafetensorsHeader(await readFile(result.files.checkpoint));
    expect(JSON.parse(metadata[LANGUAGE_MODEL_METADATA.model])).toMatchObject({ architecture: 'gpt', config: { vocabSize: 56, contextLength: 16 } });
    expect(JSON.parse(metadata[LANGUAGE_MODEL_METADATA.tokenizer])).toMatchObject({ type: 'char', specialTokens: ['<pad>', '<bos>', '<eos>'] });
    expect(JSON.parse(metadata[LANGUAGE_MODEL_METADATA.generation])).toEqual({ prefix: '<bos>', stopTokens: ['<pad>', '<bos>', '<eos>'] });
  });

  it('gpt-text: the loss falls on Moby-Dick and a sample follows the prompt', LONG, async () => {
    const { result, output } = await shortRun('gpt-text');
    expect(output).toMatch(/data: Moby-Dick, \d+ characters/);
    expect(output).toMatch(/validation loss on 128 windows \(4096 characters\): \d\.\d{4} nats, perplexity \d+\.\d{2}/);
    expect(output).toContain('sample (temperature 0.8):\nCall me Ishmael. ');
    expect(result.summary.validationPerplexity).toBeCloseTo(Math.exp(result.summary.validationLoss), 6);
  });

  it('seq2seq-reverse: the loss falls and held-out strings are decoded greedily', LONG, async () => {
    const { result, output } = await shortRun('seq2seq-reverse');
    expect(output).toMatch(/exact match on 1000 held-out strings \(greedy decoding\): \d+\.\d%/);
    expect(result.summary.exactMatch).toBeGreaterThanOrEqual(0);
    expect(result.summary.exactMatch).toBeLessThanOrEqual(1);
  });
});

describe('tensorzoo sample', () => {
  /** Runs the CLI with captured output. */
  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await main(['node', 'tensorzoo', ...args], { out: (text) => (out += text), err: (text) => (err += text) }, { progress: 'none' });
    return { code, out, err };
  }

  it('streams a continuation of the prompt from a gpt-names checkpoint, the same for the same seed', LONG, async () => {
    const { checkpoint } = (await gptNamesRun()).result.files;
    const first = await cli('sample', checkpoint, '--prompt', 'Ma', '--seed', '3', '--max-new-tokens', '12', '--backend', 'cpu');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^Ma[A-Za-z-]*\n$/);
    expect(await cli('sample', checkpoint, '--prompt', 'Ma', '--seed', '3', '--max-new-tokens', '12', '--backend', 'cpu')).toEqual(first);
    const pieces: string[] = [];
    const sampled = await sampleFromCheckpoint(checkpoint, { prompt: 'Ma', seed: 3, maxNewTokens: 12, backend: 'cpu', write: (text) => pieces.push(text) });
    expect(pieces[0]).toBe('Ma');
    expect(pieces.join('')).toBe(sampled.text);
    expect(`${sampled.text}\n`).toBe(first.out);
    expect(pieces.length).toBe(1 + sampled.continuation.length + 1); // the prompt, one piece per letter, the final flush
  });

  it('samples from <bos> with an empty prompt; greedy, top-k and top-p options work', LONG, async () => {
    const { checkpoint } = (await gptNamesRun()).result.files;
    const greedy = await sampleFromCheckpoint(checkpoint, { greedy: true, backend: 'cpu' });
    expect(greedy.text).toMatch(/^[A-Z][a-z-]*$/);
    expect((await sampleFromCheckpoint(checkpoint, { greedy: true, seed: 9, backend: 'cpu' })).text).toBe(greedy.text);
    const nucleus = await cli('sample', checkpoint, '--top-p', '0.9', '--top-k', '5', '--temperature', '0.7', '--backend', 'cpu');
    expect(nucleus.code).toBe(0);
    expect(nucleus.out).toMatch(/^[A-Za-z-]*\n$/);
  });

  it('explains bad prompts, bad options and checkpoints without language-model metadata', LONG, async () => {
    const { checkpoint } = (await gptNamesRun()).result.files;
    const unknown = await cli('sample', checkpoint, '--prompt', 'Zoë', '--backend', 'cpu');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('character "ë" (U+00EB) at index 2 is not in the vocabulary');
    const badTopP = await cli('sample', checkpoint, '--top-p', '1.5');
    expect(badTopP.code).toBe(1);
    expect(badTopP.err).toContain('--top-p must be a number from 0.000001 to 1, received "1.5".');
    const plain = join(await folder(), 'plain.safetensors');
    const linear = new Linear(2, 1, { rng: 0 });
    await saveCheckpoint(plain, linear);
    linear.dispose();
    await expect(sampleFromCheckpoint(plain, { backend: 'cpu' })).rejects.toThrow(CheckpointError);
    const missing = await cli('sample', plain);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`${plain} has no tensorzoo.model, tensorzoo.tokenizer, tensorzoo.generation metadata`);
  });
});
