// Seed article 001 (VAE section): a variational autoencoder on MNIST, the PyTorch examples /
// Kingma & Welling architecture (784-400-20), scored by the test negative ELBO in nats per
// image, with sample, reconstruction and interpolation grids.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Generator, Module, type Batch, type ModuleChild } from '@tensorzoo/core';
import { loadMnist, type MnistDataset } from '@tensorzoo/datasets/mnist';
import { adam } from '@tensorzoo/optimizers';
import { VAE, elbo, elboLoss } from '@tensorzoo/vae';
import { hyperparameters, type Example } from '../example';
import { imageGrid } from '../image-grid';
import { imageRows } from './helpers/images';

/** Settings of the run: the defaults take a few minutes on the cpu backend. */
const CONFIG = {
  /** The PyTorch examples' MNIST VAE (Kingma & Welling 2014 use the same sizes): 784-400-20. */
  hiddenDims: [400],
  latentDim: 20,
  /** Adam with the PyTorch example's learning rate. */
  learningRate: 1e-3,
  batchSize: 64,
  /**
   * Steps per epoch: an "epoch" is 640 random training images, so the curve has many points
   * and `--epochs 5` is a cheap smoke run. (A step costs about 0.45 s on the cpu backend,
   * almost all of it in tfjs's matrix products.)
   */
  stepsPerEpoch: 10,
  /** 100 epochs = 1,000 steps = 64,000 images, 8 passes over the 8,000 training images. */
  defaultEpochs: 100,
  /** Test images scored after every epoch (the validation curve); all 2,000 at the end. */
  curveTestImages: 200,
  /** Training images scored at the end, for the train/test gap. */
  finalTrainImages: 2000,
  /** Images per evaluation batch. */
  evaluationBatch: 250,
  /** Grids: 64 samples, 32 reconstructions, 8 interpolations of 10 steps. */
  samples: 64,
  reconstructions: 32,
  interpolations: 8,
  interpolationSteps: 10,
} as const;

/**
 * Published numbers for this architecture, trained on all 60,000 MNIST training images. Ours
 * sees 8,000, so expect a larger train/test gap.
 */
const REFERENCE = {
  pytorchExample:
    'PyTorch examples vae/main.py (784-400-20, Adam 1e-3, batch 128, 60,000 training images): test loss 106.7 nats per image after 7 epochs (log in pytorch/examples PR #1416), about 105 after 10',
  kingmaWelling: 'Kingma & Welling 2014, Fig. 2 (MNIST, 20 latents): test lower bound about -100 nats per image after ~10^7-10^8 training images',
} as const;

/**
 * The VAE as `fit` needs it: one tensor out, `[reconstruction | mu | logVar]` per image, z always
 * sampled (training and the validation curve both estimate the ELBO with one sample). Its
 * variables are the VAE's own (`encoder.0.weight`, ...), so the checkpoint is the PyTorch
 * reference's `state_dict`.
 */
class PackedVAE extends Module {
  static override readonly moduleName: string = 'PackedVAE';
  constructor(readonly vae: VAE) {
    super();
  }

  protected override children(): Array<[string, ModuleChild]> {
    const { encoder, mu, logVar, decoder } = this.vae;
    return [['encoder', encoder], ['mu', mu], ['logVar', logVar], ['decoder', decoder]];
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    const { reconstruction, mu, logVar } = this.vae.call(images, { sample: true });
    return tf.concat([tf.reshape(reconstruction, [images.shape[0], -1]), mu, logVar], 1); // [N, 784 + 2·latent]
  }
}

const PIXELS = 28 * 28;

/** `fit`'s loss on {@link PackedVAE}'s output: the negative ELBO per image, `yTrue` the flat images `[N, 784]`. */
function negativeElbo(yTrue: tf.Tensor, packed: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const [reconstruction, mu, logVar] = tf.split(packed, [PIXELS, CONFIG.latentDim, CONFIG.latentDim], 1);
    return elboLoss(yTrue, { reconstruction, mu, logVar });
  });
}

