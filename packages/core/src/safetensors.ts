/**
 * A pure codec for the safetensors format (https://github.com/huggingface/safetensors):
 * no TensorFlow.js, no Node APIs, so it runs in browsers, workers and Node alike.
 *
 * Layout of a file:
 *
 * ```
 * [8 bytes]  N, unsigned 64-bit little-endian: length of the header
 * [N bytes]  UTF-8 JSON object, padded with spaces to a multiple of 8 bytes:
 *            { "__metadata__": { "format": "pt" },                       (optional)
 *              "fc.weight": { "dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48] }, ... }
 * [rest]     the data buffer; data_offsets are relative to its first byte
 * ```
 *
 * Elements are stored little-endian, row-major (C order).
 *
 * @module
 */
import { ArgumentError, CheckpointError } from './errors';

/**
 * The typed array that holds each safetensors dtype's elements, after decoding and for
 * encoding. Types JavaScript has no array for hold their raw bit patterns: `F16` and `BF16`
 * as `Uint16Array`, the 8-bit floats as `Uint8Array`. `BOOL` is one byte per element, 0 or 1.
 */
export interface SafetensorsArrayTypes {
  BOOL: Uint8Array;
  U8: Uint8Array;
  I8: Int8Array;
  F8_E5M2: Uint8Array;
  F8_E4M3: Uint8Array;
  I16: Int16Array;
  U16: Uint16Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I32: Int32Array;
  U32: Uint32Array;
  F32: Float32Array;
  F64: Float64Array;
  I64: BigInt64Array;
  U64: BigUint64Array;
}

/** An element type name as written in a safetensors header, e.g. `'F32'`. */
export type SafetensorsDtype = keyof SafetensorsArrayTypes;

/**
 * One tensor as plain data: its dtype, its shape and its elements in row-major order.
 * The `data` array type follows the dtype (see {@link SafetensorsArrayTypes}), so checking
 * `tensor.dtype === 'F32'` narrows `tensor.data` to `Float32Array`.
 *
 * @example
 * ```ts
 * const weight: RawTensor = { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) };
 * const scalar: RawTensor = { dtype: 'I64', shape: [], data: new BigInt64Array([7n]) };
 * ```
 */
export type RawTensor<D extends SafetensorsDtype = SafetensorsDtype> = {
  [K in D]: { dtype: K; shape: number[]; data: SafetensorsArrayTypes[K] };
}[D];

/** Where one tensor lives in a file, as read from (and checked against) the header. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** `[begin, end)` in bytes, relative to the start of the data buffer. */
  dataOffsets: [number, number];
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** Tensor entries in file order (by data offset). */
  tensors: Record<string, SafetensorsEntry>;
  /** The `__metadata__` map, or `{}` when the file has none. */
  metadata: Record<string, string>;
  /** Byte position of the data buffer in the file: 8 + header length. */
  dataStart: number;
}

/** Options of {@link decodeSafetensors} and {@link parseSafetensorsHeader}. */
export interface DecodeSafetensorsOptions {
  /**
   * Largest header accepted, in bytes. Default 100,000,000, the reference implementation's
   * limit; a larger length field means a corrupt file or not a safetensors file at all.
   */
  maxHeaderBytes?: number;
  /**
   * Most tensor entries accepted. Default 100,000 (large language models hold a few
   * thousand); a header of millions of tiny entries is rejected before it is parsed.
   */
  maxTensors?: number;
}

/** Tensors and metadata decoded from a safetensors file. */
export interface DecodedSafetensors {
  /** Tensors in file order (by data offset); each `data` is a fresh, aligned copy. */
  tensors: Record<string, RawTensor>;
  /** The `__metadata__` map, or `{}` when the file has none. */
  metadata: Record<string, string>;
}

/** The reference implementation's header limit (100 MB). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** Default of {@link DecodeSafetensorsOptions.maxTensors}. */
export const SAFETENSORS_MAX_TENSORS = 100_000;

