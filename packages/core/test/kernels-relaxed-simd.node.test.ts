// The relaxed-SIMD GEMM (f32x4.relaxed_madd) runs by default in browsers; Node 20 needs
// --experimental-wasm-relaxed-simd, so this test runs the module in a child process with
// that flag and checks its product against a float64 reference.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../src/kernels/simd-gemm';

/**
 * Runs in the child: C (8 x 16) += A (8 x depth, row-major) · B (depth x 16, two packed
 * panels of 8 columns), through the module's exported `gemm` on byte addresses.
 */
const CHILD = `
const fs = require('node:fs');
const [modulePath, inputPath] = process.argv.slice(1);
const { a, b, rows, depth } = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(modulePath)), {});
const { gemm, memory } = instance.exports;
memory.grow(1);
const floats = new Float32Array(memory.buffer);
const aAt = 0, bAt = a.length, cAt = bAt + b.length;
floats.set(a, aAt);
floats.set(b, bAt);
gemm(4 * aAt, 4 * depth, 4, 4 * bAt, 4 * cAt, 4 * 16, rows, 2, depth);
process.stdout.write(JSON.stringify(Array.from(floats.subarray(cAt, cAt + rows * 16))));
`;

describe('relaxed-SIMD GEMM (fused multiply-add)', () => {
  it('computes the product of two panels within float32 rounding of a float64 reference', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tensorzoo-relaxed-'));
    try {
      const [rows, depth, columns] = [8, 37, 16];
      let state = 7;
      const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
      const a = Float32Array.from({ length: rows * depth }, random);
      const bMatrix = Float32Array.from({ length: depth * columns }, random);
      // packPanels' layout: panel p, depth k, column t at p·depth·8 + k·8 + t.
      const b = new Float32Array(depth * columns);
      for (let panel = 0; panel < 2; panel++) {
        for (let k = 0; k < depth; k++) for (let t = 0; t < 8; t++) b[panel * depth * 8 + k * 8 + t] = bMatrix[k * columns + panel * 8 + t];
      }
      writeFileSync(join(folder, 'gemm.wasm'), moduleBytes(true));
      writeFileSync(join(folder, 'input.json'), JSON.stringify({ a: Array.from(a), b: Array.from(b), rows, depth }));
      const output = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '-e', CHILD, join(folder, 'gemm.wasm'), join(folder, 'input.json')], { encoding: 'utf8' });
      const product = JSON.parse(output) as number[];
      expect(product).toHaveLength(rows * columns);
      let worst = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < columns; j++) {
          let exact = 0;
          for (let k = 0; k < depth; k++) exact += a[i * depth + k] * bMatrix[k * columns + j];
          worst = Math.max(worst, Math.abs(product[i * columns + j] - exact));
        }
      }
      expect(worst).toBeLessThan(1e-5);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
