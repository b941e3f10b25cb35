// preprocessImage against torchvision's Resize(antialias) -> CenterCrop -> Normalize on float
// pixels (scripts/reference/torchvision_preprocess.py), and topK with the ImageNet names.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import { IMAGENET_CLASSES, preprocessImage, topK } from '../src/index';
import cases from '../fixtures/torchvision-preprocess.json';

/** The reference's RGBA formula: channel c of (y, x) is (7x + 13y + 50c + (x·y) % 11) % 256, alpha 255. */
function formulaImage(height: number, width: number): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(height * width * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let channel = 0; channel < 3; channel++) data[(y * width + x) * 4 + channel] = (x * 7 + y * 13 + channel * 50 + ((x * y) % 11)) % 256;
      data[(y * width + x) * 4 + 3] = 255;
    }
  }
  return { data, width, height };
}

describe('preprocessImage matches torchvision', () => {
  for (const recorded of cases) {
    const { height, width, resize, crop, stride } = recorded;
    it(`${height}x${width} -> shorter side ${resize} -> center crop ${crop}`, async () => {
      const input = preprocessImage(formulaImage(height, width), { resizeTo: resize, cropSize: crop });
      expect(input.shape).toEqual([1, crop, crop, 3]);
      const chw = tf.transpose(input.squeeze([0]), [2, 0, 1]); // torchvision's [3, H, W] order
      const values = await chw.data();
      let worst = 0;
      recorded.samples.forEach((expected, index) => {
        worst = Math.max(worst, Math.abs(values[index * stride] - expected));
      });
      expect(worst).toBeLessThan(1e-5);
      tf.dispose([input, chw]);
    });
  }

  it('rejects malformed images and options', () => {
    const image = formulaImage(4, 4);
    expect(() => preprocessImage({ ...image, data: image.data.subarray(1) }, { resizeTo: 4, cropSize: 4 })).toThrow(ArgumentError);
    expect(() => preprocessImage(image, { resizeTo: 4, cropSize: 5 })).toThrow('preprocessImage: cropSize (5) must not exceed the resized image 4x4 (resizeTo 4).');
    expect(() => preprocessImage(image, { resizeTo: 4, cropSize: 4, std: [1, 0, 1] })).toThrow('std');
  });
});

describe('topK', () => {
  it('ranks classes with softmax probabilities and ImageNet names', async () => {
    const values = new Float32Array(2000);
    values[207] = 5; // golden retriever
    values[1] = 4; // goldfish
    values[1000 + 999] = 3;
    const logits = tf.tensor2d(values, [2, 1000]);
    const [first, second] = await topK(logits, 2);
    expect(first.map(({ index, label }) => [index, label])).toEqual([[207, 'golden retriever'], [1, 'goldfish']]);
    const total = Math.exp(5) + Math.exp(4) + 998;
    expect(first[0].probability).toBeCloseTo(Math.exp(5) / total, 6);
    expect(first[0].logit).toBe(5);
    expect(second[0]).toMatchObject({ index: 999, label: 'toilet tissue' });
    expect(second[1].index).toBe(0); // ties keep class order
    expect(IMAGENET_CLASSES).toHaveLength(1000);
    expect(IMAGENET_CLASSES[0]).toBe('tench');
    logits.dispose();
  });

  it('takes custom labels and checks its arguments', async () => {
    const logits = tf.tensor1d([0.1, 2, -1]);
    expect((await topK(logits, 1, ['cat', 'dog', 'bird']))[0]).toEqual([expect.objectContaining({ index: 1, label: 'dog' })]);
    await expect(topK(logits, 1)).rejects.toThrow('topK: labels has 1000 names but the logits have 3 classes; pass one name per class.');
    await expect(topK(logits, 4, ['a', 'b', 'c'])).rejects.toThrow(ArgumentError);
    await expect(topK(tf.zeros([1, 1, 3]), 1, ['a', 'b', 'c'])).rejects.toThrow(ShapeError);
    logits.dispose();
  });
});