/**
 * Deepest JSON nesting accepted in a header. A valid header nests 3 deep (the object, an
 * entry, its shape); the limit only keeps hostile input from exhausting the stack.
 */
const MAX_HEADER_DEPTH = 32;

/** Longest quotation of the input in an error message. */
const MAX_QUOTE = 300;

type TypedArrayConstructor = new (buffer: ArrayBuffer) => SafetensorsArrayTypes[SafetensorsDtype];

interface DtypeInfo {
  /** Bytes per element. */
  size: number;
  arrayType: TypedArrayConstructor;
}

// In the reference's `Dtype` order, which is increasing alignment: writers put tensors of
// later dtypes first so that every tensor starts at a multiple of its element size.
const DTYPES: Record<SafetensorsDtype, DtypeInfo> = {
  BOOL: { size: 1, arrayType: Uint8Array },
  U8: { size: 1, arrayType: Uint8Array },
  I8: { size: 1, arrayType: Int8Array },
  F8_E5M2: { size: 1, arrayType: Uint8Array },
  F8_E4M3: { size: 1, arrayType: Uint8Array },
  I16: { size: 2, arrayType: Int16Array },
  U16: { size: 2, arrayType: Uint16Array },
  F16: { size: 2, arrayType: Uint16Array },
  BF16: { size: 2, arrayType: Uint16Array },
  I32: { size: 4, arrayType: Int32Array },
  U32: { size: 4, arrayType: Uint32Array },
  F32: { size: 4, arrayType: Float32Array },
  F64: { size: 8, arrayType: Float64Array },
  I64: { size: 8, arrayType: BigInt64Array },
  U64: { size: 8, arrayType: BigUint64Array },
};
const DTYPE_NAMES = /* @__PURE__ */ Object.keys(DTYPES) as SafetensorsDtype[];
const DTYPE_RANK = /* @__PURE__ */ new Map(/* @__PURE__ */ DTYPE_NAMES.map((dtype, index) => [dtype, index]));

const METADATA_KEY = '__metadata__';
const HOST_IS_LITTLE_ENDIAN = /* @__PURE__ */ isLittleEndianHost();

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPES, value);
}

/** An object used as a string-keyed map (not an array, a Map, a typed array or null). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A value for an error message: JSON-like, at most `budget` characters, and safe on any
 * input (deep, huge or cyclic values are cut, never walked in full).
 */
function describe(value: unknown, budget = 80): string {
  const text = preview(value, budget + 1, 0);
  return text.length > budget ? `${text.slice(0, budget - 3)}...` : text;
}

function preview(value: unknown, budget: number, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth >= 4) return Array.isArray(value) ? '[...]' : '{...}';
  const isArray = Array.isArray(value);
  const parts: string[] = [];
  let used = 2;
  const keys = isArray ? null : Object.keys(value);
  const count = isArray ? (value as unknown[]).length : keys!.length;
  for (let index = 0; index < count && used < budget; index++) {
    const item = isArray ? (value as unknown[])[index] : (value as Record<string, unknown>)[keys![index]];
    const part = (isArray ? '' : `${JSON.stringify(keys![index].slice(0, budget))}:`) + preview(item, budget - used, depth + 1);
    parts.push(part);
    used += part.length + 1;
  }
  const more = parts.length < count ? ',...' : '';
  return isArray ? `[${parts.join(',')}${more}]` : `{${parts.join(',')}${more}}`;
}

/** A tensor name or metadata key for an error message, quoted and cut to 300 characters. */
function quoteName(name: string | undefined): string {
  if (name === undefined) return 'undefined';
  return name.length > MAX_QUOTE ? `'${name.slice(0, MAX_QUOTE)}...' (${name.length} characters)` : `'${name}'`;
}

