import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Module } from '@tensorzoo/core';
import {
  GPT,
  Seq2SeqTransformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '../src/index';
import { expectClose, fixtureTensor, readFixture, reportMaxErrors, type FixtureTensor } from '@tensorzoo/core/testing';
import decoderLayersJson from '../fixtures/decoder-layers.json';
import encoderLayersJson from '../fixtures/encoder-layers.json';
import gptFixtureJson from '../fixtures/gpt.json';
import seq2seqFixtureJson from '../fixtures/seq2seq.json';
import stacksJson from '../fixtures/stacks.json';

const decoderLayers = readFixture('decoder-layers.json', decoderLayersJson);
const encoderLayers = readFixture('encoder-layers.json', encoderLayersJson);
const gptFixture = readFixture('gpt.json', gptFixtureJson);
const seq2seqFixture = readFixture('seq2seq.json', seq2seqFixtureJson);
const stacks = readFixture('stacks.json', stacksJson);

afterAll(() => reportMaxErrors('transformer parity vs PyTorch float64'));

interface Recorded {
  state_dict: Record<string, FixtureTensor>;
  output: FixtureTensor;
  upstream?: FixtureTensor;
  grads?: Record<string, FixtureTensor>;
}

const layerSizes = { dModel: 16, numHeads: 4, dimFeedforward: 32, dropout: 0 };

function loadTorch(module: Module<never, unknown, never>, recorded: Recorded): void {
  const values = Object.fromEntries(Object.entries(recorded.state_dict).map(([name, value]) => [name, fixtureTensor(value)]));
  module.loadStateDict(values);
  tf.dispose(Object.values(values));
}

/** Loads the torch weights, checks names, the output and (when recorded) every parameter gradient. */
async function checkParity<M extends Module<never, unknown, never>>(label: string, module: M, recorded: Recorded, run: () => tf.Tensor) {
  const names = module.namedVariables().map(([name]) => name);
  expect(names).toEqual(Object.keys(recorded.state_dict).filter((name) => name !== 'lm_head.weight' || !(module instanceof GPT)));
  loadTorch(module, recorded);
  const output = run();
  await expectClose(output, recorded.output, { tolerance: 1e-5, label: `${label} output` });
  output.dispose();
  if (recorded.grads && recorded.upstream) {
    const upstream = fixtureTensor(recorded.upstream);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(run(), upstream)) as tf.Scalar, module.parameters());
    for (const [name, variable] of module.namedParameters()) {
      await expectClose(grads[variable.name], recorded.grads[name], { tolerance: 1e-5, label: `${label} grad ${name}` });
    }
    tf.dispose([upstream, value, ...Object.values(grads)]);
  }
  module.dispose();
}

describe('layers match torch.nn.TransformerEncoderLayer / TransformerDecoderLayer', () => {
  it('encoder layer, post-norm ReLU, key padding mask: output and gradients', async () => {
    const layer = new TransformerEncoderLayer(layerSizes);
    const x = fixtureTensor(encoderLayers.input);
    const padding = fixtureTensor(encoderLayers.key_padding_mask);
    await checkParity('encoder layer post-norm', layer, encoderLayers.post_relu, () => layer.call(x, { keyPaddingMask: padding }));
    tf.dispose([x, padding]);
  });

  it('encoder layer, pre-norm GELU, causal + key padding: output and gradients', async () => {
    const layer = new TransformerEncoderLayer({ ...layerSizes, normFirst: true, activation: 'gelu' });
    const x = fixtureTensor(encoderLayers.input);
    const padding = fixtureTensor(encoderLayers.key_padding_mask);
    await checkParity('encoder layer pre-norm', layer, encoderLayers.pre_gelu_causal, () => layer.call(x, { causal: true, keyPaddingMask: padding }));
    tf.dispose([x, padding]);
  });

  it('decoder layer, post-norm ReLU, causal + target and memory padding: output and gradients', async () => {
    const layer = new TransformerDecoderLayer(layerSizes);
    const [target, memory, targetPaddingMask, memoryPaddingMask] = [
      decoderLayers.target,
      decoderLayers.memory,
      decoderLayers.target_padding_mask,
      decoderLayers.memory_padding_mask,
    ].map((e) => fixtureTensor(e));
    await checkParity('decoder layer post-norm', layer, decoderLayers.post_relu_masked, () =>
      layer.call({ target, memory }, { causal: true, targetPaddingMask, memoryPaddingMask }),
    );
    tf.dispose([target, memory, targetPaddingMask, memoryPaddingMask]);
  });

  it('decoder layer, pre-norm GELU, causal: output and gradients', async () => {
    const layer = new TransformerDecoderLayer({ ...layerSizes, normFirst: true, activation: 'gelu' });
    const target = fixtureTensor(decoderLayers.target);
    const memory = fixtureTensor(decoderLayers.memory);
    await checkParity('decoder layer pre-norm', layer, decoderLayers.pre_gelu_causal, () => layer.call({ target, memory }, { causal: true }));
    tf.dispose([target, memory]);
  });
});

describe('stacks match torch.nn.TransformerEncoder / TransformerDecoder (2 layers + final norm)', () => {
  it('encoder stack with key padding', async () => {
    const encoder = new TransformerEncoder({ ...layerSizes, numLayers: 2, norm: true });
    const x = fixtureTensor(stacks.input);
    const padding = fixtureTensor(stacks.key_padding_mask);
    await checkParity('encoder stack', encoder, stacks.encoder, () => encoder.call(x, { keyPaddingMask: padding }));
    tf.dispose([x, padding]);
  });

  it('decoder stack with causal + padding masks', async () => {
    const decoder = new TransformerDecoder({ ...layerSizes, numLayers: 2, norm: true });
    const [target, memory, targetPaddingMask, memoryPaddingMask] = [stacks.input, stacks.memory, stacks.key_padding_mask, stacks.memory_padding_mask].map((e) =>
      fixtureTensor(e),
    );
    await checkParity('decoder stack', decoder, stacks.decoder, () => decoder.call({ target, memory }, { causal: true, targetPaddingMask, memoryPaddingMask }));
    tf.dispose([target, memory, targetPaddingMask, memoryPaddingMask]);
  });
});

describe('models match their PyTorch references', () => {
  it('Seq2SeqTransformer (translation-tutorial layout) with padding masks: logits and gradients', async () => {
    const model = new Seq2SeqTransformer({ ...seq2seqFixture.config, dropout: 0, maxLength: 16 });
    const source = fixtureTensor(seq2seqFixture.source, 'int32');
    const target = fixtureTensor(seq2seqFixture.target, 'int32');
    const sourcePaddingMask = fixtureTensor(seq2seqFixture.source_padding_mask);
    const targetPaddingMask = fixtureTensor(seq2seqFixture.target_padding_mask);
    await checkParity('seq2seq', model, seq2seqFixture, () => model.call({ source, target, sourcePaddingMask, targetPaddingMask }));
    tf.dispose([source, target, sourcePaddingMask, targetPaddingMask]);
  });

  it('GPT (tied lm_head) loads the torch state_dict: logits and gradients', async () => {
    const model = new GPT(gptFixture.config);
    const ids = fixtureTensor(gptFixture.ids, 'int32');
    await checkParity('gpt', model, gptFixture, () => model.call(ids));
    ids.dispose();
  });
});
