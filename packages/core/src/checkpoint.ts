import * as tf from '@tensorflow/tfjs-core';
import { readFileBytes, writeFileAtomic } from './atomic-write';
import { ArgumentError, CheckpointError, TensorZooError } from './errors';
import type { Module } from './module';
import { checkGeneratorState, type Generator, type GeneratorState } from './rng';
import { decodeSafetensors, encodeSafetensors, type RawTensor } from './safetensors';
import { formatShape } from './shape';
import type { JsonValue, Optimizer, OptimizerState } from './types';

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
  /** SHA-256 of the data section, lowercase hex (absent in files saved without a checksum). */
  sha256?: string;
  /** SHA-256 of the header bytes with this field's value written as 64 zeros. */
  headerSha256?: string;
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

/** Written where the checksums go, then overwritten in place (same length). */
const CHECKSUM_PLACEHOLDER = '0'.repeat(64);

/** Options of {@link encodeCheckpoint} and {@link saveCheckpoint} besides the training state. */
export interface EncodeCheckpointOptions {
  /**
   * Store SHA-256 checksums in the metadata - `sha256` of the data section (every tensor's
   * bytes) and `headerSha256` of the header (with its own value written as 64 zeros) - so
   * that {@link decodeCheckpoint} detects any changed byte. Default `true`.
   * The file stays a plain safetensors file (the hash is one more metadata string), loadable
   * by PyTorch. Needs Web Crypto (`globalThis.crypto.subtle`: Node >= 20, browsers in secure
   * contexts); where it is missing, no checksum is written.
   */
  checksum?: boolean;
}

/**
 * Serialises a model (and optionally its training state) to safetensors bytes.
 *
 * Tensor names are the model's `namedVariables()` names, which match PyTorch's
 * `state_dict` for the zoo's modules, in PyTorch's layouts (Linear weight `[out, in]`).
 * By default SHA-256 checksums of the data section and of the header are stored in the
 * `tensorzoo` metadata entry (`{"sha256": "<hex>", "headerSha256": "<hex>"}`) and verified on
 * load (see {@link EncodeCheckpointOptions.checksum}).
 * @example
 * ```ts
 * const bytes = await encodeCheckpoint(model);                          // weights only
 * const full = await encodeCheckpoint(model, { optimizer, rng, step }); // resumable
 * const plain = await encodeCheckpoint(model, { checksum: false });     // no integrity hash
 * ```
 */
export async function encodeCheckpoint(
  model: Module<never, unknown, never>,
  state: TrainingState & EncodeCheckpointOptions = {},
): Promise<Uint8Array> {
  const tensors: Record<string, RawTensor> = Object.create(null);
  for (const [name, variable] of model.namedVariables()) tensors[name] = await toRaw(variable);
  const stored: StoredMetadata = { version: 1, step: checkCounter('encodeCheckpoint', 'step', state.step ?? 0), epoch: checkCounter('encodeCheckpoint', 'epoch', state.epoch ?? 0) };
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
  const subtle = webCrypto();
  const withChecksum = (state.checksum ?? true) && subtle !== undefined;
  if (withChecksum) {
    stored.sha256 = CHECKSUM_PLACEHOLDER;
    stored.headerSha256 = CHECKSUM_PLACEHOLDER;
  }
  const metadata: Record<string, string> = { ...state.metadata, format: 'pt', [METADATA_KEY]: JSON.stringify(stored) };
  const bytes = encodeSafetensors(tensors, metadata);
  if (!withChecksum) return bytes;
  if (await writeChecksums(bytes, subtle)) return bytes;
  // The caller's own metadata contains our placeholder text: write no checksum rather than a wrong one.
  delete stored.sha256;
  delete stored.headerSha256;
  return encodeSafetensors(tensors, { ...metadata, [METADATA_KEY]: JSON.stringify(stored) });
}

function webCrypto(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
}

