import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readFixture } from '@tensorzoo/core/testing';
import { CheckpointError, decodeSafetensors, encodeSafetensors } from '@tensorzoo/core';
import { GPT2Tokenizer, gpt2ByteCharacters, gpt2StateDictToZoo, loadGPT2, tokenizerFromJSON } from '../src/index';
import expectedJson from '../fixtures/gpt2/expected.json';

const expected = readFixture('expected.json', expectedJson);

// Fixtures from scripts/reference/gpt2.py: a 2-layer GPT-2 in Hugging Face's layout (random
// weights) and a 40-merge tokenizer in GPT-2's file formats, with token ids by GPT-2's BPE
// algorithm and logits of Hugging Face's GPT-2 forward (float64).
const fixture = (name: string) => new URL(`../fixtures/gpt2/${name}`, import.meta.url);
const text = (name: string) => readFileSync(fixture(name), 'utf8');

describe('GPT2Tokenizer', () => {
  const fromFiles = GPT2Tokenizer.fromFiles(text('vocab.json'), text('merges.txt'));

  it('gives the ids of GPT-2 BPE for vocab.json + merges.txt and for tokenizer.json', () => {
    const fromTokenizerJSON = GPT2Tokenizer.fromTokenizerJSON(text('tokenizer.json'));
    expect(fromFiles.size).toBe(256 + expected.merges + 1);
    for (const { text: sample, ids } of expected.texts) {
      expect(fromFiles.encode(sample), sample).toEqual(ids);
      expect(fromTokenizerJSON.encode(sample), sample).toEqual(ids);
      expect(fromFiles.decode(ids)).toBe(sample);
    }
  });

  it('numbers byte tokens in GPT-2 order and keeps <|endoftext|> as a special token', () => {
    expect(gpt2ByteCharacters()[32]).toBe('Ġ');
    expect(fromFiles.encode('!')).toEqual([0]); // '!' is byte 33 but GPT-2's first token
    expect(fromFiles.specialTokens).toEqual(['<|endoftext|>']);
    expect(fromFiles.specialTokenId('<|endoftext|>')).toBe(256 + expected.merges);
  });

  it('streams and round-trips through toJSON / tokenizerFromJSON', () => {
    const ids = expected.texts[3].ids;
    const stream = fromFiles.streamDecoder();
    expect(ids.map((id) => stream.write(id)).join('') + stream.end()).toBe(expected.texts[3].text);
    const copy = tokenizerFromJSON(JSON.parse(JSON.stringify(fromFiles)));
    expect(copy).toBeInstanceOf(GPT2Tokenizer);
    expect(copy.encode(expected.texts[2].text)).toEqual(expected.texts[2].ids);
  });

  it('rejects inconsistent files with the merge that is wrong', () => {
    expect(() => GPT2Tokenizer.fromFiles(text('vocab.json'), '#version: 0.2\nzz q\n')).toThrow(/merge 0 \("zz q"\) uses a token that no byte or earlier merge makes/);
    expect(() => GPT2Tokenizer.fromFiles({ a: 0 }, '')).toThrow(/is missing from the vocabulary/);
  });
});

describe('loadGPT2', () => {
  it('matches Hugging Face GPT-2 logits (max error < 1e-4) and greedy tokens, leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const gpt = await loadGPT2(fileURLPath('model.safetensors'), text('config.json'));
    const ids = tf.tensor(expected.ids.data, expected.ids.shape as [number, number], 'int32');
    const logits = gpt.call(ids);
    const got = await logits.data();
    expect(logits.shape).toEqual(expected.logits.shape);
    const maxError = expected.logits.data.reduce((largest, value, index) => Math.max(largest, Math.abs(value - got[index])), 0);
    console.log(`GPT-2 logits vs Hugging Face forward (float64): max |error| ${maxError.toExponential(2)} over ${got.length} values`);
    expect(maxError).toBeLessThan(1e-4);
    const tokens: number[] = [];
    for await (const token of gpt.generate(expected.ids.data, { maxNewTokens: expected.greedy.length, strategy: 'greedy' })) tokens.push(token);
    expect(tokens).toEqual(expected.greedy);
    tf.dispose([ids, logits]);
    gpt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts GPT2Model names (no transformer. prefix) and names unknown tensors', async () => {
    const decoded = decodeSafetensors(readFileSync(fixture('model.safetensors')));
    const bare = Object.fromEntries(Object.entries(decoded.tensors).map(([name, raw]) => [name.replace(/^transformer\./, ''), raw]));
    const gpt = await loadGPT2(encodeSafetensors(bare), JSON.parse(text('config.json')));
    expect(gpt.namedVariables().length).toBe(4 + 12 * 2);
    gpt.dispose();
    const before = tf.memory().numTensors;
    expect(() => gpt2StateDictToZoo({ 'transformer.h.0.attn.q_proj.weight': tf.zeros([2, 2]) })).toThrow(CheckpointError);
    expect(() => gpt2StateDictToZoo({ 'h.0.attn.q_proj.weight': tf.zeros([2, 2]) })).toThrow(/h\.0\.attn\.q_proj\.weight are not GPT-2 weights/);
    expect(tf.memory().numTensors).toBe(before + 2); // only the two inputs remain
  });
});

function fileURLPath(name: string): string {
  return fixture(name).pathname;
}
