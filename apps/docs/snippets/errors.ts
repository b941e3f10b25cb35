import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, decodeCheckpoint, Linear, ShapeError, TensorZooError } from '@tensorzoo/core';

const layer = new Linear(4, 2, { rng: 0 });
const caught: string[] = [];

try {
  layer.call(tf.zeros([3, 5])); // wrong feature size
} catch (error) {
  // isInstance works even when two copies of @tensorzoo/core are installed (instanceof does not).
  if (ShapeError.isInstance(error)) caught.push(`${error.name} ${error.code}: ${error.message}`);
}

try {
  new Linear(0, 2); // not a positive size
} catch (error) {
  if (ArgumentError.isInstance(error)) caught.push(`${error.name} ${error.code}: ${error.message}`);
}

try {
  await decodeCheckpoint(new Uint8Array([1, 2, 3]), layer); // not a safetensors file
} catch (error) {
  if (CheckpointError.isInstance(error)) caught.push(`${error.name} ${error.code}: ${error.message}`);
}

// Every error TensorZoo throws on purpose is a TensorZooError with a stable `code`.
console.log(caught.join('\n'));
export { caught, TensorZooError };
