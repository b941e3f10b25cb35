// preprocessImage from browser image sources: ImageData, canvases, ImageBitmap and a decoded
// <img> give exactly what the same RGBA bytes give.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { preprocessImage, type DrawableImage, type RgbaImage } from '../src/index';

const WIDTH = 23;
const HEIGHT = 17;
const options = { resizeTo: 12, cropSize: 10 };

function pattern(): ImageData {
  const data = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
  for (let index = 0; index < WIDTH * HEIGHT; index++) {
    data[index * 4] = (index * 7) % 256;
    data[index * 4 + 1] = (index * 13 + 50) % 256;
    data[index * 4 + 2] = (index * 29 + 100) % 256;
    data[index * 4 + 3] = 255; // opaque: canvases keep the bytes exactly
  }
  return new ImageData(data, WIDTH, HEIGHT);
}

async function expectSameAs(reference: RgbaImage, source: DrawableImage | RgbaImage): Promise<void> {
  const expected = preprocessImage(reference, options);
  const actual = preprocessImage(source, options);
  expect(actual.shape).toEqual([1, 10, 10, 3]);
  const [a, b] = [Array.from(await actual.data()), Array.from(await expected.data())];
  const worst = a.reduce((max, value, index) => Math.max(max, Math.abs(value - b[index])), 0);
  expect(worst).toBeLessThan(1e-6);
  tf.dispose([expected, actual]);
}

describe('preprocessImage in the browser', () => {
  it('reads ImageData, OffscreenCanvas, HTMLCanvasElement, ImageBitmap and HTMLImageElement', async () => {
    const image = pattern();
    await expectSameAs(image, image);
    const offscreen = new OffscreenCanvas(WIDTH, HEIGHT);
    offscreen.getContext('2d')!.putImageData(image, 0, 0);
    await expectSameAs(image, offscreen);
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    canvas.getContext('2d')!.putImageData(image, 0, 0);
    await expectSameAs(image, canvas);
    await expectSameAs(image, await createImageBitmap(image));
    const element = new Image();
    element.src = canvas.toDataURL('image/png'); // lossless
    await element.decode();
    await expectSameAs(image, element);
  });

  it('asks to wait for an image that has not loaded', () => {
    expect(() => preprocessImage(new Image())).toThrow('preprocessImage: the image has no pixels yet (0x0); wait for it to load (await image.decode()).');
  });
});
