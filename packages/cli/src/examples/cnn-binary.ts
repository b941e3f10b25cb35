// Seed article 003's task as written: a binary image classifier with a sigmoid output, binary
// cross-entropy and Adam, on Fashion-MNIST sneakers vs ankle boots; accuracy and the 2x2
// confusion matrix on the held-out images.
import * as tf from '@tensorflow/tfjs-core';
import { Generator } from '@tensorzoo/core';
import { SimpleCNN } from '@tensorzoo/cnn';
import { loadFashionMnist } from '@tensorzoo/datasets/fashion-mnist';
import { binaryCrossEntropy } from '@tensorzoo/losses';
import { adam, cosineDecay } from '@tensorzoo/optimizers';
import { hyperparameters, type Example } from '../example';
import { confusionMatrix, formatConfusion } from './helpers/confusion';
import { firstImages, imageEpochs, predictLabels } from './helpers/images';

/** Settings of the run. */
const CONFIG = {
  /** Fashion-MNIST classes: 7 (sneaker) is label 0, 9 (ankle boot) is label 1, the positive class. */
  classes: [7, 9],
  /** Training images: the first 4,000 of the 11,200 (2,000 per class); the test set is all 2,800 held-out images. */
  trainImages: 4000,
  /** Seed 003's network unchanged (channels 32/64/128, 'valid' padding, Dense 512) with its one sigmoid unit. */
  model: { output: 'sigmoid' } as const,
  /**
   * Keras' defaults, as the seed: Adam with step size 1e-3, batches of 32. The step size
   * decays (cosine) to `finalLearningRate`: at a constant 1e-3 the held-out loss jumps between
   * epochs (0.10-0.19 over the last eight), so the result depended on where the run stopped.
   */
  learningRate: 1e-3,
  finalLearningRate: 1e-5,
  batchSize: 32,
  /** Steps per epoch: 25 x 32 = 800 images drawn at random, so five epochs see about one pass. */
  stepsPerEpoch: 25,
  /** 40 epochs: 1,000 steps, 8 passes over the 4,000 training images. */
  defaultEpochs: 40,
  /** Test images scored after every epoch for the curve (the first 400: 200 per class). */
  curveImages: 400,
} as const;

/** `tensorzoo train cnn-binary`: SimpleCNN with a sigmoid unit on sneakers vs ankle boots. */
export const cnnBinary: Example = {
  name: 'cnn-binary',
  description: 'seed 003 CNN with a sigmoid output tells sneakers from ankle boots (Fashion-MNIST; Adam + binary cross-entropy)',
  defaultEpochs: CONFIG.defaultEpochs,
  async run(context) {
    const { seed, log, train } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [initRng, shuffleRng] = [rng.fork(), rng.fork()];
    const data = { classes: CONFIG.classes, labels: 'binary' } as const;
    const [trainSet, testSet] = await Promise.all([
      loadFashionMnist({ ...data, limit: CONFIG.trainImages }),
      loadFashionMnist({ ...data, split: 'test' }),
    ]);
    const [negative, positive] = testSet.classNames;
    log(`data: Fashion-MNIST ${negative} (0) vs ${positive} (1): ${trainSet.size} training / ${testSet.size} held-out images`);
    const model = new SimpleCNN({ ...CONFIG.model, rng: initRng });
    // The schedule spans the default run (fixed, so a resumed run follows it; longer runs stay at the final step size).
    const optimizer = adam({ lr: cosineDecay(learningRate, CONFIG.defaultEpochs * stepsPerEpoch, { minLr: Math.min(CONFIG.finalLearningRate, learningRate) }) });
    const curve = firstImages(testSet, CONFIG.curveImages);
    const batches = imageEpochs(trainSet, { steps: stepsPerEpoch, batchSize, maxShift: 0, rng: shuffleRng });
    try {
      await train(model, batches, {
        loss: (yTrue, probability) => binaryCrossEntropy(yTrue, probability),
        optimizer,
        rng: shuffleRng,
        batchSize,
        validationData: curve,
        validationLabel: `test (${curve.x.shape[0]} images)`,
      });
      const predicted = await predictLabels(model, testSet); // p >= 0.5 -> 1
      const matrix = confusionMatrix(testSet.targets, predicted, 2);
      const [[trueNegative, falsePositive], [falseNegative, truePositive]] = matrix;
      const accuracy = (trueNegative + truePositive) / testSet.size;
      const precision = truePositive / Math.max(1, truePositive + falsePositive);
      const recall = truePositive / Math.max(1, truePositive + falseNegative);
      log(`test accuracy: ${(accuracy * 100).toFixed(2)}% (${trueNegative + truePositive} / ${testSet.size} held-out images, ${optimizer.iterations} steps of ${batchSize})`);
      log('confusion matrix (rows: true class, columns: predicted):');
      for (const line of formatConfusion(matrix, testSet.classNames)) log(`  ${line}`);
      log(`${positive}: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}`);
      return { testAccuracy: accuracy, truePositives: truePositive, falsePositives: falsePositive, trueNegatives: trueNegative, falseNegatives: falseNegative, precision, recall };
    } finally {
      tf.dispose([curve.x, curve.y]);
      model.dispose();
      optimizer.dispose();
    }
  },
};
