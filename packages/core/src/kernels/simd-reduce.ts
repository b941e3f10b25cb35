/**
 * Column sums for `Sum` over leading or middle axes (every bias gradient: `Σ over N, H, W` of
 * a `[N, H, W, C]` gradient) as a WebAssembly SIMD loop: `W` columns (16 or 4) at a time,
 * each float32 promoted to float64 and added in row order, the totals rounded to float32 once:
 * bit for bit reduce.ts's `sumContiguous` (which sums in JavaScript numbers, like tfjs's cpu
 * `Sum`), about 4x faster.
 *
 * ```text
 * columns(x, out, rows, rowBytes)   // byte addresses; W consecutive columns from x
 *   out[0..W) = fround(Σ_r float64(x[r·rowBytes/4 + 0..W)))
 * columns(x, out, rows, rowBytes, divisor)   // `Mean`: each float32 divided first (f32x4.div)
 *   out[0..W) = fround(Σ_r float64(x[r·rowBytes/4 + 0..W) / divisor))
 * ```
 *
 * (`Mean` divides before summing, as reduce.ts's `sumContiguous` with a divisor and tfjs's cpu
 * `Mean` do.)
 *
 * The module imports its memory: on `wasm` tfjs-wasm's heap, on `cpu` a memory of its own.
 * @internal
 * @packageDocumentation
 */
import { OP, SIMD, TYPE, constant, countedLoop, functionsOnMemory, get, increment, leb, set, simd, singleFunctionModule } from './wasm-assembler';

/** Columns per call: 16 (a 64-byte line of each row) or 4; with `/`, each value divided first (`Mean`). */
type Width = '16' | '4' | '16/' | '4/';

// Parameters: x, out, rows, rowBytes (and the f32 divisor for `Mean`); then locals.
const X = 0, OUT = 1, ROWS = 2, ROW_BYTES = 3, DIVISOR = 4;

function columnsBody(width: number, divide: boolean): number[] {
  const [R, AT] = divide ? [5, 6] : [4, 5];
  const SPLAT = AT + 1; // the divisor in 4 lanes (when dividing)
  const ACC = divide ? SPLAT + 1 : AT + 1;
  const halves = width / 2; // float64x2 accumulators
  const load64Splat = (offset: number) => [...simd([0x0a]), 2, ...leb(offset)];
  const promote = simd([0x5f]); // f64x2.promote_low_f32x4
  const demote = simd([0x5e]); // f32x4.demote_f64x2_zero
  const addF64 = simd([0xf0, 0x01]); // f64x2.add
  const quotient = divide ? [...get(SPLAT), ...simd(SIMD.f32x4Div)] : [];
  const row: number[] = [];
  for (let h = 0; h < halves; h++) row.push(...get(ACC + h), ...get(AT), ...load64Splat(8 * h), ...quotient, ...promote, ...addF64, ...set(ACC + h));
  row.push(...increment(AT, get(ROW_BYTES)));
  const store: number[] = [];
  for (let h = 0; h < halves; h++) store.push(...get(OUT), ...get(ACC + h), ...demote, ...simd([0x5b]), 2, ...leb(8 * h), 0); // v128.store64_lane, lane 0
  const setup = divide ? [...get(DIVISOR), ...simd(SIMD.f32x4Splat), ...set(SPLAT)] : [];
  return [...setup, ...get(X), ...set(AT), ...countedLoop(R, ROWS, constant(1), row), ...store, OP.end];
}

/** The module for `width` columns: one function `columns` over an imported memory `env.memory`. @internal */
export function columnsModuleBytes(width: Width): Uint8Array<ArrayBuffer> {
  const divide = width.endsWith('/');
  const columns = Number.parseInt(width, 10);
  const parameters = divide ? [...Array<number>(4).fill(TYPE.i32), TYPE.f32] : Array<number>(4).fill(TYPE.i32);
  const locals: Array<[number, number]> = [[2, TYPE.i32], [columns / 2 + (divide ? 1 : 0), TYPE.v128]];
  return singleFunctionModule('columns', parameters, locals, columnsBody(columns, divide));
}

/** `columns(x, out, rows, rowBytes[, divisor])` on byte addresses. */
type ColumnsFunction = (x: number, out: number, rows: number, rowBytes: number, divisor?: number) => void;

const columnsOn = /* @__PURE__ */ functionsOnMemory<Width, ColumnsFunction>('columns', columnsModuleBytes);

/** Sums `x` viewed as `[outer, reduced, inner]` over `reduced` into `out` (byte addresses in one memory, not overlapping). */
export type LeadingSum = (x: number, out: number, outer: number, reduced: number, inner: number) => void;

/**
 * `out[o, i] = Σ_r x[o, r, i]` running on `memory` (with `divisor`, a float32: `Σ_r fround(x[o, r, i] / divisor)`,
 * `Mean`), or `undefined` without WebAssembly SIMD (or for a memory it cannot import).
 */
export function leadingSumOn(memory: WebAssembly.Memory, divisor?: number): LeadingSum | undefined {
  const divide = divisor !== undefined;
  const wide = columnsOn(memory, divide ? '16/' : '16');
  const narrow = columnsOn(memory, divide ? '4/' : '4');
  if (!wide || !narrow) return undefined;
  return (x, out, outer, reduced, inner) => {
    const rowBytes = inner * 4;
    for (let o = 0; o < outer; o++) {
      const from = x + o * reduced * rowBytes;
      const to = out + o * rowBytes;
      let column = 0;
      for (; column + 16 <= inner; column += 16) wide(from + column * 4, to + column * 4, reduced, rowBytes, divisor);
      for (; column + 4 <= inner; column += 4) narrow(from + column * 4, to + column * 4, reduced, rowBytes, divisor);
      if (column < inner) {
        const values = new Float32Array(memory.buffer);
        for (let i = column; i < inner; i++) {
          let total = 0;
          for (let r = 0; r < reduced; r++) total += divide ? Math.fround(values[(from + r * rowBytes) / 4 + i] / divisor) : values[(from + r * rowBytes) / 4 + i];
          values[to / 4 + i] = total;
        }
      }
    }
  };
}

let ownMemory: WebAssembly.Memory | undefined;

/** {@link leadingSumOn}'s sum (or, with `divisor`, mean) on a plain array (the `cpu` backend), through a memory of this module's own. */
export function sumLeadingArrays(x: Float32Array, outer: number, reduced: number, inner: number, divisor?: number): Float32Array | undefined {
  ownMemory ??= new WebAssembly.Memory({ initial: 1 });
  const bytes = (x.length + outer * inner) * 4;
  if (ownMemory.buffer.byteLength < bytes) ownMemory.grow(Math.ceil((bytes - ownMemory.buffer.byteLength) / 65536));
  const sum = leadingSumOn(ownMemory, divisor);
  if (!sum) return undefined;
  new Float32Array(ownMemory.buffer).set(x);
  sum(0, x.length * 4, outer, reduced, inner);
  return new Float32Array(ownMemory.buffer).slice(x.length, x.length + outer * inner);
}
