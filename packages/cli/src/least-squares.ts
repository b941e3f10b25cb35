import { ArgumentError } from '@tensorzoo/core';

/** A fitted linear model `y = x · weights + intercept`. */
export interface LinearFit {
  /** One weight per feature column. */
  weights: Float64Array;
  intercept: number;
}

/**
 * Ordinary least squares with an intercept, solved exactly from the normal equations
 * `(AᵀA) β = Aᵀy` in float64, where `A = [1 | X]`. The closed-form reference that a
 * gradient-trained linear layer should approach.
 *
 * @param features row-major `[rows, columns]` values.
 * @param targets one target per row.
 * @param columns feature values per row.
 * @throws {ArgumentError} when the lengths disagree or the columns are linearly dependent.
 * @example
 * ```ts
 * leastSquares([0, 1, 2], [1, 3, 5], 1); // { weights: [2], intercept: 1 }
 * ```
 */
export function leastSquares(features: ArrayLike<number>, targets: ArrayLike<number>, columns: number): LinearFit {
  const rows = targets.length;
  if (features.length !== rows * columns) {
    throw new ArgumentError(
      'bad-argument',
      `leastSquares: features has ${features.length} values, expected rows × columns = ${rows} × ${columns} = ${rows * columns}.`,
    );
  }
  const size = columns + 1; // intercept first, then one weight per column
  const gram = Array.from({ length: size }, () => new Float64Array(size)); // AᵀA
  const moment = new Float64Array(size); // Aᵀy
  const augmented = new Float64Array(size);
  for (let row = 0; row < rows; row++) {
    augmented[0] = 1;
    for (let column = 0; column < columns; column++) augmented[column + 1] = features[row * columns + column];
    for (let i = 0; i < size; i++) {
      moment[i] += augmented[i] * targets[row];
      for (let j = 0; j < size; j++) gram[i][j] += augmented[i] * augmented[j];
    }
  }
  const solution = solve(gram, moment);
  return { intercept: solution[0], weights: solution.slice(1) };
}

/** Solves `matrix · x = vector` by Gaussian elimination with partial pivoting (both are overwritten). */
function solve(matrix: Float64Array[], vector: Float64Array): Float64Array {
  const size = vector.length;
  const scale = Math.max(...matrix.map((row, i) => Math.abs(row[i])), 1);
  for (let pivot = 0; pivot < size; pivot++) {
    let best = pivot;
    for (let row = pivot + 1; row < size; row++) if (Math.abs(matrix[row][pivot]) > Math.abs(matrix[best][pivot])) best = row;
    if (Math.abs(matrix[best][pivot]) <= 1e-12 * scale) {
      const what = pivot === 0 ? 'the intercept column (a constant feature?)' : `feature column ${pivot - 1}`;
      throw new ArgumentError('singular', `leastSquares: ${what} is a linear combination of the others; drop it or add more rows.`);
    }
    [matrix[pivot], matrix[best]] = [matrix[best], matrix[pivot]];
    [vector[pivot], vector[best]] = [vector[best], vector[pivot]];
    for (let row = pivot + 1; row < size; row++) {
      const factor = matrix[row][pivot] / matrix[pivot][pivot];
      for (let column = pivot; column < size; column++) matrix[row][column] -= factor * matrix[pivot][column];
      vector[row] -= factor * vector[pivot];
    }
  }
  const x = new Float64Array(size);
  for (let row = size - 1; row >= 0; row--) {
    let sum = vector[row];
    for (let column = row + 1; column < size; column++) sum -= matrix[row][column] * x[column];
    x[row] = sum / matrix[row][row];
  }
  return x;
}

/** Predictions of a {@link LinearFit} for row-major `features`, one per row. */
export function predictLinear(fit: LinearFit, features: ArrayLike<number>): Float64Array {
  const columns = fit.weights.length;
  const rows = features.length / columns;
  const out = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    let sum = fit.intercept;
    for (let column = 0; column < columns; column++) sum += fit.weights[column] * features[row * columns + column];
    out[row] = sum;
  }
  return out;
}

/** Root mean squared error between two equally long lists of numbers. */
export function rootMeanSquaredError(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  if (predictions.length !== targets.length || targets.length === 0) {
    throw new ArgumentError('bad-argument', `rootMeanSquaredError: ${predictions.length} predictions for ${targets.length} targets; they must match and be non-empty.`);
  }
  let sum = 0;
  for (let i = 0; i < targets.length; i++) sum += (predictions[i] - targets[i]) ** 2;
  return Math.sqrt(sum / targets.length);
}
