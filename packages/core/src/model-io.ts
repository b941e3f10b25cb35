/**
 * Self-describing model files: a safetensors checkpoint whose metadata also records the
 * model's class name and constructor config, so {@link loadModel} can rebuild the model
 * from the file alone, and save/load helpers for Node paths, URLs, bytes, `File`/`Blob`,
 * IndexedDB and browser downloads.
 *
 * There is no global registry: the caller passes the classes a file may hold
 * (`loadModel(file, { models: [...cnnModels, GPT] })`), so importing changes no global state
 * and bundlers keep only the models an app names.
 *
 * `fromConfig` rebuilds the architecture; the weights come from the checkpoint. Random seeds
 * and generators are not part of a config.
 *
 * @module
 */
import { readFileBytes, writeFileAtomic } from './atomic-write';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointInfo, type TrainingState } from './checkpoint';
import { ArgumentError, CheckpointError } from './errors';
import { Module } from './module';
import { importOptional } from './optional-import';
import { parseSafetensorsHeader } from './safetensors';
import type { JsonValue } from './types';

export { coreLayers } from './core-layers';

/** A model's constructor options as JSON (what `getConfig()` returns). */
export type ModelConfig = { [key: string]: JsonValue };

/** A module that can describe itself: every zoo model implements `getConfig()`. */
export type SerializableModule = Module<never, unknown, never> & {
  /** The JSON-serialisable constructor options that rebuild this architecture (no rng/seed). */
  getConfig(): object;
};

/**
 * A class {@link loadModel} can rebuild: its own `static moduleName` (the name stored in the
 * file) and a `static fromConfig(config)`. Every zoo model class is one, e.g. `LeNet5`, `GPT`.
 */
export interface ModelClass<Model extends Module<never, unknown, never> = Module<never, unknown, never>> {
  readonly moduleName: string | undefined;
  /**
   * Builds a fresh model (new random weights) from a config returned by `getConfig()`.
   * `loadModel` passes `{ models }` as a second argument, for containers that rebuild children.
   */
  fromConfig(config: never): Model;
}

/**
 * The safetensors metadata key holding `{"name": <moduleName>, "config": <getConfig()>}`.
 * Distinct from the CLI's language-model keys (`tensorzoo.model`, `tensorzoo.tokenizer`, ...)
 * and from the training-state key (`tensorzoo`).
 */
export const MODEL_METADATA_KEY = 'tensorzoo.architecture';

/** Where {@link saveModel} writes: a Node path, `'indexeddb://<name>'` or `'download://<file name>'`. */
export type ModelTarget = string;

/**
 * Where {@link loadModel} reads: a Node path or `file://` URL, an `http(s)://` URL (in browsers
 * also a relative URL), a `URL`, `'indexeddb://<name>'`, bytes (`ArrayBuffer` / `Uint8Array`) or a `File` / `Blob`.
 */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array | Blob;

/** Options of {@link loadModel} and {@link decodeModel}. */
export interface LoadModelOptions extends Omit<TrainingState, 'step' | 'epoch' | 'metadata'> {
  /** The classes the file may hold, e.g. `[...cnnModels, ...transformerModels]`. */
  models: readonly ModelClass[];
}

/** What {@link decodeModel} returns: the rebuilt model and the checkpoint's other contents. */
export interface DecodedModel<Model> {
  model: Model;
  /** Step, epoch, your own metadata (without the architecture key), and which states were present. */
  info: CheckpointInfo;
}

const INDEXEDDB_SCHEME = 'indexeddb://';
const DOWNLOAD_SCHEME = 'download://';
const DATABASE_NAME = 'tensorzoo';
const STORE_NAME = 'models';

/**
 * The metadata entry that records `model`'s class and config:
 * `{ 'tensorzoo.architecture': '{"name":"LeNet5","config":{...}}' }`. Merge it into your own
 * checkpoint metadata (e.g. `saveCheckpoint(path, model, { metadata: { ...modelMetadata(model), ... } })`)
 * to make a checkpoint that {@link loadModel} can rebuild.
 * @throws {ArgumentError} when the model has no `getConfig()` or its config is not JSON.
 * @example
 * ```ts
 * modelMetadata(new LeNet5({ rng: 0 }));
 * // { 'tensorzoo.architecture': '{"name":"LeNet5","config":{"inputShape":[28,28,1],...}}' }
 * ```
 */
