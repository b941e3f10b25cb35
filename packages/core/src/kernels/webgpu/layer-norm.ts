/**
 * `TensorZooLayerNorm` and `TensorZooLayerNormGrad` on `webgpu` (inputs, attributes and outputs
 * as the cpu kernels, `kernels/layer-norm.ts`), over `x` viewed as `[rows, C]`:
 *
 * - forward, 3 dispatches: `mean` (a workgroup per row sums it), `rstd` (a workgroup per row
 *   sums `(x - mean)²`, two-pass as the cpu kernel), `y = (x - mean)·rstd·weight + bias` (per
 *   element, reading the stored `mean` and `rstd`);
 * - gradient, 3 dispatches (1 without `weight`): `dx` (a workgroup per row sums `g = dy·weight`
 *   and `g·x̂`, then writes `rstd·(g - mean(g) - x̂·mean(g·x̂))`), `dweight = Σ_rows dy·x̂` and
 *   `dbias = Σ_rows dy` (a workgroup per column each).
 *
 * The composite ops take ~9 launches forward and ~25 backward. Sums are float32 trees in
 * workgroup memory (the cpu kernels accumulate in float64). At most 6 storage buffers per program.
 * @packageDocumentation
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { elementwiseProgram, rowProgram, sizeOf, view, WORKGROUP_SIZE, type WebGPUBackendShape } from './program';

const lines = (count: number) => ({ type: 'int32' as const, data: [count] });

/** Per row of `x` (`[rows, C]`): its mean (`stage` 'mean') or `1/sqrt(var + eps)` ('rstd', reads the mean). */
function statisticProgram(rows: number, stage: 'mean' | 'rstd') {
  const sumMean = `
        var total = 0.0;
        for (var c = tid; valid && c < columns; c = c + ${WORKGROUP_SIZE}) {
          total = total + x[line * columns + c];
        }
        let sum = workgroupSum(tid, total);`;
  const sumSquares = `
        let rowMean = select(0.0, mean[min(line, uniforms.lines - 1)], valid);
        var squares = 0.0;
        for (var c = tid; valid && c < columns; c = c + ${WORKGROUP_SIZE}) {
          let centred = x[line * columns + c] - rowMean;
          squares = squares + centred * centred;
        }
        let sum = workgroupSum(tid, squares);`;
  return rowProgram({
    key: `tensorzooLayerNormStatistic_${stage}`,
    lines: rows,
    outputShape: [rows],
    variableNames: stage === 'mean' ? ['x'] : ['x', 'mean'],
    uniforms: 'columns : i32, eps : f32,',
    body: `
        let columns = uniforms.columns;
        ${stage === 'mean' ? sumMean : sumSquares}
        if (valid && tid == 0) {
          result[line] = ${stage === 'mean' ? 'sum / f32(columns)' : '1.0 / sqrt(sum / f32(columns) + uniforms.eps)'};
        }`,
  });
}

/** `y` per element from the stored row statistics (`affine`: times `weight`, plus `bias`). */
function outputProgram(size: number, affine: boolean) {
  return elementwiseProgram({
    key: `tensorzooLayerNormOutput_${affine}`,
    size,
    variableNames: affine ? ['x', 'mean', 'rstd', 'weight', 'bias'] : ['x', 'mean', 'rstd'],
    uniforms: 'columns : i32,',
    body: `
      let row = index / uniforms.columns;
      let normalised = (x[index] - mean[row]) * rstd[row];
      result[index] = ${affine ? 'normalised * weight[index - row * uniforms.columns] + bias[index - row * uniforms.columns]' : 'normalised'};`,
  });
}

/** `dx` of every row (a workgroup per row). */
function inputGradientProgram(rows: number, columns: number, affine: boolean) {
  const g = (c: string) => (affine ? `dy[line * columns + ${c}] * weight[${c}]` : `dy[line * columns + ${c}]`);
  return rowProgram({
    key: `tensorzooLayerNormInputGradient_${affine}`,
    lines: rows,
    outputShape: [rows * columns],
    variableNames: affine ? ['dy', 'x', 'mean', 'rstd', 'weight'] : ['dy', 'x', 'mean', 'rstd'],
    uniforms: 'columns : i32,',
    body: `
        let columns = uniforms.columns;
        let row = min(line, uniforms.lines - 1);
        let rowMean = mean[row];
        let rowRstd = rstd[row];
        var sumG = 0.0;
        var sumGXhat = 0.0;
        for (var c = tid; valid && c < columns; c = c + ${WORKGROUP_SIZE}) {
          let xhat = (x[line * columns + c] - rowMean) * rowRstd;
          let g = ${g('c')};
          sumG = sumG + g;
          sumGXhat = sumGXhat + g * xhat;
        }
        let meanG = workgroupSum(tid, sumG) / f32(columns);
        let meanGXhat = workgroupSum(tid, sumGXhat) / f32(columns);
        for (var c = tid; valid && c < columns; c = c + ${WORKGROUP_SIZE}) {
          let xhat = (x[line * columns + c] - rowMean) * rowRstd;
          result[line * columns + c] = rowRstd * (${g('c')} - meanG - xhat * meanGXhat);
        }`,
  });
}

