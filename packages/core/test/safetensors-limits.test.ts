// Issue 10 item 6: hostile headers (deep nesting, millions of entries, huge names) are
// rejected with a CheckpointError whose message stays short - never a RangeError or a hang.
import { describe, expect, it } from 'vitest';
import { ArgumentError, CheckpointError, decodeSafetensors, parseSafetensorsHeader, SAFETENSORS_MAX_TENSORS } from '@tensorzoo/core';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A file from exact header text and a data buffer. */
function craft(header: string, buffer: Uint8Array = new Uint8Array()): Uint8Array {
  const text = utf8(header);
  const out = new Uint8Array(8 + text.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(buffer, 8 + text.length);
  return out;
}

function rejection(run: () => unknown): CheckpointError {
  try {
    run();
  } catch (error) {
    expect(CheckpointError.isInstance(error), String(error)).toBe(true);
    return error as CheckpointError;
  }
  throw new Error('expected a CheckpointError, but nothing was thrown');
}

describe('safetensors header limits', () => {
  it('rejects arrays nested 100,000 deep with a CheckpointError, not a RangeError', () => {
    const deep = `{"a":{"dtype":"F32","shape":${'['.repeat(100_000)}${']'.repeat(100_000)},"data_offsets":[0,0]}}`;
    const error = rejection(() => decodeSafetensors(craft(deep)));
    expect(error.code).toBe('header-json');
    expect(error.message).toContain('more than 32 levels deep');
    expect(error.message.length).toBeLessThan(300);
  });

  it('describes a deep but allowed value briefly', () => {
    const value = `${'['.repeat(30)}1${']'.repeat(30)}`;
    const error = rejection(() => decodeSafetensors(craft(`{"a":{"dtype":"F32","shape":${value},"data_offsets":[0,4]}}`)));
    expect(error.code).toBe('bad-shape');
    expect(error.message.length).toBeLessThan(300);
  });

  it('rejects 1,000,000 zero-size entries before parsing them, with a short message', () => {
    const entries = Array.from({ length: 1_000_000 }, (_, index) => `"t${index}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    const file = craft(`{${entries.join(',')}}`);
    const error = rejection(() => decodeSafetensors(file));
    expect(error.code).toBe('too-many-tensors');
    expect(error.message).toContain(`more than ${SAFETENSORS_MAX_TENSORS} tensor entries`);
    expect(error.message.length).toBeLessThan(300);
  });

  it('maxTensors counts tensors, not the metadata entry, and is validated', () => {
    const header = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}';
    expect(Object.keys(parseSafetensorsHeader(craft(header), { maxTensors: 2 }).tensors)).toEqual(['a', 'b']);
    expect(rejection(() => parseSafetensorsHeader(craft(header.replace('"k":"v"', '"k":"v,"')), { maxTensors: 1 })).code).toBe('too-many-tensors');
    expect(() => parseSafetensorsHeader(craft(header), { maxTensors: -1 })).toThrow(ArgumentError);
    // Commas and braces inside strings are not structure.
    const tricky = '{"a,{[":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b\\",":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}';
    expect(Object.keys(parseSafetensorsHeader(craft(tricky), { maxTensors: 2 }).tensors)).toEqual(['a,{[', 'b",']);
  });

  it('cuts a megabyte-long tensor name to 300 characters in the message', () => {
    const name = 'x'.repeat(1_000_000);
    const error = rejection(() => decodeSafetensors(craft(`{"${name}":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}`, new Uint8Array(4))));
    expect(error.code).toBe('bad-dtype');
    expect(error.message).toContain('(1000000 characters)');
    expect(error.message.length).toBeLessThan(600);
  });

  it('cuts a huge bad value to a short quotation', () => {
    const error = rejection(() => decodeSafetensors(craft(`{"a":{"dtype":"F32","shape":[${'-1,'.repeat(200_000)}1],"data_offsets":[0,4]}}`, new Uint8Array(4))));
    expect(error.code).toBe('bad-shape');
    expect(error.message.length).toBeLessThan(300);
  });
});