export function modelMetadata(model: SerializableModule): Record<string, string> {
  const where = 'modelMetadata';
  if (!Module.isModule(model) || typeof (model as Partial<SerializableModule>).getConfig !== 'function') {
    throw new ArgumentError(
      'not-serializable',
      `${where}: expected a model with getConfig(), received ${Module.isModule(model) ? `a ${model.typeName} without getConfig()` : typeof model}. ` +
        'Save its weights with saveCheckpoint / encodeCheckpoint instead and rebuild it yourself before loading.',
    );
  }
  const config = model.getConfig();
  assertJson(`${where}: ${model.typeName}.getConfig()`, config);
  return { [MODEL_METADATA_KEY]: JSON.stringify({ name: model.typeName, config }) };
}

/**
 * Serialises a model to safetensors bytes that record its class and config (see
 * {@link modelMetadata}), plus the optional training state of `encodeCheckpoint`. The
 * tensors are the same as `encodeCheckpoint`'s, so PyTorch loads the file unchanged.
 * @example
 * ```ts
 * const bytes = await encodeModel(new LeNet5({ rng: 0 }));
 * const copy = (await decodeModel(bytes, { models: [LeNet5] })).model;
 * ```
 */
export async function encodeModel(model: SerializableModule, state: TrainingState = {}): Promise<Uint8Array> {
  const architecture = modelMetadata(model);
  return encodeCheckpoint(model, { ...state, metadata: { ...state.metadata, ...architecture } });
}

/**
 * Saves a model with its class name and config to:
 * - a file path in Node (written atomically: temp file, fsync, rename);
 * - `'indexeddb://<name>'` in browsers (database `tensorzoo`, store `models`, key `<name>`);
 * - `'download://<file name>'` in browsers (the user's browser downloads the file).
 *
 * @throws {ArgumentError} when the target is empty, or a download is asked for outside a browser.
 * @example
 * ```ts
 * await saveModel(model, 'checkpoints/lenet.safetensors');          // Node
 * await saveModel(model, 'indexeddb://lenet');                      // browser storage
 * await saveModel(model, 'download://lenet.safetensors');           // browser download
 * ```
 */
export async function saveModel(model: SerializableModule, target: ModelTarget, state: TrainingState = {}): Promise<void> {
  if (typeof target !== 'string' || target.length === 0) {
    throw new ArgumentError('bad-argument', `saveModel: target must be a file path, 'indexeddb://<name>' or 'download://<file name>', received ${JSON.stringify(target)}.`);
  }
  const bytes = await encodeModel(model, state);
  if (target.startsWith(INDEXEDDB_SCHEME)) return writeIndexedDb(storedName('saveModel', target, INDEXEDDB_SCHEME), bytes);
  if (target.startsWith(DOWNLOAD_SCHEME)) return download(storedName('saveModel', target, DOWNLOAD_SCHEME), bytes);
  return writeFileAtomic(target, bytes);
}

/**
 * Rebuilds a model from bytes written by {@link encodeModel} / {@link saveModel}: finds the
 * class in `options.models` by the stored name, calls its `fromConfig`, then loads the weights
 * (and the optimizer / generator state, when given) with `decodeCheckpoint`'s validation.
 * @throws {CheckpointError} `'missing-model-metadata'` when the file has no architecture
 *   (a plain checkpoint: build the model yourself and use `decodeCheckpoint`),
 *   `'unknown-model'` when no class in `models` has the stored name, or any `decodeCheckpoint` error.
 */
