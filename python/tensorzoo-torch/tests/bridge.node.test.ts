// The PyTorch bridge, TypeScript side (no Python at test time):
// - torch -> file -> TypeScript: checkpoints written by `tensorzoo_torch.save` (write_fixtures.py)
//   load into the zoo models, which reproduce torch's float64 outputs within 1e-5;
// - TypeScript -> file -> torch: the checkpoints and outputs test_roundtrip.py checks in PyTorch
//   are still what the zoo writes today (run with TENSORZOO_UPDATE_FIXTURES=1 to rewrite them).
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, decodeSafetensors, encodeCheckpoint, parseSafetensorsHeader, type Module } from '@tensorzoo/core';
import { LeNet5, MLPClassifier, ResNet, SimpleCNN } from '@tensorzoo/cnn';
import { DCGANDiscriminator, DCGANGenerator } from '@tensorzoo/gan';
import { GPT, Seq2SeqTransformer } from '@tensorzoo/transformer';
import { ConvVAE, VAE } from '@tensorzoo/vae';
import torchOutputs from './fixtures/torch-outputs.json';

type AnyModel = Module<never, unknown, never> & { eval(): unknown };
type Constructor = new (config: never) => AnyModel;

/** Mirrors cases.py. */
const CASES: Record<string, { name: string; config: Record<string, unknown>; input: { shape: number[]; dtype: 'int32' | 'float32'; split?: number } }> = {
  gpt: { name: 'GPT', config: { vocabSize: 11, contextLength: 8, dModel: 16, numHeads: 4, numLayers: 2, initStd: 0.3 }, input: { shape: [2, 6], dtype: 'int32' } },
  'gpt-untied-tanh': {
    name: 'GPT',
    config: { vocabSize: 13, contextLength: 8, dModel: 8, numHeads: 2, numLayers: 1, dimFeedforward: 24, tieWeights: false, activation: 'gelu-tanh', initStd: 0.3 },
    input: { shape: [2, 5], dtype: 'int32' },
  },
  'simple-cnn': { name: 'SimpleCNN', config: { inputShape: [12, 12, 1], channels: [4, 8], hidden: 16, numClasses: 3 }, input: { shape: [2, 12, 12, 1], dtype: 'float32' } },
  lenet5: { name: 'LeNet5', config: { channels: [2, 4], hidden: [8, 6], numClasses: 3, activation: 'tanh' }, input: { shape: [1, 28, 28, 1], dtype: 'float32' } },
  mlp: { name: 'MLPClassifier', config: { inputSize: 12, hiddenSizes: [8], numClasses: 3 }, input: { shape: [2, 12], dtype: 'float32' } },
  resnet: { name: 'ResNet', config: { inputChannels: 1, widths: [4, 8], blocks: [1, 1], numClasses: 3 }, input: { shape: [2, 8, 8, 1], dtype: 'float32' } },
  vae: { name: 'VAE', config: { imageShape: [4, 4, 1], hiddenDims: [6, 5], latentDim: 3 }, input: { shape: [2, 4, 4, 1], dtype: 'float32' } },
  'conv-vae': { name: 'ConvVAE', config: { inChannels: 1, imageSize: 8, channels: [2, 3], latentDim: 3 }, input: { shape: [2, 8, 8, 1], dtype: 'float32' } },
  'dcgan-generator': {
    name: 'DCGANGenerator',
    config: { latentDim: 4, channels: [4, 3], outChannels: 1, imageSize: 8, kernelSize: 4, batchNorm: true },
    input: { shape: [2, 4], dtype: 'float32' },
  },
  'dcgan-discriminator': {
    name: 'DCGANDiscriminator',
    config: { inChannels: 2, imageSize: 8, channels: [3, 4], kernelSize: 3, stride: 2, outputActivation: 'none' },
    input: { shape: [2, 8, 8, 2], dtype: 'float32' },
  },
  seq2seq: {
    name: 'Seq2SeqTransformer',
    config: { sourceVocabSize: 9, targetVocabSize: 7, dModel: 8, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0 },
    input: { shape: [2, 9], dtype: 'int32', split: 5 }, // source = the first 5 columns, target = the rest
  },
};
const MODELS: Record<string, Constructor> = { GPT, Seq2SeqTransformer, SimpleCNN, LeNet5, MLPClassifier, ResNet, VAE, ConvVAE, DCGANGenerator, DCGANDiscriminator } as unknown as Record<string, Constructor>;
const ARCHITECTURE_KEY = 'tensorzoo.architecture';
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const update = process.env.TENSORZOO_UPDATE_FIXTURES === '1';
const maxErrors: string[] = [];
afterAll(() => console.log(`bridge max |error| per case:\n  ${maxErrors.join('\n  ')}`));

