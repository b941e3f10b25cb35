import * as tf from '@tensorflow/tfjs-core';
import { Dropout, Linear, Module, parameter } from '@tensorzoo/core';

/** A two-layer perceptron with a learned output scale. Fields are found by walking the object. */
class ScaledMLP extends Module {
  static override readonly moduleName = 'ScaledMLP'; // survives minification in error messages
  hidden = new Linear(4, 8, { rng: 1 }); //     hidden.weight [8, 4], hidden.bias [8]
  dropout = new Dropout(0.1, { rng: 2 }); //    no parameters; active only in train()
  out = new Linear(8, 2, { rng: 3 }); //        out.weight [2, 8], out.bias [2]
  scale = parameter(tf.ones([2])); //          scale [2]

  protected forward(x: tf.Tensor): tf.Tensor {
    const hidden = this.dropout.call(tf.relu(this.hidden.call(x))); // [B, 8]
    return tf.mul(this.out.call(hidden), this.scale); //               [B, 2]
  }
}

const model = new ScaledMLP();
const names = model.namedParameters().map(([name, variable]) => `${name} [${variable.shape}]`);
console.log(names); // scale [2], hidden.weight [8,4], hidden.bias [8], out.weight [2,8], out.bias [2]
// (a module's own variables first, then its children's, as PyTorch's state_dict orders them)

model.eval(); //                          dropout off
const output = model.call(tf.ones([3, 4])); // [3, 2], intermediates freed by tf.tidy

// A state dict by name, as PyTorch's load_state_dict(strict=True).
const copy = new ScaledMLP();
copy.loadStateDict(Object.fromEntries(model.namedVariables()));

export { model, names, output, copy };
