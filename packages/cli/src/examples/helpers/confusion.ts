// Confusion matrices of the classification examples (cnn-mnist, mlp-mnist, cnn-binary).

/** `matrix[true][predicted]` counts, for labels `0..classes-1`. */
export function confusionMatrix(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let index = 0; index < predicted.length; index++) matrix[trueLabels[index]][predicted[index]]++;
  return matrix;
}

/** Lines of a confusion matrix with row/column names, true classes down, predictions across. */
export function formatConfusion(matrix: number[][], names: readonly string[]): string[] {
  const width = Math.max(5, ...names.map((name) => name.length), ...matrix.flat().map((count) => String(count).length)) + 1;
  const corner = 'true \\ predicted';
  const label = Math.max(corner.length, ...names.map((name) => name.length)) + 2;
  const lines = [`${corner.padEnd(label)}${names.map((name) => name.padStart(width)).join('')}`];
  matrix.forEach((row, index) => lines.push(`${names[index].padEnd(label)}${row.map((count) => String(count).padStart(width)).join('')}`));
  return lines;
}