async function sha256Hex(subtle: SubtleCrypto, bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Offset of the data section: 8 + the header length (the file was validated already). */
function dataStartOf(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return 8 + view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
}

/** How `"<field>":"` appears in the header: inside the JSON string of the metadata entry. */
function escapedField(field: string): string {
  return JSON.stringify(`"${field}":"`).slice(1, -1);
}

/**
 * Byte offset in the file of the 64 characters after `"<field>":"` in the header, or -1
 * when that text is absent or not unique.
 */
function checksumOffset(header: string, field: string, value: string): number {
  const needle = escapedField(field) + value;
  const position = header.indexOf(needle);
  if (position < 0 || header.lastIndexOf(needle) !== position) return -1;
  // The header before it may hold multi-byte UTF-8 (user metadata): count bytes.
  return 8 + new TextEncoder().encode(header.slice(0, position + needle.length - value.length)).length;
}

/** Writes both checksums over their placeholders, in place. False when a placeholder is not unique. */
async function writeChecksums(bytes: Uint8Array, subtle: SubtleCrypto): Promise<boolean> {
  const dataStart = dataStartOf(bytes);
  const header = new TextDecoder().decode(bytes.subarray(8, dataStart));
  const dataOffset = checksumOffset(header, 'sha256', CHECKSUM_PLACEHOLDER);
  const headerOffset = checksumOffset(header, 'headerSha256', CHECKSUM_PLACEHOLDER);
  if (dataOffset < 0 || headerOffset < 0) return false;
  const encoder = new TextEncoder();
  bytes.set(encoder.encode(await sha256Hex(subtle, bytes.subarray(dataStart))), dataOffset);
  // The header hash covers the data hash just written and its own field as zeros.
  bytes.set(encoder.encode(await sha256Hex(subtle, bytes.subarray(8, dataStart))), headerOffset);
  return true;
}

/**
 * Loads safetensors bytes into `model` (and the optimizer/generator in `state`, when given).
 *
 * Atomic: the file is fully validated first - header, dtypes, shapes, offsets, the data
 * checksum when the file has one, the step/epoch counters, the generator state, every
 * weight's name, shape and dtype against the model, and the optimizer slots against the
 * model's parameters - and only then is anything changed. On any error the model, the
 * optimizer and the generator are exactly as before, and a `CheckpointError` says what was
 * expected and received ({@link loadCheckpoint} adds the file name). Weights saved by
 * PyTorch (`save_file(model.state_dict())`) load directly; F64/F16/BF16 are converted to
 * float32.
 *
 * Optimizer slots (`optimizer/<parameter>.<slot>`) must name trainable parameters of the
 * model, have their parameter's shape and dtype, and every parameter with state must have
 * the same slots (a file missing one slot is rejected). An optimizer with a `checkState`
 * method checks its own state instead of these generic rules. The optimizer's `setState` is
 * called after the weights are loaded; if it throws, the weights are restored.
 *
 * @throws {CheckpointError} with codes from {@link parseSafetensorsHeader} plus
 *   `checksum-mismatch`, `bad-metadata`, `bad-rng-state`, `bad-optimizer-state`,
 *   `missing-optimizer-state`, `missing-rng-state`, `state-dict-mismatch`, `shape-mismatch`,
 *   `dtype-mismatch`, `bad-dtype`.
 */
export async function decodeCheckpoint(
  source: Uint8Array | ArrayBuffer | Blob,
  model: Module<never, unknown, never>,
  state: Omit<TrainingState, 'step' | 'epoch' | 'metadata'> = {},
): Promise<CheckpointInfo> {
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source instanceof ArrayBuffer ? source : await source.arrayBuffer());
  const decoded = decodeSafetensors(bytes);
  const stored = parseStored(decoded.metadata[METADATA_KEY]);
  if (stored !== undefined) await verifyChecksums(bytes, stored);
  const hasOptimizerState = stored?.optimizer !== undefined;
  if (state.optimizer && !hasOptimizerState) {
    throw new CheckpointError('missing-optimizer-state', 'decodeCheckpoint: an optimizer was given but the file holds no optimizer state (it was saved without one).');
  }
  if (state.rng && !stored?.rng) {
    throw new CheckpointError('missing-rng-state', 'decodeCheckpoint: a generator was given but the file holds no generator state.');
  }
  const rngState = stored?.rng === undefined ? undefined : checkStoredGenerator(stored.rng);
  // Null-prototype records: a tensor named `__proto__` or `constructor` is an ordinary key.
  const weights: Record<string, tf.Tensor> = Object.create(null);
  const slots: Record<string, tf.Tensor> = Object.create(null);
  let previous: Array<[tf.Variable, tf.Tensor]> = [];
  try {
    for (const [name, raw] of Object.entries(decoded.tensors)) {
      if (name.startsWith(OPTIMIZER_PREFIX)) slots[name.slice(OPTIMIZER_PREFIX.length)] = fromRaw(name, raw);
      else weights[name] = fromRaw(name, raw);
    }
    const optimizerState = state.optimizer && stored?.optimizer ? { tensors: slots, scalars: stored.optimizer } : undefined;
    if (state.optimizer && optimizerState) checkOptimizerFits(state.optimizer, optimizerState, model);
    // Everything but the weights is validated; loadStateDict validates every name, shape and
    // dtype before it assigns anything. With an optimizer, keep the current weights (clones
    // share data: no copy, but the old values stay in memory until the load ends) so that a
    // failing optimizer.setState can be undone.
    if (optimizerState) previous = model.namedVariables().map(([, variable]) => [variable, tf.clone(variable)]);
    model.loadStateDict(weights);
    if (state.optimizer && optimizerState) {
      try {
        state.optimizer.setState(optimizerState);
      } catch (error) {
        for (const [variable, value] of previous) variable.assign(value);
        throw asCheckpointError(error, 'bad-optimizer-state', 'decodeCheckpoint: the optimizer rejected the saved state');
      }
    }
    if (state.rng && rngState) state.rng.setState(rngState);
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
    tf.dispose([...Object.values(weights), ...Object.values(slots), ...previous.map(([, value]) => value)]);
  }
}