/** `dweight` (`Σ_rows dy·x̂`) or `dbias` (`Σ_rows dy`) of every column (a workgroup per column). */
function parameterGradientProgram(columns: number, output: 'dweight' | 'dbias') {
  const term = output === 'dweight' ? 'dy[row * columns + line] * (x[row * columns + line] - mean[row]) * rstd[row]' : 'dy[row * columns + line]';
  return rowProgram({
    key: `tensorzooLayerNormParameterGradient_${output}`,
    lines: columns,
    outputShape: [columns],
    variableNames: output === 'dweight' ? ['dy', 'x', 'mean', 'rstd'] : ['dy'],
    uniforms: 'rows : i32,',
    body: `
        let columns = uniforms.lines;
        var total = 0.0;
        for (var row = tid; valid && row < uniforms.rows; row = row + ${WORKGROUP_SIZE}) {
          total = total + ${term};
        }
        let sum = workgroupSum(tid, total);
        if (valid && tid == 0) {
          result[line] = sum;
        }`,
  });
}

/** The `webgpu` kernel function of `TensorZooLayerNorm`. @internal */
export const layerNormWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGPUBackendShape;
  const { x, weight, bias } = inputs as Record<string, TensorInfo | undefined> & { x: TensorInfo };
  const columns = x.shape[x.shape.length - 1];
  const statsShape = x.shape.slice(0, -1);
  const rows = sizeOf(statsShape);
  const eps = attrs?.eps as number;
  const flatX = view(x, [rows * columns]);
  const uniforms = [lines(rows), { type: 'int32' as const, data: [columns] }, { type: 'float32' as const, data: [eps] }];
  const mean = gpu.runWebGPUProgram(statisticProgram(rows, 'mean'), [flatX], 'float32', uniforms);
  const rstd = gpu.runWebGPUProgram(statisticProgram(rows, 'rstd'), [flatX, mean], 'float32', uniforms);
  const affine = weight !== undefined && bias !== undefined;
  const y = gpu.runWebGPUProgram(
    outputProgram(rows * columns, affine),
    affine ? [flatX, mean, rstd, view(weight, [columns]), view(bias, [columns])] : [flatX, mean, rstd],
    'float32',
    [{ type: 'int32', data: [columns] }],
  );
  return [view(y, x.shape), view(mean, statsShape), view(rstd, statsShape)];
};

/** The `webgpu` kernel function of `TensorZooLayerNormGrad`. @internal */
export const layerNormGradWebGPU: KernelFunc = ({ inputs, backend }) => {
  const gpu = backend as unknown as WebGPUBackendShape;
  const { dy, x, mean, rstd, weight } = inputs as Record<string, TensorInfo | undefined> & { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; rstd: TensorInfo };
  const columns = x.shape[x.shape.length - 1];
  const rows = sizeOf(x.shape.slice(0, -1));
  const [flatDy, flatX, flatMean, flatRstd] = [view(dy, [rows * columns]), view(x, [rows * columns]), view(mean, [rows]), view(rstd, [rows])];
  const rowInputs = [flatDy, flatX, flatMean, flatRstd, ...(weight ? [view(weight, [columns])] : [])];
  const dx = gpu.runWebGPUProgram(inputGradientProgram(rows, columns, weight !== undefined), rowInputs, 'float32', [lines(rows), { type: 'int32', data: [columns] }]);
  if (!weight) return [view(dx, x.shape)];
  const columnUniforms = [lines(columns), { type: 'int32' as const, data: [rows] }];
  const dweight = gpu.runWebGPUProgram(parameterGradientProgram(columns, 'dweight'), [flatDy, flatX, flatMean, flatRstd], 'float32', columnUniforms);
  const dbias = gpu.runWebGPUProgram(parameterGradientProgram(columns, 'dbias'), [flatDy], 'float32', columnUniforms);
  return [view(dx, x.shape), dweight, dbias];
};