export async function decodeModel<Model extends Module<never, unknown, never> = Module<never, unknown, never>>(
  source: Uint8Array | ArrayBuffer | Blob,
  options: LoadModelOptions,
): Promise<DecodedModel<Model>> {
  const where = 'decodeModel';
  const models = checkModels(where, options);
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source instanceof ArrayBuffer ? source : await source.arrayBuffer());
  const { name, config } = readArchitecture(where, parseSafetensorsHeader(bytes).metadata);
  const modelClass = models.find((candidate) => ownModuleName(candidate) === name);
  if (!modelClass) {
    const known = models.map((candidate) => ownModuleName(candidate) ?? '(a class without moduleName)');
    throw new CheckpointError(
      'unknown-model',
      `${where}: the file holds a "${name}" but options.models has ${known.length ? known.join(', ') : 'no classes'}. ` +
        `Pass the ${name} class (from its package's model list, e.g. \`models: [...cnnModels, ...transformerModels]\`).`,
    );
  }
  // Containers (Sequential) rebuild their children from the same list.
  const fromConfig = modelClass.fromConfig as unknown as (config: ModelConfig, context: { models: readonly ModelClass[] }) => Model;
  const model = fromConfig.call(modelClass, config, { models });
  if (!Module.isModule(model) || model.typeName !== name) {
    if (Module.isModule(model)) model.dispose();
    throw new CheckpointError(
      'bad-model-class',
      `${where}: ${name}.fromConfig returned ${Module.isModule(model) ? `a ${model.typeName}` : typeof model}, not a ${name}; ` +
        `give ${name} its own static fromConfig (an inherited one builds the parent class).`,
    );
  }
  try {
    const info = await decodeCheckpoint(bytes, model, { optimizer: options.optimizer, rng: options.rng });
    delete info.metadata[MODEL_METADATA_KEY];
    return { model, info };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Loads a model saved by {@link saveModel} (or any checkpoint carrying {@link modelMetadata})
 * from a Node path, an `http(s)` URL, `'indexeddb://<name>'`, bytes or a `File` / `Blob`,
 * rebuilding it from the stored class name and config. `options.models` lists the classes
 * the file may hold; nothing is looked up globally.
 * @throws {CheckpointError} as {@link decodeModel}, with the source named; `'not-found'` for a
 *   missing IndexedDB key; `'fetch-failed'` for an HTTP error.
 * @example
 * ```ts
 * import { loadModel } from '@tensorzoo/core';
 * import { cnnModels } from '@tensorzoo/cnn';
 * import { transformerModels } from '@tensorzoo/transformer';
 * const model = await loadModel(fileInput.files[0], { models: [...cnnModels, ...transformerModels] });
 * ```
 */
export async function loadModel<Model extends Module<never, unknown, never> = Module<never, unknown, never>>(
  source: ModelSource,
  options: LoadModelOptions,
): Promise<Model> {
  checkModels('loadModel', options);
  const bytes = await readSource(source);
  try {
    return (await decodeModel<Model>(bytes, options)).model;
  } catch (error) {
    if (CheckpointError.isInstance(error) && typeof source === 'string') {
      throw new CheckpointError(error.code, `${source}: ${error.message.replace(/^decodeModel: /, 'loadModel: ')}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Deletes a model saved with `saveModel(model, 'indexeddb://<name>')`. Resolves `true` when it
 * existed.
 */
export async function deleteStoredModel(key: string): Promise<boolean> {
  const name = storedName('deleteStoredModel', key, INDEXEDDB_SCHEME);
  const database = await openDatabase('deleteStoredModel');
  try {
    const existed = (await request(database.transaction(STORE_NAME, 'readonly').objectStore(STORE_NAME).count(name))) > 0;
    await request(database.transaction(STORE_NAME, 'readwrite').objectStore(STORE_NAME).delete(name));
    return existed;
  } finally {
    database.close();
  }
}

/** The architecture metadata of a checkpoint, validated. */
function readArchitecture(where: string, metadata: Record<string, string>): { name: string; config: ModelConfig } {
  const text = metadata[MODEL_METADATA_KEY];
  if (text === undefined) {
    throw new CheckpointError(
      'missing-model-metadata',
      `${where}: the checkpoint has no "${MODEL_METADATA_KEY}" metadata, so the model cannot be rebuilt from it (it was saved with saveCheckpoint / encodeCheckpoint, or by PyTorch). ` +
        'Build the model yourself and load the weights with loadCheckpoint(path, model) or decodeCheckpoint(bytes, model); save with saveModel / encodeModel next time.',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CheckpointError('bad-metadata', `${where}: metadata "${MODEL_METADATA_KEY}" is not valid JSON: ${text.slice(0, 200)}.`);
  }
  const record = value as { name?: unknown; config?: unknown };
  if (typeof record !== 'object' || record === null || typeof record.name !== 'string' || typeof record.config !== 'object' || record.config === null || Array.isArray(record.config)) {
    throw new CheckpointError('bad-metadata', `${where}: metadata "${MODEL_METADATA_KEY}" must be {"name": string, "config": object}, received ${text.slice(0, 200)}.`);
  }
  return { name: record.name, config: record.config as ModelConfig };
}

function checkModels(where: string, options: LoadModelOptions): readonly ModelClass[] {
  const models = (options as Partial<LoadModelOptions> | undefined)?.models;
  if (!Array.isArray(models)) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: options.models must list the model classes the file may hold (e.g. { models: [...cnnModels, GPT] }), received ${models === undefined ? 'nothing' : typeof models}.`,
    );
  }
  models.forEach((candidate, index) => {
    if (typeof candidate?.fromConfig !== 'function') {
      throw new ArgumentError('bad-argument', `${where}: options.models[${index}] (${ownModuleName(candidate) ?? String(candidate)}) has no static fromConfig(config).`);
    }
  });
  return models;
}

/** A class's own `moduleName` (not one inherited from a parent class). */
function ownModuleName(modelClass: ModelClass | undefined): string | undefined {
  if (typeof modelClass !== 'function' && (typeof modelClass !== 'object' || modelClass === null)) return undefined;
  return Object.prototype.hasOwnProperty.call(modelClass, 'moduleName') ? (modelClass as { moduleName?: string }).moduleName : undefined;
}

function assertJson(where: string, value: unknown, path = 'config'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => assertJson(where, item, `${path}[${index}]`));
    return;
  } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) if (item !== undefined) assertJson(where, item, `${path}.${key}`);
    return;
  }
  throw new ArgumentError('not-serializable', `${where}: ${path} is ${typeof value === 'function' ? 'a function' : String(value)}, which JSON cannot store; configs hold only numbers, strings, booleans, arrays and plain objects.`);
}

