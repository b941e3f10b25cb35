import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError } from '../errors';
import type { ModelClass, ModelConfig } from '../model-io';
import { Module, type ModuleChild } from '../module';

/** Any module that maps one tensor to one tensor. */
export type TensorModule = Module<tf.Tensor, tf.Tensor, never> | Module<tf.Tensor, tf.Tensor, undefined>;

/** A module that can run itself and the module after it as one step (`undefined`: it cannot). @internal */
interface FusesWithNext {
  callWithNext(input: tf.Tensor, next: unknown): tf.Tensor | undefined;
}

/** A {@link Sequential}'s config: each child's class name and config, in order. */
export interface SequentialConfig {
  layers: Array<{ name: string; config: ModelConfig }>;
}

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

  /**
   * Each child's class name and `getConfig()`, in order, so `loadModel` can rebuild the stack.
   * @throws {ArgumentError} when a child has no `getConfig()`.
   */
  getConfig(): SequentialConfig {
    return {
      layers: this.modules.map((module, index) => {
        const child = module as unknown as Module<never, unknown, never> & { getConfig?: () => object };
        if (typeof child.getConfig !== 'function') {
          throw new ArgumentError(
            'not-serializable',
            `${this.path}.getConfig: layer ${index} (${child.typeName}) has no getConfig(), so the stack cannot be rebuilt from a config; save the weights with saveCheckpoint and build the model in code.`,
          );
        }
        return { name: child.typeName, config: child.getConfig() as ModelConfig };
      }),
    };
  }

  /**
   * Rebuilds a stack from {@link Sequential.getConfig}'s output (fresh random weights). Each
   * layer's class is looked up by name in `context.models` (which `loadModel` passes: the
   * classes you gave it, e.g. `[Sequential, ...coreLayers]`).
   * @throws {CheckpointError} (`'unknown-model'`) naming a layer whose class is not in `models`.
   */
  static fromConfig(config: SequentialConfig, context: { models?: readonly ModelClass[] } = {}): Sequential {
    const models = context.models ?? [];
    const layers = (config?.layers ?? []).map(({ name, config: layerConfig }, index) => {
      const layerClass = models.find((candidate) => Object.prototype.hasOwnProperty.call(candidate, 'moduleName') && candidate.moduleName === name);
      if (!layerClass) {
        throw new CheckpointError(
          'unknown-model',
          `Sequential.fromConfig: layer ${index} is a "${name}" but the models given are ${models.map((candidate) => candidate.moduleName).join(', ') || 'none'}; pass its class (e.g. models: [Sequential, ...coreLayers]).`,
        );
      }
      const fromConfig = layerClass.fromConfig as unknown as (config: ModelConfig, context: { models: readonly ModelClass[] }) => TensorModule;
      return fromConfig.call(layerClass, layerConfig, { models });
    });
    return new Sequential(...layers);
  }

  protected override children(): Array<[string, ModuleChild]> {
    return this.modules.map((module, index) => [String(index), module as ModuleChild]);
  }

  /**
   * Each module's `call` in turn, except that a module offering `callWithNext` (a
   * `Conv2d` followed by a `ReLU`: one fused kernel) may run itself and the next
   * module as one step.
   */
  protected forward(input: tf.Tensor): tf.Tensor {
    let x = input;
    for (let index = 0; index < this.modules.length; index++) {
      const module = this.modules[index] as Module & Partial<FusesWithNext>;
      const next = this.modules[index + 1];
      const fused = next !== undefined && typeof module.callWithNext === 'function' ? module.callWithNext(x, next) : undefined;
      if (fused) {
        x = fused;
        index++;
      } else {
        x = module.call(x as never) as tf.Tensor;
      }
    }
    return x;
  }
}
