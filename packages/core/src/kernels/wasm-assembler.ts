/**
 * A few WebAssembly opcodes and encoders, enough to assemble the small SIMD modules of the
 * fast kernels (simd-gemm.ts, simd-elementwise.ts) in TypeScript, with no build step and no
 * binary blob. Opcodes from the WebAssembly core and SIMD specifications.
 * @internal
 * @packageDocumentation
 */

/** Byte opcodes used below (WebAssembly core and SIMD specifications). */
export const OP = {
  block: 0x02, loop: 0x03, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  f32Load: 0x2a, i32Const: 0x41, f32Const: 0x43, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74,
  simd: 0xfd, voidBlock: 0x40,
} as const;
/** SIMD sub-opcodes (after the 0xfd prefix), already LEB128-encoded. */
export const SIMD = {
  v128Load: [0x00], v128Store: [0x0b], f32x4Splat: [0x13],
  v128And: [0x4e], v128AndNot: [0x4f], v128Or: [0x50], v128Bitselect: [0x52], f32x4Ne: [0x42], f32x4Gt: [0x44],
  f32x4Sqrt: [0xe3, 0x01], f32x4Add: [0xe4, 0x01], f32x4Sub: [0xe5, 0x01], f32x4Mul: [0xe6, 0x01], f32x4Div: [0xe7, 0x01],
  /** Relaxed SIMD proposal: `f32x4.relaxed_madd(a, b, c) = a·b + c`, fused or not (opcode 0x105). */
  f32x4RelaxedMadd: [0x85, 0x02],
} as const;

/** Unsigned LEB128. */
export function leb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** A section or vector: its byte length, then its bytes. */
export const sized = (bytes: number[]) => [...leb(bytes.length), ...bytes];
/** A name (UTF-8 of ASCII text, sized). */
export const name = (text: string) => sized([...text].map((ch) => ch.charCodeAt(0)));

/** `local.get`, `local.set`, `local.tee` of a local index. */
export const get = (local: number) => [OP.localGet, ...leb(local)];
export const set = (local: number) => [OP.localSet, ...leb(local)];
export const tee = (local: number) => [OP.localTee, ...leb(local)];
/** `i32.const` for 0..63 (whose signed LEB128 is one byte, the same as unsigned). */
export const constant = (value: number) => [OP.i32Const, ...leb(value & 0x3f)];
/** A SIMD instruction (0xfd prefix). */
export const simd = (code: readonly number[]) => [OP.simd, ...code];
export const v128Load = (offset: number) => [...simd(SIMD.v128Load), 2, ...leb(offset)]; // align hint 4 bytes
export const v128Store = (offset: number) => [...simd(SIMD.v128Store), 2, ...leb(offset)];
/** `local += by`. */
export const increment = (local: number, by: number[]) => [...get(local), ...by, OP.i32Add, ...set(local)];
/** `for (local = 0; local < limit; local++) body` as block/loop (`br_if 1` leaves, `br 0` repeats). */
export const countedLoop = (local: number, limit: number, step: number[], body: number[]) => [
  ...constant(0), ...set(local),
  OP.block, OP.voidBlock, OP.loop, OP.voidBlock,
  ...get(local), ...get(limit), OP.i32GeU, OP.brIf, 1,
  ...body,
  ...increment(local, step),
  OP.br, 0, OP.end, OP.end,
];


/** Value types. */
export const TYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;

/**
 * A module that imports its memory (`env.memory`) and exports one function `exportName` with
 * the given parameter types, extra locals (`[count, type]` groups, after the parameters), body
 * (ending with `end`) and result types (none by default).
 */
export function singleFunctionModule(
  exportName: string,
  parameters: readonly number[],
  locals: ReadonlyArray<readonly [number, number]>,
  body: number[],
  results: readonly number[] = [],
): Uint8Array<ArrayBuffer> {
  const section = (id: number, bytes: number[]) => [id, ...sized(bytes)];
  const types = section(1, [1, 0x60, ...leb(parameters.length), ...parameters, ...leb(results.length), ...results]);
  const imports = section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1)]);
  const functions = section(3, [1, 0]);
  const exports = section(7, [1, ...name(exportName), 0x00, 0]);
  const code = section(10, [1, ...sized([...leb(locals.length), ...locals.flatMap(([count, type]) => [...leb(count), type]), ...body])]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...functions, ...exports, ...code]);
}

/** `f32x4.splat` of a float32 constant. */
export function splatConstant(value: number): number[] {
  const bytes = new Uint8Array(new Float32Array([value]).buffer);
  return [OP.f32Const, ...bytes, ...simd(SIMD.f32x4Splat)];
}

/**
 * Compiles modules built by `build(key)` (once per key) and instantiates each on a memory
 * (once per memory), returning its export `exportName`; `undefined` where WebAssembly SIMD is
 * missing or blocked (e.g. a content security policy without 'wasm-unsafe-eval') or the
 * memory cannot be imported (a shared one).
 */
export function functionsOnMemory<Key extends string, Fn>(exportName: string, build: (key: Key) => Uint8Array<ArrayBuffer>): (memory: WebAssembly.Memory, key: Key) => Fn | undefined {
  const modules = new Map<Key, WebAssembly.Module | null>();
  const instances = new WeakMap<WebAssembly.Memory, Map<Key, Fn>>();
  return (memory, key) => {
    let perMemory = instances.get(memory);
    const found = perMemory?.get(key);
    if (found) return found;
    if (!modules.has(key)) {
      try {
        const bytes = build(key);
        modules.set(key, typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null);
      } catch {
        modules.set(key, null);
      }
    }
    const module = modules.get(key);
    if (!module) return undefined;
    try {
      const fn = new WebAssembly.Instance(module, { env: { memory } }).exports[exportName] as Fn;
      if (!perMemory) instances.set(memory, (perMemory = new Map()));
      perMemory.set(key, fn);
      return fn;
    } catch {
      return undefined;
    }
  };
}

/** `f64x2.splat` of a float64 constant. */
export function splatFloat64(value: number): number[] {
  const bytes = new Uint8Array(new Float64Array([value]).buffer);
  return [0x44, ...bytes, ...simd([0x14])]; // f64.const, f64x2.splat
}