/**
 * One pass over the header bytes, outside strings: the deepest nesting and the number of
 * top-level entries, stopping as soon as either passes its limit. Runs on the raw UTF-8
 * (structural characters are ASCII, and no byte of a multi-byte character is), so hostile
 * headers are rejected before they are decoded or parsed.
 */
function scanHeader(bytes: Uint8Array, maxEntries: number): { depth: number; entries: number } {
  let depth = 0;
  let deepest = 0;
  let entries = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const code = bytes[index];
    if (inString) {
      if (code === 0x5c) index++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
      continue;
    }
    if (code === 0x22) {
      inString = true;
      if (depth === 1 && entries === 0) entries = 1; // the first key of the top-level object
    } else if (code === 0x2c && depth === 1) {
      entries++; // a comma between top-level entries
      if (entries > maxEntries) break;
    } else if (code === 0x7b || code === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > MAX_HEADER_DEPTH) break;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return { depth: deepest, entries };
}

/** Product of a shape's dimensions (1 for a scalar). */
function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** Orders strings by Unicode code point, as Rust's `String` ordering (UTF-8 bytes) does. */
function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a !== b) return codePointOrderKey(a) - codePointOrderKey(b);
  }
  return left.length - right.length;
}

/** UTF-16 code units reordered so surrogates (astral code points) sort after U+E000..U+FFFF. */
function codePointOrderKey(codeUnit: number): number {
  if (codeUnit < 0xd800) return codeUnit;
  return codeUnit < 0xe000 ? codeUnit + 0x2000 : codeUnit - 0x800;
}

// With the `u` flag, a surrogate in a character class matches only a lone surrogate.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Reverses the byte order of every `elementSize`-byte element of `bytes`, in place.
 * Used only on big-endian hosts, where typed arrays are big-endian but the file is not.
 * @internal
 */
