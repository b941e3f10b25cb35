import * as tf from '@tensorflow/tfjs-core';
import { ConvVAE, elboLoss, VAE } from '@tensorzoo/vae';

const images = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1); // [N, 28, 28, 1] in [0, 1]

// #region vae
const vae = new VAE({ rng: 0 }); //                           784-400-20, as PyTorch's MNIST example
const { reconstruction, mu, logVar } = vae.call(images); //  [8, 28, 28, 1], [8, 20], [8, 20]
const loss = elboLoss(images, { reconstruction, mu, logVar }); // −ELBO per image (BCE + KL), a scalar
vae.eval();
const digits = vae.sample(16, 1); //                          decode z ~ N(0, I): [16, 28, 28, 1]
const path = vae.interpolate(images.slice([0], [1]), images.slice([1], [1]), 8); // 8 images between two
const conv = new ConvVAE({ rng: 0 }); //                       the convolutional variant (32, 64 channels)
// #endregion vae

export { reconstruction, mu, loss, digits, path, conv };
