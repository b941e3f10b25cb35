import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { Module, type ModuleChild } from '../module';

/** Any module that maps one tensor to one tensor. */
export type TensorModule = Module<tf.Tensor, tf.Tensor, never> | Module<tf.Tensor, tf.Tensor, undefined>;

/**
 * Runs modules one after another (PyTorch `nn.Sequential`). Children are named `0`, `1`, ...
 * so a field `layers = new Sequential(...)` gives `layers.0.weight`, as in PyTorch.
 * @example
 * ```ts
 * const mlp = new Sequential(new Linear(1, 8), new Sigmoid(), new Linear(8, 1));
 * mlp.namedParameters().map(([n]) => n); // ['0.weight', '0.bias', '2.weight', '2.bias']
 * ```
 */
export class Sequential extends Module {
  static override readonly moduleName: string = 'Sequential';
  readonly modules: readonly TensorModule[];

  constructor(...modules: TensorModule[]) {
    super();
    modules.forEach((module, index) => {
      if (!Module.isModule(module)) {
        throw new ArgumentError('bad-argument', `Sequential: argument ${index} must be a Module, received ${typeof module}.`);
      }
    });
    this.modules = modules;
  }

  protected override children(): Array<[string, ModuleChild]> {
    return this.modules.map((module, index) => [String(index), module as ModuleChild]);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    return this.modules.reduce((x, module) => (module as Module).call(x), input);
  }
}
