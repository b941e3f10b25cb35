import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { plotLossCurve } from '../src/index';

const decode = (bytes: Buffer) => pngjs.PNG.sync.read(bytes);

/** Number of pixels of exactly this colour. */
function count(image: pngjs.PNG, [red, green, blue]: readonly number[]): number {
  let found = 0;
  for (let i = 0; i < image.data.length; i += 4) if (image.data[i] === red && image.data[i + 1] === green && image.data[i + 2] === blue) found++;
  return found;
}

const blue = [31, 119, 180];
const orange = [255, 127, 14];

describe('plotLossCurve', () => {
  it('draws each curve in its colour at the requested size', () => {
    const train = Array.from({ length: 50 }, (_, epoch) => 1 / (epoch + 1));
    const image = decode(plotLossCurve([{ label: 'train', values: train }, { label: 'validation', values: train.map((v) => v * 1.1) }], { width: 320, height: 200 }));
    expect([image.width, image.height]).toEqual([320, 200]);
    expect(count(image, blue)).toBeGreaterThan(100);
    expect(count(image, orange)).toBeGreaterThan(100);
  });

  it('handles one epoch, flat curves, gaps and a custom colour', () => {
    expect(decode(plotLossCurve([{ label: 'train', values: [0.5] }])).width).toBe(640);
    expect(decode(plotLossCurve([{ label: 'train', values: [2, 2, 2] }])).height).toBe(400);
    const gappy = decode(plotLossCurve([{ label: 'train', values: [3, NaN, 2, Infinity, 1], color: [200, 0, 200] }], { logScale: false }));
    expect(count(gappy, [200, 0, 200])).toBeGreaterThan(10);
  });

  it('uses a log scale for a large range, and says so in the caption', () => {
    const wide = plotLossCurve([{ label: 'train', values: [100, 1, 0.01] }]);
    const forcedLinear = plotLossCurve([{ label: 'train', values: [100, 1, 0.01] }], { logScale: false });
    expect(Buffer.compare(wide, forcedLinear)).not.toBe(0);
    expect(Buffer.compare(wide, plotLossCurve([{ label: 'train', values: [100, 1, 0.01] }], { logScale: true }))).toBe(0);
  });

  it('rejects nothing to draw, a log scale of non-positive values and a tiny image', () => {
    expect(() => plotLossCurve([])).toThrow('plotLossCurve: pass at least one curve with a finite value');
    expect(() => plotLossCurve([{ label: 'train', values: [NaN] }])).toThrow('plotLossCurve: pass at least one curve with a finite value');
    expect(() => plotLossCurve([{ label: 'train', values: [1, 0] }], { logScale: true })).toThrow('plotLossCurve: logScale needs values > 0, received 0.');
    expect(() => plotLossCurve([{ label: 'train', values: [1] }], { width: 50 })).toThrow('width × height (50 × 400) must be integers of at least 200 × 120');
  });
});