export function reverseByteOrder(bytes: Uint8Array, elementSize: number): void {
  if (elementSize === 1) return;
  for (let start = 0; start + elementSize <= bytes.length; start += elementSize) {
    for (let low = start, high = start + elementSize - 1; low < high; low++, high--) {
      const byte = bytes[low];
      bytes[low] = bytes[high];
      bytes[high] = byte;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------

function checkTensorForEncoding(name: string, tensor: unknown): asserts tensor is RawTensor {
  const where = `encodeSafetensors: tensor '${name}'`;
  if (!isPlainObject(tensor)) {
    throw new ArgumentError('bad-entry', `${where} must be an object { dtype, shape, data }; received ${describe(tensor)}.`);
  }
  if (!isSafetensorsDtype(tensor.dtype)) {
    throw new ArgumentError(
      'bad-dtype',
      `${where}: dtype ${describe(tensor.dtype)} is not a safetensors dtype; expected one of ${DTYPE_NAMES.join(', ')}.`,
    );
  }
  const shape = tensor.shape;
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new ArgumentError(
      'bad-shape',
      `${where}: shape must be an array of non-negative integers ([] for a scalar); received ${describe(shape)}.`,
    );
  }
  const { arrayType, size } = DTYPES[tensor.dtype];
  const data = tensor.data;
  // Compared by tag, not instanceof, so arrays from another realm (iframe, worker) are accepted.
  const expectedTag = `[object ${arrayType.name}]`;
  const receivedTag = Object.prototype.toString.call(data);
  if (receivedTag !== expectedTag) {
    throw new ArgumentError(
      'bad-data',
      `${where}: dtype ${tensor.dtype} needs its data in a ${arrayType.name}; received ${receivedTag.slice(8, -1)}.`,
    );
  }
  const count = elementCount(shape);
  const length = (data as ArrayBufferView).byteLength / size;
  if (length !== count) {
    throw new ArgumentError(
      'size-mismatch',
      `${where}: shape [${shape.join(', ')}] has ${count} elements, but data has ${length}.`,
    );
  }
}

function checkStringForEncoding(text: string, what: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new ArgumentError(
      what.startsWith('metadata') ? 'bad-metadata' : 'bad-name',
      `encodeSafetensors: ${what} ${describe(text)} contains a lone UTF-16 surrogate, which UTF-8 cannot hold.`,
    );
  }
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file.
 *
 * The output follows the reference writer byte for byte: tensors sorted by dtype alignment
 * (largest element size first, in the reference's dtype order) then by name in code-point
 * order, packed back to back from offset 0; the header is compact JSON with `__metadata__`
 * first (left out when `metadata` is absent or empty), then each tensor's `dtype`, `shape`,
 * `data_offsets`; and it is padded with spaces to a multiple of 8 bytes, so every tensor
 * starts at a multiple of its element size. Elements are written little-endian on any host,
 * copied bit for bit (NaN payloads and `-0` survive). Metadata keys are sorted, so the same
 * input always gives the same bytes.
 *
 * @param tensors tensors by name; `data` must be the typed array of the dtype
 *   (see {@link SafetensorsArrayTypes}) with exactly `product(shape)` elements.
 * @param metadata free-form strings stored as `__metadata__` (e.g. `{ format: 'pt' }`).
 * @returns the whole file.
 * @throws {@link ArgumentError} (`bad-entry`, `bad-dtype`, `bad-shape`, `bad-data`,
 *   `size-mismatch`, `bad-name`, `bad-metadata`) when an input is malformed.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors(
 *   { 'fc.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } },
 *   { format: 'pt' },
 * );
 * ```
 */
export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  if (!isPlainObject(tensors)) {
    throw new ArgumentError('bad-entry', `encodeSafetensors: tensors must be an object of named tensors; received ${describe(tensors)}.`);
  }
  const entries = Object.keys(tensors).map((name) => {
    if (name === METADATA_KEY) {
      throw new ArgumentError('bad-name', `encodeSafetensors: '${METADATA_KEY}' is reserved for metadata; rename that tensor.`);
    }
    checkStringForEncoding(name, 'tensor name');
    const tensor: unknown = tensors[name];
    checkTensorForEncoding(name, tensor);
    return { name, tensor };
  });
  entries.sort(
    (left, right) =>
      DTYPE_RANK.get(right.tensor.dtype)! - DTYPE_RANK.get(left.tensor.dtype)! ||
      compareCodePoints(left.name, right.name),
  );

  const headerParts: string[] = [];
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) {
      throw new ArgumentError('bad-metadata', `encodeSafetensors: metadata must be an object of strings; received ${describe(metadata)}.`);
    }
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const pairs = keys.map((key) => {
      const value: unknown = metadata[key];
      if (typeof value !== 'string') {
        throw new ArgumentError(
          'bad-metadata',
          `encodeSafetensors: metadata['${key}'] must be a string; received ${describe(value)}. Use JSON.stringify for structured values.`,
        );
      }
      checkStringForEncoding(key, 'metadata key');
      checkStringForEncoding(value, `metadata['${key}'] value`);
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    });
    if (pairs.length > 0) headerParts.push(`${JSON.stringify(METADATA_KEY)}:{${pairs.join(',')}}`);
  }
  let dataLength = 0;
  for (const { name, tensor } of entries) {
    const begin = dataLength;
    dataLength += tensor.data.byteLength;
    headerParts.push(
      `${JSON.stringify(name)}:{"dtype":"${tensor.dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${begin},${dataLength}]}`,
    );
  }
  const header = new TextEncoder().encode(`{${headerParts.join(',')}}`);
  const paddedHeaderLength = Math.ceil(header.length / 8) * 8;

  const output = new Uint8Array(8 + paddedHeaderLength + dataLength);
  new DataView(output.buffer).setBigUint64(0, BigInt(paddedHeaderLength), true);
  output.set(header, 8);
  output.fill(0x20, 8 + header.length, 8 + paddedHeaderLength);
  let position = 8 + paddedHeaderLength;
  for (const { tensor } of entries) {
    const { data } = tensor;
    const destination = output.subarray(position, position + data.byteLength);
    destination.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!HOST_IS_LITTLE_ENDIAN) reverseByteOrder(destination, DTYPES[tensor.dtype].size);
    position += data.byteLength;
  }
  return output;
}

// ---------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------

function fail(code: string, message: string, cause?: unknown): never {
  throw new CheckpointError(code, `safetensors: ${message}`, cause === undefined ? undefined : { cause });
}

function parseEntry(name: string, value: unknown): SafetensorsEntry {
  const where = `tensor ${quoteName(name)}`;
  if (!isPlainObject(value)) {
    fail('bad-entry', `${where}: expected an object { dtype, shape, data_offsets }; received ${describe(value)}.`);
  }
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!Object.hasOwn(value, field)) {
      fail('bad-entry', `${where}: missing field '${field}'; expected { dtype, shape, data_offsets }, received ${describe(value)}.`);
    }
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDtype(dtype)) {
    fail('bad-dtype', `${where}: dtype ${describe(dtype)} is not a known dtype; expected one of ${DTYPE_NAMES.join(', ')}.`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    fail('bad-shape', `${where}: shape must be an array of non-negative integers ([] for a scalar); received ${describe(shape)}.`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0] > offsets[1]) {
    fail(
      'bad-offsets',
      `${where}: data_offsets must be two integers [begin, end] with 0 <= begin <= end; received ${describe(offsets)}.`,
    );
  }
  const [begin, end] = offsets as [number, number];
  const byteLength = elementCount(shape) * DTYPES[dtype].size;
  if (!Number.isSafeInteger(byteLength)) {
    fail('bad-shape', `${where}: shape [${shape.join(', ')}] of ${dtype} needs ${byteLength} bytes, more than any file can hold.`);
  }
  if (end - begin !== byteLength) {
    fail(
      'size-mismatch',
      `${where}: ${dtype} with shape [${shape.join(', ')}] needs ${byteLength} bytes, ` +
        `but data_offsets [${begin}, ${end}] span ${end - begin}.`,
    );
  }
  return { dtype, shape: [...shape], dataOffsets: [begin, end] };
}

