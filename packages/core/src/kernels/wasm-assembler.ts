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
  f32Load: 0x2a, i32Const: 0x41, i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74,
  simd: 0xfd, voidBlock: 0x40,
} as const;
/** SIMD sub-opcodes (after the 0xfd prefix), already LEB128-encoded. */
export const SIMD = {
  v128Load: [0x00], v128Store: [0x0b], f32x4Splat: [0x13],
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