async function verifyChecksums(bytes: Uint8Array, stored: StoredMetadata): Promise<void> {
  const subtle = webCrypto();
  if (!subtle || stored.sha256 === undefined || stored.headerSha256 === undefined) return; // documented: no Web Crypto, no verification
  const mismatch = (what: string, detail: string) =>
    new CheckpointError(
      'checksum-mismatch',
      `decodeCheckpoint: the ${what} does not match its recorded SHA-256 (${detail}); ` +
        'the file was changed or damaged after saving. Use an intact copy of the checkpoint.',
    );
  const dataStart = dataStartOf(bytes);
  const header = bytes.slice(8, dataStart);
  const offset = checksumOffset(new TextDecoder().decode(header), 'headerSha256', stored.headerSha256);
  if (offset < 0) throw mismatch('header', 'its checksum field is not found exactly once');
  header.set(new TextEncoder().encode(CHECKSUM_PLACEHOLDER), offset - 8);
  const headerHash = await sha256Hex(subtle, header);
  if (headerHash !== stored.headerSha256) throw mismatch('header', `computed ${headerHash}, recorded ${stored.headerSha256}`);
  const dataHash = await sha256Hex(subtle, bytes.subarray(dataStart));
  if (dataHash !== stored.sha256) throw mismatch('tensor data', `computed ${dataHash}, recorded ${stored.sha256}`);
}

/** A TensorZoo error from a validation step, re-thrown as a CheckpointError (others pass through). */
function asCheckpointError(error: unknown, code: string, context: string): unknown {
  if (CheckpointError.isInstance(error)) return error;
  if (TensorZooError.isInstance(error)) {
    return new CheckpointError(code, `${context}: ${error.message}`, { cause: error });
  }
  return error;
}

