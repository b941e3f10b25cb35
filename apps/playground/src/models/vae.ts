// VAE: the 784-400-20 model of `tensorzoo train vae-mnist`: a sample grid, reconstructions of
// test digits, the line between two picked digits and a walk over two latent axes; "train here"
// fits a fresh one on the 2,000 shipped digits (negative ELBO, Adam 1e-3).
import * as tf from '@tensorflow/tfjs-core';
import { Generator, Module, decodeCheckpoint, encodeModel, type Batch, type ModuleChild, type Optimizer } from '@tensorzoo/core';
import { adam } from '@tensorzoo/optimizers';
import { VAE, elboLoss } from '@tensorzoo/vae';
import { fetchBytes, fitWithProgress, type ModelFactory, type ScreenModel, type TrainContext } from './model';
import { PIXELS, gatherPixels, loadDigits } from './mnist-data';

const CONFIG = { hiddenDims: [400], latentDim: 20 };
const BATCH_SIZE = 64;
const LEARNING_RATE = 1e-3;

/** What the page asks for. */
export type VaeRequest =
  | { kind: 'samples'; count: number; seed: number }
  | { kind: 'reconstructions'; count: number }
  | { kind: 'interpolate'; from: number; to: number; steps: number }
  | { kind: 'walk'; size: number; span: number; axes: [number, number] };

/** The VAE as `fit` trains it (as the CLI's): one output `[reconstruction | mu | logVar]`; variables named as the VAE's own. */
class PackedVAE extends Module {
  constructor(readonly vae: VAE) {
    super();
  }

  protected override children(): Array<[string, ModuleChild]> {
    const { encoder, mu, logVar, decoder } = this.vae;
    return [['encoder', encoder], ['mu', mu], ['logVar', logVar], ['decoder', decoder]];
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    const { reconstruction, mu, logVar } = this.vae.call(images, { sample: true });
    return tf.concat([tf.reshape(reconstruction, [images.shape[0], -1]), mu, logVar], 1);
  }
}

function negativeElbo(images: tf.Tensor, packed: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const [reconstruction, mu, logVar] = tf.split(packed, [PIXELS, CONFIG.latentDim, CONFIG.latentDim], 1);
    return elboLoss(images, { reconstruction: tf.reshape(reconstruction, images.shape), mu, logVar });
  });
}

class VaeModel implements ScreenModel {
  private readonly vae = new VAE({ ...CONFIG, rng: 10, noise: new Generator(11) });
  private readonly packed = new PackedVAE(this.vae);
  private optimizer: Optimizer = adam({ lr: LEARNING_RATE });
  private readonly rng = new Generator(12);
  private step = 0;

  constructor(private readonly baseUrl: string) {}

  info() {
    return { description: `VAE 784-400-${CONFIG.latentDim}, ${this.vae.parameterCount().toLocaleString('en')} parameters`, step: this.step };
  }

  /** Images `[n, 28, 28]` in [0, 1] for the request, as one Float32Array (plus the originals for reconstructions). */
  async infer(input: unknown): Promise<{ images: Float32Array; count: number; originals?: Float32Array }> {
    const request = input as VaeRequest;
    this.vae.eval();
    const { test } = await loadDigits(this.baseUrl);
    const image = (row: number) => tf.tensor4d(test.pixels.subarray(row * PIXELS, (row + 1) * PIXELS), [1, 28, 28, 1]);
    let output: tf.Tensor;
    let originals: Float32Array | undefined;
    switch (request.kind) {
      case 'samples':
        output = this.vae.sample(request.count, request.seed);
        break;
      case 'reconstructions': {
        const rows = Array.from({ length: request.count }, (_, index) => index);
        originals = gatherPixels(test, rows);
        output = tf.tidy(() => this.vae.reconstruct(tf.tensor4d(originals!, [rows.length, 28, 28, 1])));
        break;
      }
      case 'interpolate':
        output = tf.tidy(() => this.vae.interpolate(image(request.from), image(request.to), request.steps));
        break;
      case 'walk': {
        const { size, span, axes } = request;
        const z = new Float32Array(size * size * CONFIG.latentDim);
        for (let row = 0; row < size; row++) {
          for (let column = 0; column < size; column++) {
            const offset = (row * size + column) * CONFIG.latentDim;
            z[offset + axes[0]] = -span + (2 * span * column) / (size - 1);
            z[offset + axes[1]] = span - (2 * span * row) / (size - 1);
          }
        }
        output = tf.tidy(() => this.vae.decode(tf.tensor2d(z, [size * size, CONFIG.latentDim])));
        break;
      }
    }
    const images = (await output.data()) as Float32Array;
    const count = output.shape[0];
    output.dispose();
    return { images, count, originals };
  }

  async train(steps: number, { signal, report }: TrainContext): Promise<void> {
    const { train } = await loadDigits(this.baseUrl);
    const rng = this.rng;
    const batches: Iterable<Batch> = {
      *[Symbol.iterator]() {
        for (let index = 0; index < steps; index++) {
          const pixels = gatherPixels(train, Array.from({ length: BATCH_SIZE }, () => rng.integer(train.size)));
          const batch = { x: tf.tensor4d(pixels, [BATCH_SIZE, 28, 28, 1]), y: tf.tensor4d(pixels, [BATCH_SIZE, 28, 28, 1]) };
          try {
            yield batch;
          } finally {
            tf.dispose([batch.x, batch.y]);
          }
        }
      },
    };
    try {
      await fitWithProgress(this.packed, batches, { loss: negativeElbo, optimizer: this.optimizer }, { signal, report }, async (info) => ({
        step: ++this.step,
        loss: info.loss, metrics: {}, samplesPerSecond: info.samplesPerSecond,
      }));
    } finally {
      this.vae.eval();
    }
  }

  save(): Promise<Uint8Array> {
    return encodeModel(this.vae, { optimizer: this.optimizer, step: this.step });
  }

  async load(bytes: Uint8Array): Promise<void> {
    const info = await decodeCheckpoint(bytes, this.packed);
    this.optimizer.dispose();
    this.optimizer = adam({ lr: LEARNING_RATE });
    this.step = info.step;
  }

  dispose(): void {
    this.vae.dispose();
    this.optimizer.dispose();
  }
}

export const createVaeModel: ModelFactory = async ({ weights, baseUrl }) => {
  const model = new VaeModel(baseUrl);
  if (weights === 'pretrained') await model.load(await fetchBytes(baseUrl, 'models/vae-mnist.safetensors'));
  return model;
};
