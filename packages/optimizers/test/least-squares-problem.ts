// A tiny least-squares problem the optimizer tests step on (no Node APIs: runs in every project).
import * as tf from '@tensorflow/tfjs-core';

/** A tiny least-squares problem whose gradients depend on the parameters (so trajectories are non-trivial). */
export interface Problem {
  parameters: Record<string, tf.Variable>;
  /** Gradients of the loss at the current parameters; the caller disposes them. */
  gradients(): Record<string, tf.Tensor>;
  /** Current parameter values, read back. */
  read(): Promise<Record<string, Float32Array>>;
  dispose(): void;
}

/** Builds a fresh problem: x [4, 3], y [4, 2], parameters layers.0.weight [3, 2] and layers.0.bias [2]. */
export function makeProblem(): Problem {
  const x = tf.tensor2d([0.5, -1, 2, 1.5, -0.3, 0.8, 1, 1, -2, 0.1, 0.7, -0.6], [4, 3]);
  const y = tf.tensor2d([1, -1, 0.5, 2, 0, 1, -0.5, 0.3], [4, 2]);
  const parameters: Record<string, tf.Variable> = {
    'layers.0.weight': tf.variable(tf.tensor2d([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [3, 2])),
    'layers.0.bias': tf.variable(tf.tensor1d([0.05, -0.05])),
  };
  const [weight, bias] = [parameters['layers.0.weight'], parameters['layers.0.bias']];
  return {
    parameters,
    gradients() {
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, weight), bias), y))),
        [weight, bias],
      );
      value.dispose();
      return { 'layers.0.weight': grads[weight.name], 'layers.0.bias': grads[bias.name] };
    },
    async read() {
      const result: Record<string, Float32Array> = {};
      for (const [name, parameter] of Object.entries(parameters)) result[name] = (await parameter.data()) as Float32Array;
      return result;
    },
    dispose() {
      tf.dispose([x, y, ...Object.values(parameters)]);
    },
  };
}

/** One optimizer step on `problem` with fresh gradients, disposing them afterwards. */
export function stepOnce(optimizer: { step(p: Record<string, tf.Variable>, g: Record<string, tf.Tensor>): void }, problem: Problem): void {
  const gradients = problem.gradients();
  optimizer.step(problem.parameters, gradients);
  tf.dispose(Object.values(gradients));
}
