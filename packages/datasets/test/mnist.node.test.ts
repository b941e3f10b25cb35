// Fashion-MNIST: 16 MB of JSON per class, so only in the node project (the browser would
// fetch and transform it through the dev server).
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASS_NAMES, loadFashionMnist } from '../src/fashion-mnist';

function byteSum(features: Float32Array, row: number): number {
  let sum = 0;
  for (const value of features.subarray(row * 784, (row + 1) * 784)) sum += Math.round(value * 255);
  return sum;
}

describe('loadFashionMnist', () => {
  it('loads sneakers vs ankle boots: 5,600 / 1,400 per class, binary labels', async () => {
    const train = await loadFashionMnist({ classes: [7, 9], labels: 'binary' });
    const test = await loadFashionMnist({ classes: [7, 9], labels: 'binary', split: 'test' });
    expect(train.size).toBe(11200);
    expect(test.size).toBe(2800);
    expect(train.classCounts).toEqual([5600, 5600]);
    expect(test.classCounts).toEqual([1400, 1400]);
    expect(train.classNames).toEqual(['Sneaker', 'Ankle boot']);
    expect(train.featureShape).toEqual([28, 28, 1]);
    expect(train.targetShape).toEqual([1]);
    expect(Array.from(train.targets.subarray(0, 4))).toEqual([0, 1, 0, 1]);
    // Byte sums of the first sneaker, the first ankle boot and the first test sneaker in the package.
    expect(byteSum(train.features, 0)).toBe(52555);
    expect(byteSum(train.features, 1)).toBe(83940);
    expect(byteSum(test.features, 0)).toBe(25286);
    let low = Infinity;
    let high = -Infinity;
    for (const value of train.features) {
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    expect([low, high]).toEqual([0, 1]);
  });

  it('skips the two empty entries of the T-shirt file: 7,000 images split 5,600 / 1,400', async () => {
    const test = await loadFashionMnist({ classes: [0], split: 'test' });
    const all = await loadFashionMnist({ classes: [0], split: 'all', labels: 'one-hot' });
    expect(test.size).toBe(1400);
    expect(all.size).toBe(7000);
    expect(all.targetShape).toEqual([1]);
    expect(test.classNames).toEqual(['T-shirt/top']);
  });

  it('names the ten classes', () => {
    expect(FASHION_MNIST_CLASS_NAMES).toHaveLength(10);
    expect(FASHION_MNIST_CLASS_NAMES[9]).toBe('Ankle boot');
  });
});
