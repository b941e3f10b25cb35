import * as tf from '@tensorflow/tfjs-core';
import { readFileBytes, writeFileAtomic } from './atomic-write';
import { CheckpointError } from './errors';
import type { Module } from './module';
import type { Generator, GeneratorState } from './rng';
import { decodeSafetensors, encodeSafetensors, type RawTensor } from './safetensors';
import type { JsonValue, Optimizer } from './types';

/** Prefix of optimizer slot tensors inside a training checkpoint. */
export const OPTIMIZER_PREFIX = 'optimizer/';
const METADATA_KEY = 'tensorzoo';

/**
 * Training state stored beside the weights. Everything is optional: with none of it the
 * file holds only the model's `state_dict` and loads straight into PyTorch
 * (`model.load_state_dict(safetensors.torch.load_file(path))`).
 */
export interface TrainingState {
  /** Optimizer whose slots (`optimizer/<param>.<slot>`) and counters are saved/restored. */
  optimizer?: Optimizer;
  /** Generator (e.g. fit's shuffle generator) whose state is saved/restored. */
  rng?: Generator;
  /** Global step, saved as metadata. */
  step?: number;
  /** Epochs completed, saved as metadata. */
  epoch?: number;
  /** Your own string metadata (e.g. the config used), saved and returned on load. */
  metadata?: Record<string, string>;
}

/** What {@link decodeCheckpoint} found besides the weights. */
export interface CheckpointInfo {
  step: number;
  epoch: number;
  metadata: Record<string, string>;
  /** True when optimizer state was present (and restored, if an optimizer was passed). */
  hasOptimizerState: boolean;
  /** True when generator state was present (and restored, if a generator was passed). */
  hasRngState: boolean;
}

interface StoredMetadata {
  version: 1;
  step: number;
  epoch: number;
  optimizer?: Record<string, JsonValue>;
  rng?: GeneratorState;
}

async function toRaw(tensor: tf.Tensor): Promise<RawTensor> {
  const shape = tensor.shape.slice();
  switch (tensor.dtype) {
    case 'float32':
      return { dtype: 'F32', shape, data: new Float32Array(await tensor.data<'float32'>()) };
    case 'int32':
      return { dtype: 'I32', shape, data: new Int32Array(await tensor.data<'int32'>()) };
    case 'bool':
      return { dtype: 'BOOL', shape, data: new Uint8Array(await tensor.data<'bool'>()) };
    default:
      throw new CheckpointError('bad-dtype', `checkpoint: cannot store a ${tensor.dtype} tensor (float32, int32 and bool are supported).`);
  }
}

function fromRaw(name: string, raw: RawTensor): tf.Tensor {
  switch (raw.dtype) {
    case 'F32':
      return tf.tensor(raw.data, raw.shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(raw.data), raw.shape, 'float32');
    case 'F16':
      return tf.tensor(Float32Array.from(raw.data, halfToFloat), raw.shape, 'float32');
    case 'BF16':
      return tf.tensor(Float32Array.from(raw.data, (bits) => new Float32Array(new Uint32Array([bits << 16]).buffer)[0]), raw.shape, 'float32');
    case 'I32':
      return tf.tensor(raw.data, raw.shape, 'int32');
    case 'I64': {
      const values = Int32Array.from(raw.data, (value) => {
        if (value > 2147483647n || value < -2147483648n) {
          throw new CheckpointError('bad-dtype', `checkpoint: "${name}" holds ${value}, outside the int32 range tfjs supports.`);
        }
        return Number(value);
      });
      return tf.tensor(values, raw.shape, 'int32');
    }
    case 'BOOL':
      return tf.tensor(raw.data, raw.shape, 'bool');
    default:
      throw new CheckpointError('bad-dtype', `checkpoint: "${name}" has dtype ${raw.dtype}; supported: F32, F64, F16, BF16, I32, I64, BOOL.`);
  }
}

/** IEEE 754 half precision bits -> number. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Serialises a model (and optionally its training state) to safetensors bytes.
 *
 * Tensor names are the model's `namedVariables()` names, which match PyTorch's
 * `state_dict` for the zoo's modules, in PyTorch's layouts (Linear weight `[out, in]`).
 * @example
 * ```ts
 * const bytes = await encodeCheckpoint(model);                          // weights only
 * const full = await encodeCheckpoint(model, { optimizer, rng, step }); // resumable
 * ```
 */
