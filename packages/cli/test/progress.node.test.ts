import type { StepInfo } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import { createProgressReporter, formatLoss } from '../src/progress';

/** A stream stand-in that records what is written. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { written: string } {
  const stream = { isTTY, written: '', write(text: string) { stream.written += text; return true; } };
  return stream as unknown as NodeJS.WriteStream & { written: string };
}

function simulate(mode: 'auto' | 'lines' | 'none', epochs: number, stream: NodeJS.WriteStream): void {
  const reporter = createProgressReporter(mode, { epochs, stream });
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let batch = 0; batch < 4; batch++) {
      const info: StepInfo = { step: ++step, epoch, batch, batchesPerEpoch: 4, loss: 1 / step, metrics: {}, samplesPerSecond: 1000 };
      reporter.onStep(info);
    }
    reporter.onEpochEnd({ epoch, step, loss: 1 / step, metrics: {}, valLoss: 2 / step, seconds: 0.01 });
  }
  reporter.stop();
}

describe('progress display', () => {
  it('off a terminal, prints plain lines: the first epoch, then about 20 more up to the last', () => {
    const stream = fakeStream(false);
    simulate('auto', 100, stream);
    const lines = stream.written.trimEnd().split('\n');
    expect(lines).toHaveLength(21); // epoch 1, then every 5th
    expect(lines[0]).toMatch(/^epoch {3}1\/100 {2}step {3}4\/400 {2}loss 0\.2500 {2}val 0\.5000 {2}1,000 samples\/s {2}ETA \d+s$/);
    expect(lines.at(-1)).toMatch(/^epoch 100\/100 {2}step 400\/400 {2}loss 0\.002500 {2}val 0\.005000 .* ETA 0s$/);
  });

  it('prints every epoch of a short run, nothing with "none"', () => {
    const stream = fakeStream(false);
    simulate('lines', 3, stream);
    expect(stream.written.trimEnd().split('\n').map((line) => line.slice(0, 9))).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    const silent = fakeStream(true);
    simulate('none', 3, silent);
    expect(silent.written).toBe('');
  });

  it('formats losses with four significant digits', () => {
    expect([formatLoss(12.3456), formatLoss(0.012345), formatLoss(0.00012346), formatLoss(0)]).toEqual(['12.35', '0.01235', '1.235e-4', '0.000']);
  });
});
