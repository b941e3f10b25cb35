// Seed article 000: a two-layer sigmoid network learns the line y = 2x + 1.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, Linear, Sequential, Sigmoid } from '@tensorzoo/core';
import { linearRegressionData } from '@tensorzoo/datasets';
import { meanSquaredError } from '@tensorzoo/losses';
import { adam, cosineDecay } from '@tensorzoo/optimizers';
import { hyperparameters, type Example } from '../example';
import { datasetTensors, predict, sampledBatches } from './helpers/tensors';

/** Settings of the run: with these the max error stays near 0.02 (< 0.05) across seeds, in a few seconds on cpu. */
const CONFIG = {
  /** Sigmoid units. The seed article uses 1; a few more let the net bend its sigmoids into a straight line. */
  hidden: 16,
  /** Training and validation points, x uniform in [-1, 1). */
  trainSize: 256,
  validationSize: 64,
  /** Gaussian noise on y; small, so the learned line can be checked to 0.05. */
  noiseStd: 0.05,
  /** Adam's peak step size (the article uses Keras' default 1e-3, which needs far more epochs)... */
  learningRate: 0.1,
  /** ...cosine-decayed to this over the first `scheduleEpochs`, then kept: the last epochs settle the fit. */
  finalLearningRate: 0.001,
  /** Fixed, not tied to --epochs, so 2 epochs + 2 resumed ones follow the same schedule as 4 straight. */
  scheduleEpochs: 200,
  batchSize: 32,
} as const;

const slope = 2;
const intercept = 1;
const target = (x: number) => slope * x + intercept;

/** `tensorzoo train regression`: Linear(1, 16) -> Sigmoid -> Linear(16, 1), Adam + MSE. */
export const regression: Example = {
  name: 'regression',
  description: 'a 1-16-1 sigmoid network learns y = 2x + 1 on [-1, 1] (Adam + MSE; seed article 000)',
  defaultEpochs: CONFIG.scheduleEpochs,
  async run(context) {
    const { seed, log, train } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [dataRng, initRng, shuffleRng] = [rng.fork(), rng.fork(), rng.fork()];
    const line = { slope, intercept, noiseStd: CONFIG.noiseStd, xRange: [-1, 1] as const, rng: dataRng };
    const data = datasetTensors(linearRegressionData({ ...line, n: CONFIG.trainSize })); // x, y: [256, 1]
    const validation = datasetTensors(linearRegressionData({ ...line, n: CONFIG.validationSize })); // [64, 1]
    const model = new Sequential(new Linear(1, CONFIG.hidden, { rng: initRng }), new Sigmoid(), new Linear(CONFIG.hidden, 1, { rng: initRng }));
    // --steps draws that many random batches per epoch; by default an epoch is one pass over the data.
    const steps = stepsPerEpoch ?? Math.ceil(CONFIG.trainSize / batchSize);
    const lr = cosineDecay(learningRate, CONFIG.scheduleEpochs * steps, { minLr: Math.min(CONFIG.finalLearningRate, learningRate) });
    const optimizer = adam({ lr });
    const xs = Float32Array.from({ length: 201 }, (_, index) => -1 + index / 100); // x = -1, -0.99, ..., 1
    const grid = tf.tensor2d(xs, [xs.length, 1]); // [201, 1]
    try {
      const batches = stepsPerEpoch === undefined ? data : sampledBatches(data, { steps: stepsPerEpoch, batchSize, rng: shuffleRng });
      await train(model, batches, { loss: meanSquaredError, optimizer, rng: shuffleRng, batchSize, validationData: validation });
      const predictions = await predict(model, grid);
      const maxError = Math.max(...Array.from(xs, (x, index) => Math.abs(predictions[index] - target(x))));
      const row = (...cells: string[]) => log(cells.map((cell, index) => cell.padStart([6, 12, 9, 9][index])).join(''));
      row('x', 'prediction', '2x + 1', 'error');
      for (const x of [-1, -0.5, 0, 0.5, 1]) {
        const prediction = predictions[Math.round((x + 1) * 100)]; // grid index of x
        row(x.toFixed(2), prediction.toFixed(4), target(x).toFixed(4), (prediction - target(x)).toFixed(4));
      }
      log(`max |prediction - (2x + 1)| on [-1, 1] (201 points): ${maxError.toFixed(4)}${maxError < 0.05 ? ' (< 0.05)' : ' (NOT < 0.05)'}`);
      return { maxError };
    } finally {
      tf.dispose([data.x, data.y, validation.x, validation.y, grid]);
      model.dispose();
      optimizer.dispose();
    }
  },
};