export async function encodeCheckpoint(model: Module<never, unknown, never>, state: TrainingState = {}): Promise<Uint8Array> {
  const tensors: Record<string, RawTensor> = {};
  for (const [name, variable] of model.namedVariables()) tensors[name] = await toRaw(variable);
  const stored: StoredMetadata = { version: 1, step: state.step ?? 0, epoch: state.epoch ?? 0 };
  if (state.optimizer) {
    const snapshot = state.optimizer.getState();
    try {
      for (const [name, tensor] of Object.entries(snapshot.tensors)) tensors[OPTIMIZER_PREFIX + name] = await toRaw(tensor);
    } finally {
      tf.dispose(Object.values(snapshot.tensors));
    }
    stored.optimizer = snapshot.scalars;
  }
  if (state.rng) stored.rng = state.rng.getState();
  const metadata: Record<string, string> = { ...state.metadata, format: 'pt', [METADATA_KEY]: JSON.stringify(stored) };
  return encodeSafetensors(tensors, metadata);
}

/**
 * Loads safetensors bytes into `model` (and the optimizer/generator in `state`, when given).
 *
 * The file is fully validated first (header, dtypes, shapes, offsets; then every name and
 * shape against the model): on any error nothing is changed and a `CheckpointError` says
 * what was expected and received. Weights saved by PyTorch (`save_file(model.state_dict())`)
 * load directly; F64/F16/BF16 are converted to float32.
 */
export async function decodeCheckpoint(
  source: Uint8Array | ArrayBuffer | Blob,
  model: Module<never, unknown, never>,
  state: Omit<TrainingState, 'step' | 'epoch' | 'metadata'> = {},
): Promise<CheckpointInfo> {
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source instanceof ArrayBuffer ? source : await source.arrayBuffer());
  const decoded = decodeSafetensors(bytes);
  const stored = parseStored(decoded.metadata[METADATA_KEY]);
  const weights: Record<string, tf.Tensor> = {};
  const slots: Record<string, tf.Tensor> = {};
  try {
    for (const [name, raw] of Object.entries(decoded.tensors)) {
      if (name.startsWith(OPTIMIZER_PREFIX)) slots[name.slice(OPTIMIZER_PREFIX.length)] = fromRaw(name, raw);
      else weights[name] = fromRaw(name, raw);
    }
    const hasOptimizerState = stored?.optimizer !== undefined;
    if (state.optimizer && !hasOptimizerState) {
      throw new CheckpointError('missing-optimizer-state', 'decodeCheckpoint: an optimizer was given but the file holds no optimizer state (it was saved without one).');
    }
    if (state.rng && !stored?.rng) {
      throw new CheckpointError('missing-rng-state', 'decodeCheckpoint: a generator was given but the file holds no generator state.');
    }
    model.loadStateDict(weights);
    if (state.optimizer && stored?.optimizer) state.optimizer.setState({ tensors: slots, scalars: stored.optimizer });
    if (state.rng && stored?.rng) state.rng.setState(stored.rng);
    const metadata = { ...decoded.metadata };
    delete metadata[METADATA_KEY];
    return {
      step: stored?.step ?? 0,
      epoch: stored?.epoch ?? 0,
      metadata,
      hasOptimizerState,
      hasRngState: stored?.rng !== undefined,
    };
  } finally {
    tf.dispose([...Object.values(weights), ...Object.values(slots)]);
  }
}

function parseStored(text: string | undefined): StoredMetadata | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CheckpointError('bad-metadata', `decodeCheckpoint: metadata "${METADATA_KEY}" is not valid JSON.`);
  }
  const stored = value as StoredMetadata;
  if (typeof stored !== 'object' || stored === null || stored.version !== 1 || !Number.isInteger(stored.step) || !Number.isInteger(stored.epoch)) {
    throw new CheckpointError('bad-metadata', `decodeCheckpoint: metadata "${METADATA_KEY}" must be {version: 1, step, epoch, ...}, received ${text.slice(0, 200)}.`);
  }
  return stored;
}

/**
 * Saves a checkpoint file in Node, atomically: the bytes go to a temporary file in the same
 * folder, are flushed to disk, then renamed over `path`, so a crash or a full disk never
 * leaves a half-written file and the previous checkpoint stays intact on failure.
 * In browsers use {@link encodeCheckpoint} and a Blob/download instead.
 */
export async function saveCheckpoint(path: string, model: Module<never, unknown, never>, state: TrainingState = {}): Promise<void> {
  await writeFileAtomic(path, await encodeCheckpoint(model, state));
}

/** Loads a checkpoint file in Node (see {@link decodeCheckpoint}; errors name the file). */
export async function loadCheckpoint(
  path: string,
  model: Module<never, unknown, never>,
  state: Omit<TrainingState, 'step' | 'epoch' | 'metadata'> = {},
): Promise<CheckpointInfo> {
  const bytes = await readFileBytes(path);
  try {
    return await decodeCheckpoint(bytes, model, state);
  } catch (error) {
    if (CheckpointError.isInstance(error)) {
      throw new CheckpointError(error.code, `${path}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
