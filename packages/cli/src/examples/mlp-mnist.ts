// Seed article 001's multilayer perceptron, 784 -> 2048 -> 1024 -> 10, on MNIST digits: the
// baseline the convolutional cnn-mnist improves on.
import * as tf from '@tensorflow/tfjs-core';
import { Generator } from '@tensorzoo/core';
import { MLPClassifier } from '@tensorzoo/cnn';
import { loadMnist } from '@tensorzoo/datasets/mnist';
import { sparseCategoricalCrossEntropy } from '@tensorzoo/losses';
import { adam, cosineDecay } from '@tensorzoo/optimizers';
import { hyperparameters, type Example } from '../example';
import { confusionMatrix, formatConfusion } from './helpers/confusion';
import { firstImages, imageEpochs, predictLabels } from './helpers/images';

/** Settings of the run. */
const CONFIG = {
  /** Seed 001's widths; the softmax is folded into the loss (logits + cross-entropy from logits). */
  model: { hiddenSizes: [2048, 1024] },
  batchSize: 64,
  /** Steps per epoch: 25 x 64 = 1,600 of the 8,000 training digits, so five epochs see about one pass. */
  stepsPerEpoch: 25,
  /** Adam's step size, cosine-decayed to `finalLearningRate` over `defaultEpochs` (fixed, so a resumed run follows it). */
  learningRate: 1e-3,
  finalLearningRate: 1e-5,
  defaultEpochs: 20,
  /** Test digits scored after every epoch for the curve (the first 500: 50 per digit). */
  curveImages: 500,
} as const;

const loss = (yTrue: tf.Tensor, logits: tf.Tensor) => sparseCategoricalCrossEntropy(yTrue, logits, { fromLogits: true });

/** `tensorzoo train mlp-mnist`: MLPClassifier 784-2048-1024-10 on 8,000 MNIST digits, 2,000 held out. */
export const mlpMnist: Example = {
  name: 'mlp-mnist',
  description: 'seed 001 MLP 784-2048-1024-10 classifies MNIST digits; accuracy on 2,000 held-out digits (Adam + cross-entropy)',
  defaultEpochs: CONFIG.defaultEpochs,
  async run(context) {
    const { seed, log, train } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [initRng, shuffleRng] = [rng.fork(), rng.fork()];
    const [trainSet, testSet] = await Promise.all([loadMnist(), loadMnist({ split: 'test' })]);
    const model = new MLPClassifier({ ...CONFIG.model, rng: initRng });
    log(`model: MLP 784-${CONFIG.model.hiddenSizes.join('-')}-10 (ReLU): ${model.parameterCount()} parameters`);
    const totalSteps = CONFIG.defaultEpochs * stepsPerEpoch;
    const optimizer = adam({ lr: cosineDecay(learningRate, totalSteps, { minLr: Math.min(CONFIG.finalLearningRate, learningRate) }) });
    const curve = firstImages(testSet, CONFIG.curveImages);
    const batches = imageEpochs(trainSet, { steps: stepsPerEpoch, batchSize, maxShift: 0, rng: shuffleRng });
    try {
      await train(model, batches, { loss, optimizer, rng: shuffleRng, batchSize, validationData: curve, validationLabel: `test (${curve.x.shape[0]} digits)` });
      const predicted = await predictLabels(model, testSet);
      const matrix = confusionMatrix(testSet.targets, predicted, 10);
      const correct = matrix.reduce((sum, row, index) => sum + row[index], 0);
      log(`test accuracy: ${((correct / testSet.size) * 100).toFixed(2)}% (${correct} / ${testSet.size} held-out digits, ${optimizer.iterations} steps of ${batchSize})`);
      for (const line of formatConfusion(matrix, testSet.classNames)) log(`  ${line}`);
      return { testAccuracy: correct / testSet.size, testErrors: testSet.size - correct };
    } finally {
      tf.dispose([curve.x, curve.y]);
      model.dispose();
      optimizer.dispose();
    }
  },
};
