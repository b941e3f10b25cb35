// Messages between the page and the worker (src/worker.ts). Every request carries an `id`
// answered by exactly one reply; training and generation also send events while they run.

/** The screens: one per model family, and the image classifier for torchvision checkpoints. */
export const SCREENS = ['digits', 'gpt', 'vae', 'dcgan', 'seq2seq', 'regression', 'classifier'] as const;
export type ScreenName = (typeof SCREENS)[number];

/** Backends offered by the picker, in `'auto'` order. */
export const PICKER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type PickerBackend = (typeof PICKER_BACKENDS)[number];

/** Whether a backend can run here, and if not, why. */
export interface BackendStatus {
  name: PickerBackend;
  available: boolean;
  /** Why it is disabled (no adapter, package missing...), or a note such as "software adapter". */
  reason?: string;
}

export type Request =
  | { type: 'backends' }
  | { type: 'setBackend'; name: PickerBackend | 'auto' }
  | { type: 'open'; screen: ScreenName; weights: 'pretrained' | 'fresh'; baseUrl: string }
  | { type: 'infer'; input: unknown }
  | { type: 'train'; steps: number }
  | { type: 'stop' }
  | { type: 'save' }
  | { type: 'load'; bytes: Uint8Array };

/** What opening or loading a model reports. */
export interface ModelInfo {
  /** One line: architecture and parameter count. */
  description: string;
  /** Optimizer steps the weights have seen (from the checkpoint, or this session). */
  step: number;
  /** Backend the model runs on. */
  backend: string;
  /** Threads of TensorZoo's matrix products on cpu and wasm (more than 1 only where the page is cross-origin isolated). */
  threads: number;
}

/** One training step, as the worker reports it. */
export interface TrainProgress {
  step: number;
  loss: number;
  /** Extra per-step curves, e.g. `{ accuracy }` or `{ generatorLoss }`. */
  metrics: Record<string, number>;
  samplesPerSecond: number;
  /** Screen-specific payload (a fitted line, a sample grid...). */
  extra?: unknown;
}

/** Messages from the worker. */
export type WorkerMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'progress'; data: TrainProgress }
  | { event: 'token'; data: unknown };

/** The DCGAN screen receives the fixed-noise grid every this many training steps. */
export const DCGAN_SAMPLE_EVERY = 5;