function parseMetadata(value: unknown): Record<string, string> {
  // The reference reads `__metadata__` as Option<HashMap<String, String>>: null means none.
  if (value === null) return {};
  if (!isPlainObject(value)) {
    fail('bad-metadata', `'${METADATA_KEY}' must be an object of strings; received ${describe(value)}.`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      fail('bad-metadata', `'${METADATA_KEY}'[${quoteName(key)}] must be a string; received ${describe(entry)}.`);
    }
    defineEntry(metadata, key, entry);
  }
  return metadata;
}

/** Adds a key without invoking setters, so a key like `__proto__` is stored as data. */
function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Reads and validates the header of a safetensors file without copying any tensor data.
 *
 * Every check runs before anything large is allocated; the header text itself is read only
 * after its length has been checked against `maxHeaderBytes` and the file size. The data
 * buffer must be covered exactly, as the reference requires: the tensors' byte ranges,
 * sorted by offset, start at 0, touch end to end with no gap or overlap (zero-size tensors
 * may sit at any boundary), and the last one ends at the end of the file.
 *
 * @param bytes the whole file.
 * @param options see {@link DecodeSafetensorsOptions}.
 * @returns entries in file order, the metadata, and where the data buffer starts.
 * @throws {@link CheckpointError} with one of these codes:
 *   - `truncated`: under 8 bytes, or the file ends inside the header or before the last tensor's data;
 *   - `header-too-large`: the length field is above `maxHeaderBytes`;
 *   - `header-json`: the header is not UTF-8, not JSON, not a JSON object, or nested over 32 deep;
 *   - `too-many-tensors`: more entries than `maxTensors`;
 *   - `bad-entry`: a tensor entry is not an object or lacks `dtype`, `shape` or `data_offsets`;
 *   - `bad-dtype`: an unknown dtype;
 *   - `bad-shape`: a shape that is not a list of non-negative integers, or too large;
 *   - `bad-offsets`: `data_offsets` is not `[begin, end]` with integers `0 <= begin <= end`;
 *   - `size-mismatch`: `end - begin` differs from `product(shape) * dtype size`;
 *   - `overlap`: two tensors share bytes;
 *   - `gap`: bytes of the data buffer belong to no tensor (between tensors or at the end);
 *   - `bad-metadata`: `__metadata__` is not an object of strings.
 * @throws {@link ArgumentError} (`bad-option`) when `maxHeaderBytes` is not a non-negative integer.
 *
 * @example
 * ```ts
 * const { tensors } = parseSafetensorsHeader(bytes);
 * tensors['fc.weight']; // { dtype: 'F32', shape: [3, 4], dataOffsets: [0, 48] }
 * ```
 */