async function maxError(output: tf.Tensor, expected: ArrayLike<number>): Promise<number> {
  const values = await output.data();
  expect(values.length).toBe(expected.length);
  let largest = 0;
  for (let index = 0; index < values.length; index++) largest = Math.max(largest, Math.abs(values[index] - expected[index]));
  return largest;
}

type Input = tf.Tensor | { source: tf.Tensor; target: tf.Tensor };

/** The forward output compared with torch: a VAE's reconstruction, otherwise the output itself. */
function forward(model: AnyModel, input: Input): tf.Tensor {
  const output = (model as unknown as { call(x: Input): tf.Tensor | { reconstruction: tf.Tensor; mu: tf.Tensor; logVar: tf.Tensor } }).call(input);
  if (output instanceof tf.Tensor) return output;
  tf.dispose([output.mu, output.logVar]);
  return output.reconstruction;
}

function inputOf(key: string): Input {
  const { shape, dtype, split } = CASES[key].input;
  const input = tf.tensor(torchOutputs[key as keyof typeof torchOutputs].input, shape, dtype);
  if (split === undefined) return input;
  const [source, target] = tf.split(input, [split, shape[1] - split], 1);
  input.dispose();
  return { source, target };
}

describe('torch -> safetensors -> TypeScript', () => {
  for (const key of Object.keys(CASES)) {
    it(`${key}: the file rebuilds the model from its metadata and matches torch within 1e-5`, async () => {
      const bytes = readFileSync(fixture(`torch-${key}.safetensors`));
      const { name, config } = JSON.parse(parseSafetensorsHeader(bytes).metadata[ARCHITECTURE_KEY]) as { name: string; config: never };
      expect(name).toBe(CASES[key].name);
      const model = new MODELS[name](config);
      await decodeCheckpoint(bytes, model);
      model.eval();
      const input = inputOf(key);
      const output = forward(model, input);
      const expected = torchOutputs[key as keyof typeof torchOutputs].output;
      expect(output.shape).toEqual(expected.shape);
      const error = await maxError(output, expected.data);
      maxErrors.push(`torch -> TS ${key}: ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-5);
      tf.dispose([...(input instanceof tf.Tensor ? [input] : [input.source, input.target]), output]);
      model.dispose();
    });
  }
});

describe('checksums written by tensorzoo_torch.save', () => {
  it('are verified: a flipped tensor byte is rejected', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('torch-mlp.safetensors')));
    expect(JSON.parse(parseSafetensorsHeader(bytes).metadata.tensorzoo).sha256).toMatch(/^[0-9a-f]{64}$/);
    bytes[bytes.length - 1] ^= 1;
    const model = new MLPClassifier({ inputSize: 12, hiddenSizes: [8], numClasses: 3 });
    await expect(decodeCheckpoint(bytes, model)).rejects.toThrow(/does not match its recorded SHA-256/);
    model.dispose();
  });
});

describe('TypeScript -> safetensors (checked in torch by test_roundtrip.py)', () => {
  it('the committed TypeScript checkpoints and outputs are what the zoo writes today', async () => {
    const outputs: Record<string, { output: { shape: number[]; data: number[] } }> = {};
    for (const [key, { name, config }] of Object.entries(CASES)) {
      const model = new MODELS[name]({ ...config, rng: 7 } as never);
      model.eval();
      const input = inputOf(key);
      const output = forward(model, input);
      outputs[key] = { output: { shape: output.shape, data: Array.from(await output.data()) } };
      const bytes = await encodeCheckpoint(model, { metadata: { [ARCHITECTURE_KEY]: JSON.stringify({ name, config }) } });
      if (update) writeFileSync(fixture(`ts-${key}.safetensors`), bytes);
      const committed = decodeSafetensors(readFileSync(fixture(`ts-${key}.safetensors`)));
      const fresh = decodeSafetensors(bytes);
      expect(committed.metadata[ARCHITECTURE_KEY]).toBe(fresh.metadata[ARCHITECTURE_KEY]);
      expect(Object.keys(committed.tensors)).toEqual(Object.keys(fresh.tensors));
      for (const [tensorName, raw] of Object.entries(fresh.tensors)) {
        expect(Array.from(committed.tensors[tensorName].data as ArrayLike<number>), `${key} ${tensorName}`).toEqual(Array.from(raw.data as ArrayLike<number>));
      }
      tf.dispose([...(input instanceof tf.Tensor ? [input] : [input.source, input.target]), output]);
      model.dispose();
    }
    if (update) writeFileSync(fixture('ts-outputs.json'), `${JSON.stringify(outputs)}\n`);
    const committed = JSON.parse(readFileSync(fixture('ts-outputs.json'), 'utf8')) as typeof outputs;
    for (const [key, { output }] of Object.entries(outputs)) {
      expect(committed[key].output.shape).toEqual(output.shape);
      const error = committed[key].output.data.reduce((largest, value, index) => Math.max(largest, Math.abs(value - output.data[index])), 0);
      expect(error, key).toBeLessThan(1e-6);
    }
  });
});