function checkStoredGenerator(state: unknown): GeneratorState {
  try {
    return checkGeneratorState(state, `decodeCheckpoint: metadata "${METADATA_KEY}".rng`);
  } catch (error) {
    throw asCheckpointError(error, 'bad-rng-state', 'decodeCheckpoint: bad generator state');
  }
}

/** Runs the optimizer's own `checkState`, or the generic slot rules ({@link checkOptimizerState}). */
function checkOptimizerFits(optimizer: Optimizer, state: OptimizerState, model: Module<never, unknown, never>): void {
  const parameters = new Map(model.namedParameters());
  try {
    if (optimizer.checkState) optimizer.checkState(state, Object.fromEntries(parameters));
    else checkOptimizerState(state, parameters, 'decodeCheckpoint');
  } catch (error) {
    throw asCheckpointError(error, 'bad-optimizer-state', 'decodeCheckpoint: the saved optimizer state does not fit');
  }
}

/** `a, b, c` for messages, cut after 10 names. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((name) => JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name));
  return names.length > 10 ? `${shown.join(', ')} and ${names.length - 10} more` : shown.join(', ');
}

/**
 * Checks an optimizer state (as `getState()` returns it) against the parameters it will
 * update, without changing anything - the rules {@link decodeCheckpoint} applies to optimizers
 * without their own `checkState`:
 * - every slot tensor is named `<parameter>.<slot>` for a parameter in `parameters`, and has
 *   that parameter's shape and dtype;
 * - every parameter with state has the same set of slots (so a lost slot is detected);
 * - every dotted scalar (`<parameter>.step`) names a parameter, and, per suffix, covers
 *   exactly the parameters that have slots.
 * A parameter with no state at all is accepted (it may never have had a gradient).
 *
 * @param where prefix for error messages.
 * @throws {CheckpointError} (`bad-optimizer-state`) naming the slot or scalar.
 * @example
 * ```ts
 * checkOptimizerState(optimizer.getState(), new Map(model.namedParameters()), 'resume');
 * ```
 */
export function checkOptimizerState(state: OptimizerState, parameters: ReadonlyMap<string, tf.Variable>, where: string): void {
  const fail: (message: string) => never = (message) => {
    throw new CheckpointError('bad-optimizer-state', `${where}: ${message}`);
  };
  const slotsOf = new Map<string, string[]>();
  for (const [key, tensor] of Object.entries(state.tensors)) {
    const dot = key.lastIndexOf('.');
    const name = dot > 0 ? key.slice(0, dot) : '';
    const parameter = parameters.get(name);
    if (parameter === undefined) {
      fail(`optimizer slot ${listNames([key])} belongs to no trainable parameter of the model (slots are "<parameter>.<slot>"; parameters: ${listNames([...parameters.keys()])}).`);
    }
    if (!tf.util.arraysEqual(tensor.shape, parameter.shape) || tensor.dtype !== parameter.dtype) {
      fail(
        `optimizer slot ${listNames([key])} is ${tensor.dtype} ${formatShape(tensor.shape)}, but its parameter is ${parameter.dtype} ${formatShape(parameter.shape)}.`,
      );
    }
    const kinds = slotsOf.get(name) ?? [];
    kinds.push(key.slice(dot + 1));
    slotsOf.set(name, kinds);
  }
  let reference: [string, string] | undefined;
  for (const [name, kinds] of slotsOf) {
    const set = kinds.sort().join(', ');
    if (reference === undefined) reference = [name, set];
    else if (reference[1] !== set) {
      fail(
        `parameter ${listNames([name])} has optimizer slots [${set}] but ${listNames([reference[0]])} has [${reference[1]}]; ` +
          'every parameter with state must have the same slots. A slot is missing or extra: the file is damaged.',
      );
    }
  }
  const scalarOwners = new Map<string, Set<string>>();
  for (const key of Object.keys(state.scalars)) {
    const dot = key.lastIndexOf('.');
    if (dot <= 0) continue;
    const name = key.slice(0, dot);
    if (!parameters.has(name)) {
      fail(`optimizer scalar ${listNames([key])} belongs to no trainable parameter of the model.`);
    }
    const suffix = key.slice(dot + 1);
    const owners = scalarOwners.get(suffix) ?? new Set<string>();
    owners.add(name);
    scalarOwners.set(suffix, owners);
  }
  for (const [suffix, owners] of scalarOwners) {
    const withoutScalar = [...slotsOf.keys()].filter((name) => !owners.has(name));
    const withoutSlots = slotsOf.size === 0 ? [] : [...owners].filter((name) => !slotsOf.has(name));
    if (withoutScalar.length > 0 || withoutSlots.length > 0) {
      fail(
        `optimizer scalars "<parameter>.${suffix}" and slots cover different parameters` +
          (withoutScalar.length ? `; no "${suffix}" for ${listNames(withoutScalar)}` : '') +
          (withoutSlots.length ? `; no slots for ${listNames(withoutSlots)}` : '') +
          '. The file is damaged.',
      );
    }
  }
}

