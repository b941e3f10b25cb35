import { describe, expect, it } from 'vitest';
import torchFixture from '../fixtures/torch-linear.json';
import { ArgumentError, CheckpointError } from '../src/errors';
import {
  decodeSafetensors,
  encodeSafetensors,
  parseSafetensorsHeader,
  reverseByteOrder,
  type RawTensor,
  type SafetensorsArrayTypes,
  type SafetensorsDtype,
} from '../src/safetensors';

const utf8 = (text: string) => new TextEncoder().encode(text);

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let position = 0;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}

/** A header entry as a writer would put it in the JSON. */
const entry = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

function u64(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
}

/** A file from a raw header (object or exact text) and a data buffer; no padding unless given. */
function craft(header: unknown, buffer: ArrayLike<number> = []): Uint8Array {
  const text = utf8(typeof header === 'string' ? header : JSON.stringify(header));
  return concat(u64(BigInt(text.length)), text, buffer);
}

/** The thrown error, checked to be a CheckpointError with `code`. */
function rejection(run: () => unknown, code: string, errorClass = CheckpointError): Error & { code: string } {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a throw with code '${code}'`).toBeDefined();
  expect(errorClass.isInstance(thrown)).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
  return thrown as Error & { code: string };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Each element's bit pattern as an unsigned decimal string. */
function bitPatterns(data: RawTensor['data']): string[] {
  const { buffer } = data;
  switch (data.BYTES_PER_ELEMENT) {
    case 8:
      return Array.from(new BigUint64Array(buffer), String);
    case 4:
      return Array.from(new Uint32Array(buffer), String);
    case 2:
      return Array.from(new Uint16Array(buffer), String);
    default:
      return Array.from(new Uint8Array(buffer), String);
  }
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
}

const f32Bytes = (values: number[]) => bytesOf(new Float32Array(values));

const arrayTypes: { [K in SafetensorsDtype]: new (buffer: ArrayBuffer) => SafetensorsArrayTypes[K] } = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E5M2: Uint8Array,
  F8_E4M3: Uint8Array,
  I16: Int16Array,
  U16: Uint16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
};
const allDtypes = Object.keys(arrayTypes) as SafetensorsDtype[];

/** A tensor of `dtype` whose bytes are an arbitrary (deterministic) pattern. */
function patterned(dtype: SafetensorsDtype, shape: number[], seed: number): RawTensor {
  const ArrayType = arrayTypes[dtype];
  const count = shape.reduce((product, dimension) => product * dimension, 1);
  const elementSize = (ArrayType as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(count * elementSize);
  for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 73 + seed * 29 + 11) & 0xff;
  if (dtype === 'BOOL') for (let index = 0; index < bytes.length; index++) bytes[index] &= 1;
  return { dtype, shape, data: new ArrayType(bytes.buffer) } as RawTensor;
}

describe('encodeSafetensors', () => {
  it('writes the same bytes as the reference writer', () => {
    const data = new Float32Array([0, 1, 2, 3, 4, 5]);
    expect(encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data } })).toEqual(
      concat(u64(64n), utf8('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'), bytesOf(data)),
    );
    // A 65-byte header is padded with 7 spaces so the data starts 8-byte aligned.
    expect(encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } })).toEqual(
      concat(u64(72n), utf8('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '), bytesOf(data)),
    );
    expect(encodeSafetensors({})).toEqual(concat(u64(8n), utf8('{}      ')));
    expect(encodeSafetensors({}, { framework: 'pt' })).toEqual(concat(u64(40n), utf8('{"__metadata__":{"framework":"pt"}}     ')));
  });

  it('orders tensors by dtype alignment, then name, so each starts at a multiple of its element size', () => {
    const bytes = encodeSafetensors({
      b: { dtype: 'U8', shape: [3], data: new Uint8Array(3) },
      a: { dtype: 'U8', shape: [1], data: new Uint8Array(1) },
      half: { dtype: 'F16', shape: [1], data: new Uint16Array(1) },
      weight: { dtype: 'F32', shape: [3], data: new Float32Array(3) },
      step: { dtype: 'I64', shape: [], data: new BigInt64Array(1) },
      'é': { dtype: 'U8', shape: [1], data: new Uint8Array(1) },
      '😀': { dtype: 'U8', shape: [1], data: new Uint8Array(1) },
      '\uffff': { dtype: 'U8', shape: [1], data: new Uint8Array(1) },
    });
    const header = parseSafetensorsHeader(bytes);
    // Code-point order (as Rust sorts strings): U+FFFF before U+1F600.
    expect(Object.keys(header.tensors)).toEqual(['step', 'weight', 'half', 'a', 'b', 'é', '\uffff', '😀']);
    expect(header.dataStart % 8).toBe(0);
    for (const { dtype, dataOffsets } of Object.values(header.tensors)) {
      const size = { I64: 8, F32: 4, F16: 2, U8: 1 }[dtype as 'I64' | 'F32' | 'F16' | 'U8'];
      expect((header.dataStart + dataOffsets[0]) % size).toBe(0);
    }
  });

  it('gives the same bytes whatever the insertion order of tensors and metadata', () => {
    const weight = patterned('F32', [2, 2], 1);
    const bias = patterned('F32', [2], 2);
    expect(encodeSafetensors({ weight, bias }, { b: '2', a: '1' })).toEqual(encodeSafetensors({ bias, weight }, { a: '1', b: '2' }));
  });

  it('copies only the viewed part of a typed array', () => {
    const backing = new Float32Array([9, 1, 2, 9]);
    const { tensors } = decodeSafetensors(encodeSafetensors({ x: { dtype: 'F32', shape: [2], data: backing.subarray(1, 3) } }));
    expect(tensors.x.data).toEqual(new Float32Array([1, 2]));
  });

  it('rejects malformed input with an ArgumentError naming the tensor', () => {
    const encode = (tensors: unknown, metadata?: unknown) => () =>
      encodeSafetensors(tensors as Record<string, RawTensor>, metadata as Record<string, string>);
    expect(rejection(encode({ w: { dtype: 'F128', shape: [1], data: new Float32Array(1) } }), 'bad-dtype', ArgumentError).message).toBe(
      "encodeSafetensors: tensor 'w': dtype \"F128\" is not a safetensors dtype; " +
        'expected one of BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64.',
    );
    expect(rejection(encode({ w: { dtype: 'F32', shape: [2], data: new Float64Array(2) } }), 'bad-data', ArgumentError).message).toBe(
      "encodeSafetensors: tensor 'w': dtype F32 needs its data in a Float32Array; received Float64Array.",
    );
    expect(rejection(encode({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(5) } }), 'size-mismatch', ArgumentError).message).toBe(
      "encodeSafetensors: tensor 'w': shape [2, 3] has 6 elements, but data has 5.",
    );
    rejection(encode({ w: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } }), 'bad-shape', ArgumentError);
    rejection(encode({ w: { dtype: 'F32', shape: [1.5], data: new Float32Array(1) } }), 'bad-shape', ArgumentError);
    rejection(encode({ w: { dtype: 'I64', shape: [1], data: [1] } }), 'bad-data', ArgumentError);
    rejection(encode({ w: null }), 'bad-entry', ArgumentError);
    rejection(encode(new Map([['w', { dtype: 'U8', shape: [0], data: new Uint8Array(0) }]])), 'bad-entry', ArgumentError);
    rejection(encode({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }), 'bad-name', ArgumentError);
    rejection(encode({ ['bad\ud800']: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }), 'bad-name', ArgumentError);
    expect(rejection(encode({}, { step: 3 }), 'bad-metadata', ArgumentError).message).toContain("metadata['step'] must be a string; received 3");
    rejection(encode({}, { note: 'lone \udc00' }), 'bad-metadata', ArgumentError);
  });
});

describe('decodeSafetensors', () => {
  it('round-trips every dtype bit for bit', () => {
    const tensors: Record<string, RawTensor> = {};
    allDtypes.forEach((dtype, index) => (tensors[`t.${dtype}`] = patterned(dtype, [2, 3], index)));
    const decoded = decodeSafetensors(encodeSafetensors(tensors)).tensors;
    expect(Object.keys(decoded).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(decoded[name].dtype).toBe(tensor.dtype);
      expect(decoded[name].shape).toEqual([2, 3]);
      expect(Object.prototype.toString.call(decoded[name].data)).toBe(Object.prototype.toString.call(tensor.data));
      expect(bytesOf(decoded[name].data)).toEqual(bytesOf(tensor.data));
    }
  });

  it('keeps NaN payloads, -0, infinities and subnormals exactly', () => {
    // Quiet NaN, NaN with payload, negative NaN, signalling NaN, -0, +-Infinity, smallest subnormal, 1.
    const f32Bits = new Uint32Array([
      0x7fc00000, 0x7fc00001, 0xffbfffff, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x3f800000,
    ]);
    const f64Bits = new BigUint64Array([
      0x7ff8000000000001n, 0xfff0000000000001n, 0x8000000000000000n, 0x7ff0000000000000n, 0x0000000000000001n,
    ]);
    const { tensors } = decodeSafetensors(
      encodeSafetensors({
        f32: { dtype: 'F32', shape: [9], data: new Float32Array(f32Bits.buffer) },
        f64: { dtype: 'F64', shape: [5], data: new Float64Array(f64Bits.buffer) },
      }),
    );
    expect(new Uint32Array(tensors.f32.data.buffer)).toEqual(f32Bits);
    expect(new BigUint64Array(tensors.f64.data.buffer)).toEqual(f64Bits);
    expect(Object.is((tensors.f32.data as Float32Array)[4], -0)).toBe(true);
    expect((tensors.f32.data as Float32Array)[5]).toBe(Infinity);
  });

  it('handles scalars, empty tensors and extreme integers', () => {
    const { tensors } = decodeSafetensors(
      encodeSafetensors({
        loss: { dtype: 'F32', shape: [], data: new Float32Array([0.25]) },
        step: { dtype: 'I64', shape: [], data: new BigInt64Array([-(2n ** 63n)]) },
        count: { dtype: 'U64', shape: [], data: new BigUint64Array([2n ** 64n - 1n]) },
        none: { dtype: 'F32', shape: [0], data: new Float32Array(0) },
        hollow: { dtype: 'I32', shape: [2, 0, 3], data: new Int32Array(0) },
        nothing: { dtype: 'BOOL', shape: [0], data: new Uint8Array(0) },
        ints: { dtype: 'I32', shape: [3], data: new Int32Array([-(2 ** 31), -1, 2 ** 31 - 1]) },
        flags: { dtype: 'BOOL', shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) },
      }),
    );
    expect(tensors.loss).toEqual({ dtype: 'F32', shape: [], data: new Float32Array([0.25]) });
    expect(tensors.step).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([-(2n ** 63n)]) });
    expect(tensors.count.data).toEqual(new BigUint64Array([2n ** 64n - 1n]));
    expect(tensors.none).toEqual({ dtype: 'F32', shape: [0], data: new Float32Array(0) });
    expect(tensors.hollow).toEqual({ dtype: 'I32', shape: [2, 0, 3], data: new Int32Array(0) });
    expect(tensors.nothing.data).toEqual(new Uint8Array(0));
    expect(tensors.ints.data).toEqual(new Int32Array([-(2 ** 31), -1, 2 ** 31 - 1]));
    expect(tensors.flags.data).toEqual(new Uint8Array([1, 0, 0, 1]));
  });

  it('round-trips metadata, including non-ASCII and empty strings', () => {
    const metadata = { format: 'pt', note: 'naïve 😀 "quoted"\n', empty: '', step: '42' };
    const decoded = decodeSafetensors(encodeSafetensors({ x: patterned('U8', [2], 0) }, metadata));
    expect(decoded.metadata).toEqual(metadata);
    expect(decodeSafetensors(encodeSafetensors({})).metadata).toEqual({});
    // The reference reads `"__metadata__": null` as no metadata.
    expect(decodeSafetensors(craft({ __metadata__: null })).metadata).toEqual({});
  });

  it('stores names like __proto__ and constructor as plain entries', () => {
    const tensors = { __proto__: patterned('U8', [1], 1), constructor: patterned('U8', [1], 2), '10': patterned('U8', [1], 3) };
    const safe: Record<string, RawTensor> = {};
    for (const [name, tensor] of [['__proto__', tensors.__proto__], ['constructor', tensors.constructor], ['10', tensors['10']]] as const) {
      Object.defineProperty(safe, name, { value: tensor, enumerable: true });
    }
    const decoded = decodeSafetensors(encodeSafetensors(safe, { __proto__x: 'a' })).tensors;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded).sort()).toEqual(['10', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value.data).toEqual(tensors.__proto__.data);
  });

  it('reads from an unaligned view and returns aligned copies', () => {
    const file = encodeSafetensors({ x: { dtype: 'F64', shape: [2], data: new Float64Array([1.5, -2]) } });
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    const input = shifted.subarray(3);
    const { tensors } = decodeSafetensors(input);
    expect(tensors.x.data).toEqual(new Float64Array([1.5, -2]));
    expect(tensors.x.data.byteOffset).toBe(0);
    input.fill(0);
    expect(tensors.x.data).toEqual(new Float64Array([1.5, -2]));
    expect(decodeSafetensors(file.slice().buffer).tensors.x.data).toEqual(new Float64Array([1.5, -2]));
  });

  it('accepts files from other writers: any order, name-sorted, zero-size tensors anywhere', () => {
    const buffer = concat(f32Bytes([1, 2]), [7]);
    const file = craft(
      { z: entry('U8', [1], 8, 9), e: entry('F32', [0], 8, 8), a: entry('F32', [2], 0, 8), e0: entry('F32', [0], 0, 0) },
      buffer,
    );
    const { tensors } = decodeSafetensors(file);
    expect(Object.keys(tensors)).toEqual(['e0', 'a', 'e', 'z']);
    expect(tensors.a.data).toEqual(new Float32Array([1, 2]));
    expect(tensors.z.data).toEqual(new Uint8Array([7]));
  });
});

describe('decodeSafetensors rejects corrupt files', () => {
  const valid = encodeSafetensors(
    { 'fc.weight': patterned('F32', [2, 3], 1), 'fc.bias': patterned('F32', [3], 2), step: patterned('I64', [], 3) },
    { format: 'pt' },
  );

  it('truncated at every length', () => {
    expect(rejection(() => decodeSafetensors(new Uint8Array(5)), 'truncated').message).toBe(
      'safetensors: expected at least 8 bytes (the header length); received a file of 5 bytes.',
    );
    for (let length = 0; length < valid.length; length++) {
      rejection(() => decodeSafetensors(valid.subarray(0, length)), 'truncated');
    }
    expect(rejection(() => decodeSafetensors(valid.subarray(0, 20)), 'truncated').message).toMatch(
      /^safetensors: the header length field says \d+ bytes, but only 12 bytes follow it; the file is truncated\.$/,
    );
    expect(rejection(() => decodeSafetensors(valid.subarray(0, valid.length - 1)), 'truncated').message).toMatch(
      /tensor 'fc\.weight' ends at byte 44 of the data buffer, but the buffer has only 43 bytes; the file is truncated\.$/,
    );
  });

  it('header length above the limit, before reading anything else', () => {
    expect(rejection(() => decodeSafetensors(concat(u64(2n ** 40n), utf8('{}'))), 'header-too-large').message).toBe(
      'safetensors: the header length field says 1099511627776 bytes, above the limit of 100000000 ' +
        '(options.maxHeaderBytes); the file is corrupt or not a safetensors file.',
    );
    rejection(() => decodeSafetensors(concat(u64(2n ** 64n - 1n), utf8('{}'))), 'header-too-large');
    rejection(() => decodeSafetensors(concat(u64(100_000_001n), utf8('{}'))), 'header-too-large');
    // A PNG file: its signature read as a length is far above the limit.
    rejection(() => decodeSafetensors(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), 'header-too-large');
    rejection(() => decodeSafetensors(valid, { maxHeaderBytes: 16 }), 'header-too-large');
    expect(decodeSafetensors(valid, { maxHeaderBytes: parseSafetensorsHeader(valid).dataStart - 8 }).metadata).toEqual({ format: 'pt' });
    rejection(() => decodeSafetensors(valid, { maxHeaderBytes: -1 }), 'bad-option', ArgumentError);
    rejection(() => decodeSafetensors('not bytes' as unknown as Uint8Array), 'bad-input', ArgumentError);
  });

  it('header that is not a UTF-8 JSON object', () => {
    expect(rejection(() => decodeSafetensors(craft('{"a": {"dtype": "F32",')), 'header-json').message).toMatch(
      /^safetensors: the header is not valid JSON \(.+\); it starts with "\{\\"a\\": \{\\"dtype\\": \\"F32\\","\.$/,
    );
    expect(rejection(() => decodeSafetensors(concat(u64(3n), [0x7b, 0xff, 0x7d])), 'header-json').message).toBe(
      'safetensors: the 3-byte header is not valid UTF-8.',
    );
    expect(rejection(() => decodeSafetensors(craft([])), 'header-json').message).toBe(
      'safetensors: the header must be a JSON object of tensor entries; received [].',
    );
    rejection(() => decodeSafetensors(craft('null')), 'header-json');
    rejection(() => decodeSafetensors(craft('')), 'header-json');
    rejection(() => decodeSafetensors(craft('\ufeff{}')), 'header-json');
  });

  it('entries without their fields', () => {
    expect(rejection(() => decodeSafetensors(craft({ w: 5 })), 'bad-entry').message).toBe(
      "safetensors: tensor 'w': expected an object { dtype, shape, data_offsets }; received 5.",
    );
    expect(rejection(() => decodeSafetensors(craft({ w: { dtype: 'F32', shape: [1] } })), 'bad-entry').message).toBe(
      "safetensors: tensor 'w': missing field 'data_offsets'; expected { dtype, shape, data_offsets }, " +
        'received {"dtype":"F32","shape":[1]}.',
    );
  });

  it('unknown dtypes', () => {
    const withDtype = (dtype: unknown) => () =>
      decodeSafetensors(craft({ 'fc.weight': { dtype, shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]));
    expect(rejection(withDtype('F128'), 'bad-dtype').message).toBe(
      "safetensors: tensor 'fc.weight': dtype \"F128\" is not a known dtype; " +
        'expected one of BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64.',
    );
    for (const dtype of ['f32', 'toString', '__proto__', 4, null, ['F32']]) rejection(withDtype(dtype), 'bad-dtype');
  });

  it('shapes that are not lists of non-negative integers', () => {
    const withShape = (shape: unknown) => () => decodeSafetensors(craft({ w: { dtype: 'U8', shape, data_offsets: [0, 1] } }, [0]));
    expect(rejection(withShape([-1]), 'bad-shape').message).toBe(
      "safetensors: tensor 'w': shape must be an array of non-negative integers ([] for a scalar); received [-1].",
    );
    for (const shape of [[1.5], ['1'], [2 ** 53], 1, null, [null]]) rejection(withShape(shape), 'bad-shape');
    expect(rejection(withShape([2 ** 30, 2 ** 30, 2 ** 30]), 'bad-shape').message).toContain('more than any file can hold');
  });

  it('data_offsets that are not [begin, end] integers', () => {
    const withOffsets = (offsets: unknown) => () => decodeSafetensors(craft({ w: { dtype: 'U8', shape: [0], data_offsets: offsets } }));
    expect(rejection(withOffsets([4, 0]), 'bad-offsets').message).toBe(
      "safetensors: tensor 'w': data_offsets must be two integers [begin, end] with 0 <= begin <= end; received [4,0].",
    );
    for (const offsets of [[0], [0, 0, 0], [-4, 0], [0, 1.5], '0,0', null, [0, 1e30]]) rejection(withOffsets(offsets), 'bad-offsets');
  });

  it('byte ranges that do not match dtype and shape', () => {
    const file = craft({ 'fc.bias': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20));
    expect(rejection(() => decodeSafetensors(file), 'size-mismatch').message).toBe(
      "safetensors: tensor 'fc.bias': F32 with shape [2, 3] needs 24 bytes, but data_offsets [0, 20] span 20.",
    );
  });

  it('offsets beyond the end of the buffer', () => {
    const file = craft({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 1000, 1004) }, new Uint8Array(8));
    expect(rejection(() => decodeSafetensors(file), 'truncated').message).toBe(
      "safetensors: tensor 'b' ends at byte 1004 of the data buffer, but the buffer has only 8 bytes; the file is truncated.",
    );
    rejection(() => decodeSafetensors(craft({ a: { dtype: 'U8', shape: [2], data_offsets: [2 ** 53 - 3, 2 ** 53 - 1] } })), 'truncated');
  });

  it('overlapping tensors', () => {
    const file = craft({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12) }, new Uint8Array(12));
    expect(rejection(() => decodeSafetensors(file), 'overlap').message).toBe(
      "safetensors: tensor 'b' [4, 12] overlaps tensor 'a' which ends at 8; each byte of the data buffer must belong to exactly one tensor.",
    );
    const same = craft({ a: entry('F32', [1], 0, 4), b: entry('I32', [1], 0, 4) }, new Uint8Array(4));
    rejection(() => decodeSafetensors(same), 'overlap');
    const inside = craft({ a: entry('F32', [2], 0, 8), z: entry('F32', [0], 4, 4) }, new Uint8Array(8));
    rejection(() => decodeSafetensors(inside), 'overlap');
  });

  it('bytes that belong to no tensor', () => {
    const between = craft({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 8, 12) }, new Uint8Array(12));
    expect(rejection(() => decodeSafetensors(between), 'gap').message).toBe(
      "safetensors: bytes [4, 8) of the data buffer, between tensor 'a' and tensor 'b', belong to no tensor; " +
        'tensors must be packed back to back.',
    );
    const start = craft({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8));
    expect(rejection(() => decodeSafetensors(start), 'gap').message).toContain('between the start of the buffer and tensor \'b\'');
    const trailing = concat(valid, [0]);
    expect(rejection(() => decodeSafetensors(trailing), 'gap').message).toMatch(/but it has 45 bytes; 1 trailing bytes belong to no tensor\.$/);
    rejection(() => decodeSafetensors(craft({}, [1, 2])), 'gap');
  });

  it('metadata that is not a map of strings', () => {
    expect(rejection(() => decodeSafetensors(craft({ __metadata__: { step: 3 } })), 'bad-metadata').message).toBe(
      "safetensors: '__metadata__'['step'] must be a string; received 3.",
    );
    rejection(() => decodeSafetensors(craft({ __metadata__: 'pt' })), 'bad-metadata');
    rejection(() => decodeSafetensors(craft({ __metadata__: ['pt'] })), 'bad-metadata');
    rejection(() => decodeSafetensors(craft({ __metadata__: { nested: { a: 'b' } } })), 'bad-metadata');
  });
});

describe('files written from PyTorch (scripts/reference/safetensors_fixture.py)', () => {
  const linear = fromBase64(torchFixture.linear.base64);
  const mixed = fromBase64(torchFixture.mixed.base64);

  it('decodes an nn.Linear state_dict and reproduces its forward pass', () => {
    const { tensors, metadata } = decodeSafetensors(linear);
    expect(metadata).toEqual({ format: 'pt' });
    const weight = tensors['fc.weight'];
    const bias = tensors['fc.bias'];
    if (weight.dtype !== 'F32' || bias.dtype !== 'F32') throw new Error('expected F32 tensors');
    expect(weight.shape).toEqual([3, 4]);
    expect(bias.shape).toEqual([3]);
    expect(weight.data).toEqual(new Float32Array(torchFixture.linear.values['fc.weight']));
    expect(bias.data).toEqual(new Float32Array(torchFixture.linear.values['fc.bias']));
    // y = x W^T + b, with W row-major [out, in] as in PyTorch.
    const [batch, inFeatures] = torchFixture.linear.input.shape;
    const x = torchFixture.linear.input.data;
    const y = torchFixture.linear.output.data;
    for (let row = 0; row < batch; row++) {
      for (let out = 0; out < 3; out++) {
        let sum = bias.data[out];
        for (let k = 0; k < inFeatures; k++) sum += x[row * inFeatures + k] * weight.data[out * inFeatures + k];
        expect(sum).toBeCloseTo(y[row * 3 + out], 5);
      }
    }
  });

  it('decodes every dtype torch wrote, bit for bit', () => {
    const { tensors, metadata } = decodeSafetensors(mixed);
    expect(metadata).toEqual(torchFixture.mixed.metadata);
    const expected = torchFixture.mixed.tensors as Record<string, { dtype: string; shape: number[]; bits: string[] }>;
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, { dtype, shape, bits }] of Object.entries(expected)) {
      const tensor = tensors[name];
      expect([name, tensor.dtype, tensor.shape]).toEqual([name, dtype, shape]);
      expect(bitPatterns(tensor.data), name).toEqual(bits);
    }
    expect(tensors.step).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([2n ** 40n + 3n]) });
    expect(tensors.ids.data).toEqual(new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n]));
    expect(tensors.counts.data).toEqual(new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1]));
    expect(tensors.signed.data).toEqual(new Int8Array([-128, -1, 0, 1, 127]));
    expect(tensors.mask.data).toEqual(new Uint8Array([1, 0, 1, 0, 0, 1]));
    expect(tensors.empty).toEqual({ dtype: 'F32', shape: [0, 3], data: new Float32Array(0) });
    const single = tensors.single.data as Float32Array;
    expect(Number.isNaN(single[0]) && Object.is(single[1], -0) && single[2] === Infinity && single[3] === -Infinity).toBe(true);
    expect(single[6]).toBe(Math.fround(0.1));
    expect(Array.from(tensors.double.data as Float64Array)).toEqual([Math.PI, -0, 5e-324, -Infinity]);
    expect(tensors.half.data).toEqual(new Uint16Array([0x3c00, 0xc100, 0x7bff, 0x8000, 0x7c00, 0x7e00, 0x0001]));
  });

  it('encodes the decoded tensors back to the same bytes as the Python writer', () => {
    for (const file of [linear, mixed]) {
      const { tensors, metadata } = decodeSafetensors(file);
      expect(encodeSafetensors(tensors, metadata)).toEqual(file);
    }
  });
});

describe('reverseByteOrder (big-endian hosts)', () => {
  it('reverses each element in place', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    reverseByteOrder(bytes, 4);
    expect(bytes).toEqual(new Uint8Array([4, 3, 2, 1, 8, 7, 6, 5]));
    reverseByteOrder(bytes, 8);
    expect(bytes).toEqual(new Uint8Array([5, 6, 7, 8, 1, 2, 3, 4]));
    reverseByteOrder(bytes, 2);
    expect(bytes).toEqual(new Uint8Array([6, 5, 8, 7, 2, 1, 4, 3]));
    reverseByteOrder(bytes, 1);
    expect(bytes).toEqual(new Uint8Array([6, 5, 8, 7, 2, 1, 4, 3]));
  });
});
