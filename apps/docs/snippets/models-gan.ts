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

export { history, samples, checkpoint };
