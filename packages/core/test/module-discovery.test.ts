// Issue 10 item 4: parameter discovery is complete (arrays, plain objects, Maps, nested) or
// loud (private fields, Sets, non-string keys, cycles), and stateDict() snapshots by name.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Linear, Module, decodeCheckpoint, encodeCheckpoint, parameter } from '@tensorzoo/core';

/** 14 linear layers and one parameter in every kind of container. */
class Containers extends Module {
  static override readonly moduleName = 'Containers';
  direct = new Linear(2, 2, { rng: 1 });
  list = [new Linear(2, 2, { rng: 2 }), new Linear(2, 2, { rng: 3 })];
  grid = [[new Linear(2, 2, { rng: 4 })], [new Linear(2, 2, { rng: 5 }), new Linear(2, 2, { rng: 6 })]];
  heads = { query: new Linear(2, 2, { rng: 7 }), key: new Linear(2, 2, { rng: 8 }) };
  nested = { blocks: [{ attn: new Linear(2, 2, { rng: 9 }) }], deep: { deeper: { leaf: new Linear(2, 2, { rng: 10 }) } } };
  byName = new Map<string, Module<never, unknown, never> | tf.Variable>([
    ['left', new Linear(2, 2, { rng: 11 })],
    ['scale', parameter(tf.ones([2]))],
  ]);
  mapOfLists = new Map([['stack', [new Linear(2, 2, { rng: 12 }), new Linear(2, 2, { rng: 13 })]]]);
  nullPrototype = Object.assign(Object.create(null) as Record<string, Linear>, { inner: new Linear(2, 2, { rng: 14 }) });
  ignored = { count: 3, name: 'x', tensor: tf.zeros([1]), fn: () => 1, array: [1, 2, 3], typed: new Float32Array(4) };
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.direct.call(x);
  }
}

describe('Module discovery', () => {
  it('walks arrays (nested), plain objects and Maps with dotted names, in field order', () => {
    const model = new Containers();
    const names = model.namedParameters().map(([name]) => name);
    // As in PyTorch's state_dict, a module's own variables come before its sub-modules'.
    expect(names).toEqual([
      'byName.scale',
      'direct.weight', 'direct.bias',
      'list.0.weight', 'list.0.bias', 'list.1.weight', 'list.1.bias',
      'grid.0.0.weight', 'grid.0.0.bias', 'grid.1.0.weight', 'grid.1.0.bias', 'grid.1.1.weight', 'grid.1.1.bias',
      'heads.query.weight', 'heads.query.bias', 'heads.key.weight', 'heads.key.bias',
      'nested.blocks.0.attn.weight', 'nested.blocks.0.attn.bias', 'nested.deep.deeper.leaf.weight', 'nested.deep.deeper.leaf.bias',
      'byName.left.weight', 'byName.left.bias',
      'mapOfLists.stack.0.weight', 'mapOfLists.stack.0.bias', 'mapOfLists.stack.1.weight', 'mapOfLists.stack.1.bias',
      'nullPrototype.inner.weight', 'nullPrototype.inner.bias',
    ]);
    expect(model.parameterCount()).toBe(14 * 6 + 2);
    expect(model.namedModules().map(([name]) => name)).toContain('nested.deep.deeper.leaf');
    model.dispose();
    model.ignored.tensor.dispose();
  });

  it('a module of 20 sub-modules held in containers saves and loads all 40 parameters', async () => {
    class Wide extends Module {
      static override readonly moduleName = 'Wide';
      groups = { a: Array.from({ length: 10 }, (_, index) => new Linear(1, 1, { rng: index })) };
      more = new Map([['b', [Array.from({ length: 10 }, (_, index) => new Linear(1, 1, { rng: 20 + index }))]]]);
      protected forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    const model = new Wide();
    // 20 layers x (weight + bias); before, only direct fields and one level of arrays were found.
    expect(model.namedParameters()).toHaveLength(40);
    const copy = new Wide();
    await decodeCheckpoint(await encodeCheckpoint(model), copy);
    for (const [[name, original], [, loaded]] of model.namedVariables().map((entry, index) => [entry, copy.namedVariables()[index]] as const)) {
      expect(Array.from(await loaded.data()), name).toEqual(Array.from(await original.data()));
    }
    [model, copy].forEach((module) => module.dispose());
  });

  it('throws naming a private (_) field that holds a module or variable', () => {
    class Hidden extends Module {
      static override readonly moduleName = 'Hidden';
      visible = new Linear(1, 1, { rng: 1 });
      _helpers = [new Linear(1, 1, { rng: 2 })];
      protected forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    const model = new Hidden();
    const error = (() => {
      try {
        model.namedParameters();
      } catch (caught) {
        return caught as ArgumentError;
      }
    })();
    expect(ArgumentError.isInstance(error)).toBe(true);
    expect(error!.code).toBe('hidden-parameter');
    expect(error!.message).toContain('Hidden: field "_helpers" holds a Module ("_helpers.0")');
    model.visible.dispose();
    model._helpers[0].dispose();
  });

  it('private fields without modules or variables are fine', () => {
    class Private extends Module {
      _config = { sizes: [1, 2], nested: { activation: 'gelu' } };
      _cache = new Map([['k', tf.zeros([1])]]);
      weight = parameter(tf.ones([1]));
      protected forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    const model = new Private();
    expect(model.namedParameters().map(([name]) => name)).toEqual(['weight']);
    model.dispose();
    tf.dispose([...model._cache.values()]);
  });

  it('throws for modules in a Set or under a non-string Map key', () => {
    class InSet extends Module {
      layers = new Set([new Linear(1, 1, { rng: 1 })]);
      protected forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    class NumberKeys extends Module {
      layers = new Map([[0, new Linear(1, 1, { rng: 1 })]]);
      protected forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    expect(() => new InSet().namedParameters()).toThrow(/field layers \(a Set\) holds a module or variable/);
    expect(() => new NumberKeys().namedParameters()).toThrow(/field layers \(a Map key number\) holds a module or variable/);
  });

  it('throws for a container that contains itself, and lists a shared module once', () => {
    class Cyclic extends Module {
      list: unknown[] = [];
      protected forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    const cyclic = new Cyclic();
    cyclic.list.push(cyclic.list);
    expect(() => cyclic.namedParameters()).toThrow(/field "list.0" contains itself/);

    class Shared extends Module {
      first: Linear;
      again: { same: Linear };
      parent: { self?: Module<never, unknown, never> } = {};
      constructor() {
        super();
        this.first = new Linear(1, 1, { rng: 1 });
        this.again = { same: this.first };
        this.parent.self = this as unknown as Module<never, unknown, never>;
      }
      protected forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    const shared = new Shared();
    expect(shared.namedParameters().map(([name]) => name)).toEqual(['first.weight', 'first.bias']);
    shared.dispose();
  });

  it('stateDict() returns owned snapshots by name that loadStateDict takes back', async () => {
    const model = new Linear(2, 1, { rng: 3 });
    const saved = model.stateDict();
    expect(Object.keys(saved)).toEqual(['weight', 'bias']);
    const original = Array.from(await saved.weight.data());
    model.weight.assign(tf.zerosLike(model.weight));
    expect(Array.from(await saved.weight.data())).toEqual(original); // a snapshot, not a view
    model.loadStateDict(saved);
    expect(Array.from(await model.weight.data())).toEqual(original);
    tf.dispose(Object.values(saved));
    expect(Array.from(await model.weight.data())).toEqual(original); // the caller's copies are independent
    model.dispose();
  });
});
