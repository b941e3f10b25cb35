// Seed article 002: linear regression of house prices with SGD, checked against the exact
// least-squares solution.
import * as tf from '@tensorflow/tfjs-core';
import { Generator, Linear } from '@tensorzoo/core';
import { fitStandardizer, loadBostonHousing, standardize, trainTestSplit } from '@tensorzoo/datasets';
import { meanSquaredError } from '@tensorzoo/losses';
import { sgd } from '@tensorzoo/optimizers';
import { hyperparameters, type Example } from '../example';
import { leastSquares, predictLinear, rootMeanSquaredError } from '../least-squares';
import { datasetTensors, predict, sampledBatches } from './helpers/tensors';

/** Settings of the run. */
const CONFIG = {
  /** Share of the 506 tracts held out for the test RMSE. */
  testFraction: 0.2,
  /** Plain SGD on standardised features; larger steps make the last epochs jitter around the optimum. */
  learningRate: 0.01,
  batchSize: 32,
} as const;

/** `tensorzoo train house-prices`: Linear(12, 1) on Boston housing, SGD + MSE, vs. the normal equations. */
export const housePrices: Example = {
  name: 'house-prices',
  description: 'linear regression of Boston house prices (SGD + MSE) checked against exact least squares (seed article 002)',
  defaultEpochs: 100,
  async run(context) {
    const { seed, log, train } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [splitRng, initRng, shuffleRng] = [rng.fork(), rng.fork(), rng.fork()];
    const split = trainTestSplit(loadBostonHousing(), { testFraction: CONFIG.testFraction, rng: splitRng });
    const columns = split.train.featureShape[0]; // 12
    const scaler = fitStandardizer(split.train.features, columns); // training statistics only
    const trainSet = standardize(split.train, { features: scaler });
    const testSet = standardize(split.test, { features: scaler });
    const data = datasetTensors(trainSet); // x [405, 12], y [405, 1] in $1000s
    const test = datasetTensors(testSet); // x [101, 12], y [101, 1]
    const model = new Linear(columns, 1, { rng: initRng });
    const optimizer = sgd({ lr: learningRate });
    try {
      // --steps draws that many random batches per epoch; by default an epoch is one pass over the data.
      const batches = stepsPerEpoch === undefined ? data : sampledBatches(data, { steps: stepsPerEpoch, batchSize, rng: shuffleRng });
      await train(model, batches, {
        loss: meanSquaredError,
        optimizer,
        rng: shuffleRng,
        batchSize,
        validationData: test,
        validationLabel: 'test',
      });
      const exact = leastSquares(trainSet.features, trainSet.targets, columns);
      const rmse = {
        sgdTrain: rootMeanSquaredError(await predict(model, data.x), trainSet.targets),
        sgdTest: rootMeanSquaredError(await predict(model, test.x), testSet.targets),
        exactTrain: rootMeanSquaredError(predictLinear(exact, trainSet.features), trainSet.targets),
        exactTest: rootMeanSquaredError(predictLinear(exact, testSet.features), testSet.targets),
      };
      const ratio = rmse.sgdTest / rmse.exactTest;
      const row = (label: string, trainRmse: number, testRmse: number) =>
        log(`  ${label.padEnd(44)}${trainRmse.toFixed(3).padStart(7)}${testRmse.toFixed(3).padStart(8)}`);
      log(`RMSE in $1000s (${split.train.size} train / ${split.test.size} test tracts)`.padEnd(46) + '  train    test');
      row(`Linear(12, 1), SGD, ${optimizer.iterations} steps`, rmse.sgdTrain, rmse.sgdTest);
      row('least squares (normal equations, float64)', rmse.exactTrain, rmse.exactTest);
      log(`test RMSE ratio SGD / least squares: ${ratio.toFixed(4)}${Math.abs(ratio - 1) <= 0.02 ? ' (within 2%)' : ' (NOT within 2%)'}`);
      return { trainRmse: rmse.sgdTrain, testRmse: rmse.sgdTest, exactTrainRmse: rmse.exactTrain, exactTestRmse: rmse.exactTest, testRmseRatio: ratio };
    } finally {
      tf.dispose([data.x, data.y, test.x, test.y]);
      model.dispose();
      optimizer.dispose();
    }
  },
};