export function parseSafetensorsHeader(bytes: Uint8Array | ArrayBuffer, options: DecodeSafetensorsOptions = {}): SafetensorsHeader {
  const file = toBytes(bytes, 'parseSafetensorsHeader');
  const maxHeaderBytes = options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES;
  if (!isNonNegativeInteger(maxHeaderBytes)) {
    throw new ArgumentError('bad-option', `safetensors: maxHeaderBytes (${describe(maxHeaderBytes)}) must be a non-negative integer.`);
  }
  const maxTensors = options.maxTensors ?? SAFETENSORS_MAX_TENSORS;
  if (!isNonNegativeInteger(maxTensors)) {
    throw new ArgumentError('bad-option', `safetensors: maxTensors (${describe(maxTensors)}) must be a non-negative integer.`);
  }

  if (file.length < 8) {
    fail('truncated', `expected at least 8 bytes (the header length); received a file of ${file.length} bytes.`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  // u64 as two u32 halves: exact up to 2^53, and anything larger fails the limit anyway.
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > maxHeaderBytes) {
    fail(
      'header-too-large',
      `the header length field says ${headerLength} bytes, above the limit of ${maxHeaderBytes} (options.maxHeaderBytes); ` +
        'the file is corrupt or not a safetensors file.',
    );
  }
  if (headerLength > file.length - 8) {
    fail(
      'truncated',
      `the header length field says ${headerLength} bytes, but only ${file.length - 8} bytes follow it; the file is truncated.`,
    );
  }
  const dataStart = 8 + headerLength;

  // Counted from the bytes; one entry may be `__metadata__`.
  const scan = scanHeader(file.subarray(8, dataStart), maxTensors + 1);
  if (scan.depth > MAX_HEADER_DEPTH) {
    fail('header-json', `the header nests JSON more than ${MAX_HEADER_DEPTH} levels deep; a safetensors header nests 3.`);
  }
  if (scan.entries > maxTensors + 1) {
    fail(
      'too-many-tensors',
      `the header has more than ${maxTensors} tensor entries, the limit (options.maxTensors); the file is corrupt or hostile.`,
    );
  }
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(file.subarray(8, dataStart));
  } catch (error) {
    fail('header-json', `the ${headerLength}-byte header is not valid UTF-8.`, error);
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    const start = describe(headerText.slice(0, 40));
    fail('header-json', `the header is not valid JSON (${describe((error as Error).message, MAX_QUOTE)}); it starts with ${start}.`, error);
  }
  if (!isPlainObject(header)) {
    fail('header-json', `the header must be a JSON object of tensor entries; received ${describe(header)}.`);
  }

  let metadata: Record<string, string> = {};
  const named: Array<[string, SafetensorsEntry]> = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value);
    else named.push([name, parseEntry(name, value)]);
  }

  // The data buffer must be covered exactly: check the furthest end first, so a cut-off
  // file reports `truncated` rather than a gap or overlap.
  const bufferLength = file.length - dataStart;
  for (const [name, { dataOffsets }] of named) {
    if (dataOffsets[1] > bufferLength) {
      fail(
        'truncated',
        `tensor ${quoteName(name)} ends at byte ${dataOffsets[1]} of the data buffer, ` +
          `but the buffer has only ${bufferLength} bytes; the file is truncated.`,
      );
    }
  }
  named.sort(([, left], [, right]) => left.dataOffsets[0] - right.dataOffsets[0] || left.dataOffsets[1] - right.dataOffsets[1]);
  let cursor = 0;
  let previous: string | undefined;
  for (const [name, { dataOffsets }] of named) {
    const [begin, end] = dataOffsets;
    if (begin < cursor) {
      fail(
        'overlap',
        `tensor ${quoteName(name)} [${begin}, ${end}] overlaps tensor ${quoteName(previous)} which ends at ${cursor}; ` +
          'each byte of the data buffer must belong to exactly one tensor.',
      );
    }
    if (begin > cursor) {
      const after = previous === undefined ? 'the start of the buffer' : `tensor ${quoteName(previous)}`;
      fail(
        'gap',
        `bytes [${cursor}, ${begin}) of the data buffer, between ${after} and tensor ${quoteName(name)}, belong to no tensor; ` +
          'tensors must be packed back to back.',
      );
    }
    cursor = end;
    previous = name;
  }
  if (cursor !== bufferLength) {
    fail(
      'gap',
      `the tensors end at byte ${cursor} of the data buffer, but it has ${bufferLength} bytes; ` +
        `${bufferLength - cursor} trailing bytes belong to no tensor.`,
    );
  }

  const tensors: Record<string, SafetensorsEntry> = {};
  for (const [name, entry] of named) defineEntry(tensors, name, entry);
  return { tensors, metadata, dataStart };
}

