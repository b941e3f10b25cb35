import type { EpochInfo, StepInfo } from '@tensorzoo/core';
import cliProgress from 'cli-progress';

/**
 * How training progress is shown: `'bar'` (a live bar, for terminals), `'lines'` (a log line
 * every few epochs, for CI and files), `'none'`, or `'auto'`: a bar when stdout is a terminal,
 * lines otherwise.
 */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** Receives fit's callbacks and draws them. */
export interface ProgressReporter {
  onStep(info: StepInfo): void;
  onEpochEnd(info: EpochInfo): void;
  /** Finishes the display (also after an error). */
  stop(): void;
}

/** What a reporter needs to know about the run. */
export interface ProgressSettings {
  /** Total epochs of the run (a resumed run starts part way). */
  epochs: number;
  /** Where lines and the bar go. Default `process.stdout`. */
  stream?: NodeJS.WriteStream;
}

/** Lines mode prints about this many lines per run (plus the first and last epoch). */
const LINES_PER_RUN = 20;

/** Builds the reporter for `mode` (see {@link ProgressMode}). */
export function createProgressReporter(mode: ProgressMode, settings: ProgressSettings): ProgressReporter {
  const stream = settings.stream ?? process.stdout;
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { onStep() {}, onEpochEnd() {}, stop() {} };
  return resolved === 'bar' ? barReporter(settings.epochs, stream) : lineReporter(settings.epochs, stream);
}

/** Smoothed samples per second: an exponential moving average of fit's per-step rate. */
function throughput(): (info: StepInfo) => number {
  let average = 0;
  return (info) => (average = average === 0 ? info.samplesPerSecond : 0.9 * average + 0.1 * info.samplesPerSecond);
}

function barReporter(epochs: number, stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'epoch {epoch}/{epochs} {bar} {value}/{total} steps | loss {loss} | {speed} samples/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const speed = throughput();
  let started = false;
  return {
    onStep(info) {
      const payload = { epoch: info.epoch + 1, epochs, loss: formatLoss(info.loss), speed: formatCount(speed(info)) };
      if (!started) {
        bar.start(epochs * info.batchesPerEpoch, info.step - 1, payload);
        started = true;
      }
      bar.update(info.step, payload);
    },
    onEpochEnd() {},
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineReporter(epochs: number, stream: NodeJS.WriteStream): ProgressReporter {
  const every = Math.max(1, Math.ceil(epochs / LINES_PER_RUN));
  const speed = throughput();
  const started = performance.now();
  let firstStep = 0;
  let lastStep = 0;
  let printedAny = false;
  let rate = 0;
  let total = 0;
  return {
    onStep(info) {
      if (firstStep === 0) firstStep = info.step;
      lastStep = info.step;
      total = epochs * info.batchesPerEpoch;
      rate = speed(info);
    },
    onEpochEnd(info) {
      const epoch = info.epoch + 1;
      if (printedAny && epoch % every !== 0 && epoch !== epochs) return;
      printedAny = true;
      const secondsPerStep = (performance.now() - started) / 1000 / (lastStep - firstStep + 1);
      const parts = [
        `epoch ${String(epoch).padStart(String(epochs).length)}/${epochs}`,
        `step ${String(info.step).padStart(String(total).length)}/${total}`,
        `loss ${formatLoss(info.loss)}`,
        ...(info.valLoss === undefined ? [] : [`val ${formatLoss(info.valLoss)}`]),
        `${formatCount(rate)} samples/s`,
        `ETA ${formatSeconds(secondsPerStep * (total - info.step))}`,
      ];
      stream.write(`${parts.join('  ')}\n`);
    },
    stop() {},
  };
}

/** `0.1235`, `1.235e-4`: four significant digits. */
export function formatLoss(value: number): string {
  return Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(3) : value.toPrecision(4);
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
