// Step 2 (TensorZoo): load the PyTorch weights, check the output, fine-tune, save for PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors, fit, loadCheckpoint, readFileBytes, saveCheckpoint, setBackend, writeFileAtomic } from '@tensorzoo/core';
import { meanSquaredError } from '@tensorzoo/losses';
import { adam } from '@tensorzoo/optimizers';
import { TransformerEncoderLayer } from '@tensorzoo/transformer';

await setBackend('cpu');
const layer = new TransformerEncoderLayer({ dModel: 16, numHeads: 4, dimFeedforward: 32, dropout: 0 });
await loadCheckpoint('encoder_layer.safetensors', layer); // same names as torch's state_dict, strict
layer.eval();

const io = decodeSafetensors(await readFileBytes('encoder_layer_io.safetensors')).tensors;
const x = tf.tensor(io.x.data as Float32Array, io.x.shape); //        [2, 5, 16]
const torchOutput = tf.tensor(io.y.data as Float32Array, io.y.shape);
const before = tf.max(tf.abs(tf.sub(layer.call(x), torchOutput))).dataSync()[0];
console.log(`max |tensorzoo - torch| = ${before.toExponential(2)}`); // ~1e-7

// Fine-tune a little (here: towards 0.5·x), then save the weights in PyTorch's layout.
await fit(layer, { x, y: tf.mul(x, 0.5) }, { loss: meanSquaredError, optimizer: adam({ lr: 1e-3 }), epochs: 5, batchSize: 2 });
await saveCheckpoint('encoder_layer_tuned.safetensors', layer); // loads with torch's load_state_dict
const output = layer.call(x);
const tuned = encodeSafetensors({
  x: { dtype: 'F32', shape: x.shape, data: new Float32Array(await x.data()) },
  y: { dtype: 'F32', shape: output.shape, data: new Float32Array(await output.data()) },
});
await writeFileAtomic('encoder_layer_tuned_io.safetensors', tuned);

export { before };