function storedName(where: string, target: string, scheme: string): string {
  const name = target.slice(scheme.length);
  if (name.length === 0) throw new ArgumentError('bad-argument', `${where}: "${target}" has no name after "${scheme}".`);
  return name;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

async function readSource(source: ModelSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  if (source instanceof URL) source = source.href;
  if (typeof source !== 'string' || source.length === 0) {
    throw new ArgumentError(
      'bad-argument',
      `loadModel: source must be a path, URL, 'indexeddb://<name>', ArrayBuffer, Uint8Array, File or Blob, received ${source === '' ? 'an empty string' : typeof source}.`,
    );
  }
  if (source.startsWith(INDEXEDDB_SCHEME)) return readIndexedDb(storedName('loadModel', source, INDEXEDDB_SCHEME));
  if (/^https?:\/\//i.test(source) || !isNode()) return fetchBytes(source);
  if (source.startsWith('file://')) {
    const { fileURLToPath } = (await importOptional('node:url')) as typeof import('node:url');
    return readFileBytes(fileURLToPath(source));
  }
  return readFileBytes(source);
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new CheckpointError('fetch-failed', `loadModel: fetching ${url} failed with HTTP ${response.status} ${response.statusText}.`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

function request<T>(pending: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    pending.onsuccess = () => resolve(pending.result);
    pending.onerror = () => reject(pending.error);
  });
}

function openDatabase(where: string): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') {
    throw new ArgumentError('no-indexeddb', `${where}: IndexedDB is not available in this environment (Node?); use a file path instead.`);
  }
  const opening = indexedDB.open(DATABASE_NAME, 1);
  opening.onupgradeneeded = () => {
    if (!opening.result.objectStoreNames.contains(STORE_NAME)) opening.result.createObjectStore(STORE_NAME);
  };
  return request(opening);
}

async function writeIndexedDb(name: string, bytes: Uint8Array): Promise<void> {
  const database = await openDatabase('saveModel');
  try {
    const copy = bytes.slice().buffer; // a plain ArrayBuffer of exactly the file
    const transaction = database.transaction(STORE_NAME, 'readwrite');
    transaction.objectStore(STORE_NAME).put({ bytes: copy, savedAt: new Date().toISOString() }, name);
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    database.close();
  }
}

async function readIndexedDb(name: string): Promise<Uint8Array> {
  const database = await openDatabase('loadModel');
  try {
    const stored = (await request(database.transaction(STORE_NAME, 'readonly').objectStore(STORE_NAME).get(name))) as { bytes?: ArrayBuffer } | undefined;
    if (!stored?.bytes) {
      throw new CheckpointError('not-found', `loadModel: no model is stored under "${INDEXEDDB_SCHEME}${name}"; save one with saveModel(model, '${INDEXEDDB_SCHEME}${name}').`);
    }
    return new Uint8Array(stored.bytes);
  } finally {
    database.close();
  }
}

function download(fileName: string, bytes: Uint8Array): void {
  if (typeof document === 'undefined' || typeof URL.createObjectURL !== 'function') {
    throw new ArgumentError('no-document', `saveModel: "${DOWNLOAD_SCHEME}${fileName}" needs a browser page (document); in Node save to a file path.`);
  }
  const url = URL.createObjectURL(new Blob([bytes.slice().buffer], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoke after the click has been handled; the download keeps its own reference.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