/**
 * Decodes a safetensors file into tensors and metadata, after validating it completely
 * (see {@link parseSafetensorsHeader} for every check and error code).
 *
 * Each tensor's elements are copied into a new, aligned typed array of its dtype (the input
 * may sit at any byte offset), converted from little-endian on any host, bit for bit.
 *
 * @param bytes the whole file.
 * @param options see {@link DecodeSafetensorsOptions}.
 * @throws {@link CheckpointError} when the file is malformed, truncated or corrupt.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafetensors(new Uint8Array(await response.arrayBuffer()));
 * const weight = tensors['fc.weight'];
 * if (weight.dtype === 'F32') tf.tensor(weight.data, weight.shape);
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array | ArrayBuffer, options: DecodeSafetensorsOptions = {}): DecodedSafetensors {
  const file = toBytes(bytes, 'decodeSafetensors');
  const { tensors: entries, metadata, dataStart } = parseSafetensorsHeader(file, options);
  const tensors: Record<string, RawTensor> = {};
  for (const [name, { dtype, shape, dataOffsets }] of Object.entries(entries)) {
    const { size, arrayType } = DTYPES[dtype];
    const copy = new Uint8Array(dataOffsets[1] - dataOffsets[0]);
    copy.set(file.subarray(dataStart + dataOffsets[0], dataStart + dataOffsets[1]));
    if (!HOST_IS_LITTLE_ENDIAN) reverseByteOrder(copy, size);
    defineEntry(tensors, name, { dtype, shape, data: new arrayType(copy.buffer) } as RawTensor);
  }
  return { tensors, metadata };
}

function toBytes(bytes: Uint8Array | ArrayBuffer, caller: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  const tag = Object.prototype.toString.call(bytes);
  if (tag === '[object Uint8Array]') return bytes as Uint8Array;
  if (tag === '[object ArrayBuffer]') return new Uint8Array(bytes as ArrayBuffer);
  throw new ArgumentError('bad-input', `${caller}: expected the file as a Uint8Array or ArrayBuffer; received ${tag.slice(8, -1)}.`);
}