function parseStored(text: string | undefined): StoredMetadata | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CheckpointError('bad-metadata', `decodeCheckpoint: metadata "${METADATA_KEY}" is not valid JSON; it starts with ${JSON.stringify(text.slice(0, 80))}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as { version?: unknown }).version !== 1) {
    throw new CheckpointError(
      'bad-metadata',
      `decodeCheckpoint: metadata "${METADATA_KEY}" must be {"version": 1, "step", "epoch", ...}; received ${JSON.stringify(text.slice(0, 200))}.`,
    );
  }
  const stored = value as Record<string, unknown>;
  for (const field of ['step', 'epoch'] as const) {
    const count = stored[field];
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new CheckpointError(
        'bad-metadata',
        `decodeCheckpoint: metadata "${METADATA_KEY}".${field} must be an integer in [0, 2^53); received ${JSON.stringify(count)?.slice(0, 80)}.`,
      );
    }
  }
  const optimizer = stored.optimizer;
  if (optimizer !== undefined && (typeof optimizer !== 'object' || optimizer === null || Array.isArray(optimizer))) {
    throw new CheckpointError('bad-metadata', `decodeCheckpoint: metadata "${METADATA_KEY}".optimizer must be an object of scalars; received ${JSON.stringify(optimizer).slice(0, 80)}.`);
  }
  for (const field of ['sha256', 'headerSha256'] as const) {
    const hash = stored[field];
    if (hash !== undefined && (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash))) {
      throw new CheckpointError('bad-metadata', `decodeCheckpoint: metadata "${METADATA_KEY}".${field} must be 64 lowercase hex digits; received ${JSON.stringify(hash).slice(0, 80)}.`);
    }
  }
  if ((stored.sha256 === undefined) !== (stored.headerSha256 === undefined)) {
    throw new CheckpointError('bad-metadata', `decodeCheckpoint: metadata "${METADATA_KEY}" has only one of sha256 and headerSha256; the file is damaged.`);
  }
  return stored as unknown as StoredMetadata;
}

/** step/epoch given to encodeCheckpoint: non-negative safe integers. */
function checkCounter(where: string, name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${value}) must be a non-negative integer.`);
  }
  return value;
}

/**
 * Saves a checkpoint file in Node, atomically: the bytes go to a temporary file in the same
 * folder, are flushed to disk, then renamed over `path`, so a crash or a full disk never
 * leaves a half-written file and the previous checkpoint stays intact on failure.
 * In browsers use {@link encodeCheckpoint} and a Blob/download instead.
 */
export async function saveCheckpoint(
  path: string,
  model: Module<never, unknown, never>,
  state: TrainingState & EncodeCheckpointOptions = {},
): Promise<void> {
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
