// Values and gradients against PyTorch (float64), from fixtures/losses.json written by
// scripts/reference/losses.py. Runs on every backend project (cpu, node-webgpu, browser).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import fixtureJson from '../fixtures/losses.json';
import {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  cosineSimilarityLoss,
  hingeLoss,
  huberLoss,
  klDivergence,
  l1Penalty,
  l2Penalty,
  logLoss,
  meanAbsoluteError,
  meanSquaredError,
  sparseCategoricalCrossEntropy,
  withWeightPenalty,
} from '../src/index';
import type { Reduction } from '../src/index';
import { expectClose, readFixture } from '@tensorzoo/core/testing';

const fixture = readFixture('losses.json', fixtureJson);

interface EncodedTensor {
  shape: number[];
  data: number[];
  dtype?: string;
}

interface LossCase {
  loss: string;
  inputs: string;
  options: { reduction: Reduction } & Record<string, number | boolean | string>;
  value: EncodedTensor;
  gradient: EncodedTensor;
  upstream?: EncodedTensor;
}

interface SeedExample {
  article: string;
  section: string;
  loss: string;
  reduction: Reduction;
  scale: number;
  yTrue: EncodedTensor;
  yPred: EncodedTensor;
  articleValue: number;
  value: number;
}

interface Fixture {
  inputs: Record<string, { yTrue: EncodedTensor; yPred: EncodedTensor }>;
  cases: LossCase[];
  weights: EncodedTensor[];
  penalties: { penalty: 'l1Penalty' | 'l2Penalty'; lambda: number; value: EncodedTensor; gradients: EncodedTensor[] }[];
  weightPenalty: { inputs: string; options: { l1: number; l2: number }; value: EncodedTensor; gradient: EncodedTensor; weightGradients: EncodedTensor[] };
  seedExamples: SeedExample[];
}

const reference = fixture as unknown as Fixture;

type LossUnderTest = (yTrue: tf.Tensor, yPred: tf.Tensor, options: object) => tf.Tensor;

const LOSSES: Record<string, LossUnderTest> = {
  meanSquaredError,
  meanAbsoluteError,
  huberLoss,
  binaryCrossEntropy,
  logLoss,
  categoricalCrossEntropy,
  sparseCategoricalCrossEntropy,
  klDivergence,
  hingeLoss,
  cosineSimilarityLoss,
};

const toTensor = (encoded: EncodedTensor): tf.Tensor =>
  tf.tensor(encoded.data, encoded.shape, encoded.dtype === 'int32' ? 'int32' : 'float32');

const caseName = (entry: LossCase): string => `${entry.loss} ${entry.inputs} ${JSON.stringify(entry.options)}`;

describe('losses match PyTorch (values and gradients wrt yPred)', () => {
  it('covers every exported loss', () => {
    expect(new Set(reference.cases.map((entry) => entry.loss))).toEqual(new Set(Object.keys(LOSSES)));
  });

  it.each(reference.cases.map((entry) => [caseName(entry), entry] as const))('%s', async (_name, entry) => {
    const loss = LOSSES[entry.loss];
    const yTrue = toTensor(reference.inputs[entry.inputs].yTrue);
    const yPred = toTensor(reference.inputs[entry.inputs].yPred);
    const upstream = entry.upstream ? toTensor(entry.upstream) : undefined;
    const before = tf.memory().numTensors;

    const value = loss(yTrue, yPred, entry.options);
    const gradient = tf.grad((prediction: tf.Tensor) => loss(yTrue, prediction, entry.options))(yPred, upstream);
    expect(value.shape).toEqual(entry.value.shape);
    expect(gradient.shape).toEqual(entry.gradient.shape);
    await expectClose(value, entry.value.data, { label: 'value' });
    await expectClose(gradient, entry.gradient.data, { label: 'gradient' });

    tf.dispose([value, gradient]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([yTrue, yPred, upstream ?? []]);
  });
});

describe('weight penalties match PyTorch', () => {
  it.each(reference.penalties.map((entry) => [entry.penalty, entry] as const))('%s', async (_name, entry) => {
    const penalty = entry.penalty === 'l1Penalty' ? l1Penalty : l2Penalty;
    const weights = reference.weights.map(toTensor);
    const value = penalty(weights, entry.lambda);
    const gradients = tf.grads((...tensors: tf.Tensor[]) => penalty(tensors, entry.lambda))(weights);
    await expectClose(value, entry.value.data, { label: 'value' });
    for (const [index, gradient] of gradients.entries()) {
      await expectClose(gradient, entry.gradients[index].data, { label: `gradient of weights[${index}]` });
    }
    tf.dispose([value, ...gradients, ...weights]);
  });

  it('withWeightPenalty(meanSquaredError) = MSE + l1 Σ|w| + l2 Σw², with gradients to yPred and weights', async () => {
    const { inputs, options, value: expectedValue, gradient, weightGradients } = reference.weightPenalty;
    const yTrue = toTensor(reference.inputs[inputs].yTrue);
    const yPred = toTensor(reference.inputs[inputs].yPred);
    const weights = reference.weights.map(toTensor);
    const lossOf = (prediction: tf.Tensor, ...current: tf.Tensor[]) =>
      withWeightPenalty(meanSquaredError, () => current, options)(yTrue, prediction);
    const value = lossOf(yPred, ...weights);
    const [predictionGradient, ...gradients] = tf.grads(lossOf)([yPred, ...weights]);
    await expectClose(value, expectedValue.data, { label: 'value' });
    await expectClose(predictionGradient, gradient.data, { label: 'gradient wrt yPred' });
    for (const [index, weightGradient] of gradients.entries()) {
      await expectClose(weightGradient, weightGradients[index].data, { label: `gradient of weights[${index}]` });
    }
    tf.dispose([value, predictionGradient, ...gradients, ...weights, yTrue, yPred]);
  });
});

describe('worked examples of the seed articles, recomputed', () => {
  const examples = reference.seedExamples.map(
    (entry) => [`seed ${entry.article} §${entry.section}: ${entry.value.toFixed(4)} (article printed ${entry.articleValue})`, entry] as const,
  );
  it.each(examples)('%s', async (_name, entry) => {
    const value = tf.tidy(() =>
      tf.mul(LOSSES[entry.loss](toTensor(entry.yTrue), toTensor(entry.yPred), { reduction: entry.reduction }), entry.scale),
    );
    await expectClose(value, [entry.value], { label: 'value' });
    value.dispose();
  });
});
