import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  Generator,
  Linear,
  Module,
  type Optimizer,
  type OptimizerState,
} from '@tensorzoo/core';
import torchFixture from '../fixtures/torch-linear.json';
import { expectClose } from '../src/testing/index';

class Net extends Module {
  fc: Linear;
  constructor(seed: number) {
    super();
    this.fc = new Linear(4, 3, { rng: seed });
  }
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.fc.call(x);
  }
}

/** SGD with momentum, holding one slot tensor per parameter: enough to test state round trips. */
function momentumSgd(): Optimizer & { slots: Map<string, tf.Tensor> } {
  const slots = new Map<string, tf.Tensor>();
  let iterations = 0;
  return {
    slots,
    get iterations() {
      return iterations;
    },
    step(parameters, gradients) {
      for (const [name, variable] of Object.entries(parameters)) {
        const previous = slots.get(name);
        const buffer = tf.tidy(() => (previous ? tf.add(tf.mul(previous, 0.9), gradients[name]) : gradients[name].clone()));
        previous?.dispose();
        slots.set(name, buffer);
        tf.tidy(() => variable.assign(tf.sub(variable, tf.mul(buffer, 0.1))));
      }
      iterations++;
    },
    getState: (): OptimizerState => ({
      tensors: Object.fromEntries([...slots].map(([name, t]) => [`${name}.momentum_buffer`, t.clone()])),
      scalars: { iterations },
    }),
    setState(state) {
      slots.forEach((t) => t.dispose());
      slots.clear();
      for (const [key, t] of Object.entries(state.tensors)) slots.set(key.replace(/\.momentum_buffer$/, ''), t.clone());
      iterations = Number(state.scalars.iterations);
    },
    dispose: () => slots.forEach((t) => t.dispose()),
  };
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

describe('checkpoints', () => {
  it('loads a state_dict written from PyTorch and reproduces its output', async () => {
    const model = new Net(1);
    const info = await decodeCheckpoint(fromBase64(torchFixture.linear.base64), model);
    expect(info).toMatchObject({ step: 0, hasOptimizerState: false, metadata: { format: 'pt' } });
    const x = tf.tensor(torchFixture.linear.input.data, torchFixture.linear.input.shape);
    const y = model.call(x);
    await expectClose(y, torchFixture.linear.output, { tolerance: 1e-6 });
    tf.dispose([x, y]);
    model.dispose();
  });

  it('round-trips weights, optimizer slots, generator state and step exactly', async () => {
    const model = new Net(2);
    const optimizer = momentumSgd();
    const rng = new Generator(9);
    rng.uniform();
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.call(x))) as tf.Scalar, model.parameters());
      optimizer.step(model.parameterRecord(), Object.fromEntries(model.namedParameters().map(([n, v]) => [n, grads[v.name]])));
      tf.dispose([value, ...Object.values(grads)]);
    }
    const bytes = await encodeCheckpoint(model, { optimizer, rng, step: 3, epoch: 1, metadata: { config: '{"width":4}' } });

    const restored = new Net(3);
    const restoredOptimizer = momentumSgd();
    const restoredRng = new Generator(0);
    const info = await decodeCheckpoint(new Blob([bytes as Uint8Array<ArrayBuffer>]), restored, { optimizer: restoredOptimizer, rng: restoredRng });
    expect(info).toEqual({ step: 3, epoch: 1, metadata: { config: '{"width":4}', format: 'pt' }, hasOptimizerState: true, hasRngState: true });
    for (const [[name, a], [, b]] of model.namedVariables().map((entry, i) => [entry, restored.namedVariables()[i]] as const)) {
      expect(Array.from(await b.data()), name).toEqual(Array.from(await a.data()));
    }
    expect(restoredOptimizer.iterations).toBe(3);
    for (const [name, slot] of optimizer.slots) {
      expect(Array.from(await restoredOptimizer.slots.get(name)!.data())).toEqual(Array.from(await slot.data()));
    }
    expect(restoredRng.nextUint32()).toBe(rng.nextUint32());
    x.dispose();
    [model, restored].forEach((m) => m.dispose());
    [optimizer, restoredOptimizer].forEach((o) => o.dispose());
  });

  it('rejects a truncated file with a typed error and leaves the model untouched', async () => {
    const source = new Net(4);
    const target = new Net(5);
    const before = Array.from(await target.fc.weight.data());
    const bytes = await encodeCheckpoint(source);
    for (const length of [0, 7, 20, bytes.length - 1]) {
      const error = await decodeCheckpoint(bytes.slice(0, length), target).catch((e) => e);
      expect(CheckpointError.isInstance(error), `length ${length}`).toBe(true);
      expect(error.code).toBe('truncated');
    }
    expect(Array.from(await target.fc.weight.data())).toEqual(before);
    [source, target].forEach((m) => m.dispose());
  });

  it('rejects a file for another architecture before changing anything', async () => {
    const small = new Linear(2, 2, { rng: 1 });
    const model = new Net(6);
    const before = Array.from(await model.fc.bias!.data());
    const error = await decodeCheckpoint(await encodeCheckpoint(small), model).catch((e) => e);
    expect(error.code).toBe('state-dict-mismatch');
    expect(error.message).toContain('Missing: fc.weight, fc.bias. Unexpected: bias, weight.');
    expect(Array.from(await model.fc.bias!.data())).toEqual(before);
    [small, model].forEach((m) => m.dispose());
  });

  it('says so when optimizer state is asked for but absent', async () => {
    const model = new Net(7);
    const error = await decodeCheckpoint(await encodeCheckpoint(model), model, { optimizer: momentumSgd() }).catch((e) => e);
    expect(error.code).toBe('missing-optimizer-state');
    model.dispose();
  });
});