/** Images `rows` of `dataset` as a batch: x `[n, 28, 28, 1]`, y the same pixels flat `[n, 784]`. */
function imageBatch(dataset: MnistDataset, rows: ArrayLike<number>): Batch {
  const x = imageRows(dataset, rows); // [n, 28, 28, 1]
  return { x, y: tf.reshape(x, [rows.length, PIXELS]) };
}

const range = (start: number, end: number) => Int32Array.from({ length: end - start }, (_, index) => start + index);

/** Every loop over it is one epoch: `stepsPerEpoch` batches of a fresh random order drawn from `rng`. */
function epochBatches(train: MnistDataset, rng: Generator, { stepsPerEpoch, batchSize }: { stepsPerEpoch: number; batchSize: number }): Iterable<Batch> {
  return {
    *[Symbol.iterator]() {
      const order = rng.permutation(train.size);
      for (let step = 0; step < stepsPerEpoch; step++) {
        const batch = imageBatch(train, order.subarray(step * batchSize, (step + 1) * batchSize));
        try {
          yield batch;
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
      }
    },
  };
}

/** Mean negative ELBO (and its terms) over `rows` of `dataset`, one z sample per image, in nats. */
async function scoreElbo(vae: VAE, dataset: MnistDataset, rows: Int32Array): Promise<{ loss: number; reconstruction: number; kl: number }> {
  const sums = { loss: 0, reconstruction: 0, kl: 0 };
  for (let start = 0; start < rows.length; start += CONFIG.evaluationBatch) {
    const batch = imageBatch(dataset, rows.subarray(start, start + CONFIG.evaluationBatch));
    const terms = tf.tidy(() => elbo(batch.x, vae.call(batch.x, { sample: true })));
    const count = batch.x.shape[0];
    for (const key of ['loss', 'reconstruction', 'kl'] as const) sums[key] += (await terms[key].data())[0] * count;
    tf.dispose([batch.x, batch.y, terms.loss, terms.reconstruction, terms.kl]);
  }
  return { loss: sums.loss / rows.length, reconstruction: sums.reconstruction / rows.length, kl: sums.kl / rows.length };
}

/** Test images of `count` different digits, the first of each label (for interpolation rows). */
function firstOfEachDigit(test: MnistDataset): number[] {
  const first: number[] = [];
  for (let label = 0; label < 10; label++) first.push(Array.from(test.targets).indexOf(label));
  return first;
}

/** `tensorzoo train vae-mnist`: the 784-400-20 VAE on MNIST; test negative ELBO and image grids. */
export const vaeMnist: Example = {
  name: 'vae-mnist',
  description: 'a 784-400-20 variational autoencoder on MNIST: test negative ELBO (nats) vs published numbers, sample/reconstruction/interpolation grids (seed article 001)',
  defaultEpochs: CONFIG.defaultEpochs,
  async run(context) {
    const { seed, log, train, outDir } = context;
    const { learningRate, batchSize, stepsPerEpoch } = hyperparameters(context, CONFIG);
    const rng = new Generator(seed);
    const [initRng, trainRng, gridRng] = [rng.fork(), rng.fork(), rng.fork()];
    const [trainSet, testSet] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    log(`data: MNIST, ${trainSet.size} training / ${testSet.size} test images, pixels in [0, 1]`);
    // ε is drawn from the shuffle generator, which the checkpoint saves: --resume repeats the run exactly.
    const vae = new VAE({ hiddenDims: CONFIG.hiddenDims, latentDim: CONFIG.latentDim, rng: initRng, noise: trainRng });
    const model = new PackedVAE(vae);
    log(`model: VAE 784-${CONFIG.hiddenDims.join('-')}-${CONFIG.latentDim} (ReLU, sigmoid output, Bernoulli likelihood): ${vae.parameterCount()} parameters`);
    const optimizer = adam({ lr: learningRate });
    const validation = imageBatch(testSet, range(0, CONFIG.curveTestImages));
    try {
      const history = await train(model, epochBatches(trainSet, trainRng, { stepsPerEpoch, batchSize }), {
        loss: negativeElbo,
        optimizer,
        rng: trainRng,
        batchSize,
        validationData: validation,
        validationLabel: `test (${CONFIG.curveTestImages} images)`,
      });
      const seen = optimizer.iterations * batchSize;
      vae.eval();
      const test = await scoreElbo(vae, testSet, range(0, testSet.size));
      const trainScore = await scoreElbo(vae, trainSet, range(0, CONFIG.finalTrainImages));
      log(`after ${optimizer.iterations} steps of ${batchSize} (${seen} images, ${(seen / trainSet.size).toFixed(1)} passes over the training set):`);
      log(`  negative ELBO, nats per image (one z sample)   total   reconstruction      KL`);
      const row = (label: string, score: { loss: number; reconstruction: number; kl: number }) =>
        log(`  ${label.padEnd(45)}${score.loss.toFixed(2).padStart(7)}${score.reconstruction.toFixed(2).padStart(17)}${score.kl.toFixed(2).padStart(8)}`);
      row(`train (first ${CONFIG.finalTrainImages} images)`, trainScore);
      row(`test (${testSet.size} images)`, test);
      log(`  last epoch's training-batch mean: ${history.loss[history.loss.length - 1].toFixed(2)}`);
      log(`published, same architecture: ${REFERENCE.pytorchExample}.`);
      log(`  ${REFERENCE.kingmaWelling}.`);
      log(`  ours: test ${test.loss.toFixed(1)} nats from ${trainSet.size} training images (7.5x fewer than the references), so a gap is expected.`);

      // Grids.
      const files = {
        samples: join(outDir, 'vae-samples.png'),
        reconstructions: join(outDir, 'vae-reconstructions.png'),
        interpolations: join(outDir, 'vae-interpolations.png'),
      };
      const samples = vae.sample(CONFIG.samples, gridRng); // [64, 28, 28, 1]
      await writeFile(files.samples, await imageGrid(samples, { columns: 8 }));
      const originals = imageBatch(testSet, range(0, CONFIG.reconstructions));
      const reconstructions = vae.reconstruct(originals.x); // [32, 28, 28, 1]
      // Rows alternate: 8 test images, then their reconstructions.
      const paired = tf.tidy(() =>
        tf.reshape(tf.stack([tf.reshape(originals.x, [4, 8, 28, 28, 1]), tf.reshape(reconstructions, [4, 8, 28, 28, 1])], 1), [64, 28, 28, 1]),
      );
      await writeFile(files.reconstructions, await imageGrid(paired, { columns: 8 }));
      const digits = firstOfEachDigit(testSet);
      const ends = imageBatch(testSet, digits);
      const paths = tf.tidy(() =>
        tf.concat(
          Array.from({ length: CONFIG.interpolations }, (_, row) => {
            const from = tf.slice(ends.x, [row % 10, 0, 0, 0], [1, 28, 28, 1]);
            const to = tf.slice(ends.x, [(row * 3 + 1) % 10, 0, 0, 0], [1, 28, 28, 1]);
            return vae.interpolate(from, to, CONFIG.interpolationSteps);
          }),
        ),
      );
      await writeFile(files.interpolations, await imageGrid(paths, { columns: CONFIG.interpolationSteps }));
      tf.dispose([samples, originals.x, originals.y, reconstructions, paired, ends.x, ends.y, paths]);
      log(`wrote ${files.samples} (prior samples), ${files.reconstructions} (rows: test images / reconstructions), ${files.interpolations} (latent interpolations)`);
      return {
        testNegativeElbo: test.loss,
        testReconstruction: test.reconstruction,
        testKl: test.kl,
        trainNegativeElbo: trainScore.loss,
        imagesSeen: seen,
      };
    } finally {
      tf.dispose([validation.x, validation.y]);
      vae.dispose();
      optimizer.dispose();
    }
  },
};
