import * as tf from '@tensorflow/tfjs-core';
import { DCGANDiscriminator, DCGANGenerator, GANTrainer } from '@tensorzoo/gan';
import { adam } from '@tensorzoo/optimizers';

// #region dcgan
const trainer = new GANTrainer({
  generator: new DCGANGenerator({ rng: 1 }), //           z [N, 100] -> images [N, 28, 28, 1] in [-1, 1]
  discriminator: new DCGANDiscriminator({ rng: 2 }), //   images -> P(real) [N, 1]
  generatorOptimizer: adam({ lr: 2e-4, betas: [0.5, 0.999] }),
  discriminatorOptimizer: adam({ lr: 2e-4, betas: [0.5, 0.999] }),
  sampleCount: 16, //                                    the fixed-noise grid trainer.samples() draws
});
// Real images scaled to [-1, 1], one batch per step (here: two random batches).
const realBatches = [tf.randomUniform([8, 28, 28, 1], -1, 1, 'float32', 3), tf.randomUniform([8, 28, 28, 1], -1, 1, 'float32', 4)];
const history = await trainer.train(realBatches, { steps: 2 });
const samples = trainer.samples(); //        a fixed-noise grid, [sampleCount, 28, 28, 1]
const checkpoint = await trainer.save(); //  both networks, both optimizers, the step: one file
// #endregion dcgan

// #region conditional
const conditional = new GANTrainer({
  generator: new DCGANGenerator({ channels: [48, 24], kernelSize: 4, batchNorm: true, numClasses: 10, rng: 5 }), // (z, digit) -> image
  discriminator: new DCGANDiscriminator({ channels: [16, 32], kernelSize: 4, stride: 2, outputActivation: 'none', numClasses: 10, rng: 6 }),
  generatorOptimizer: adam({ lr: 2e-4, betas: [0.5, 0.999] }),
  discriminatorOptimizer: adam({ lr: 2e-4, betas: [0.5, 0.999] }),
  sampleCount: 20, //                                    samples() cycles the digits 0-9: trainer.sampleLabels
});
const labeled = [{ images: tf.randomUniform([8, 28, 28, 1], -1, 1, 'float32', 7), labels: tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32') }];
await conditional.train(labeled, { steps: 1 });
const sevens = (conditional.generator as DCGANGenerator).call(tf.randomNormal([4, 100], 0, 1, 'float32', 8), { labels: tf.fill([4], 7, 'int32') });
// #endregion conditional

export { history, samples, checkpoint, sevens };
