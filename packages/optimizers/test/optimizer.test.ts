import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import { describe, expect, it } from 'vitest';
import { expectArgumentError, thrown } from '@tensorzoo/core/testing';
import { makeProblem, stepOnce } from './least-squares-problem';
import { adagrad, adam, adamW, cosineDecay, exponentialDecay, rmsprop, sgd, stepDecay, type ConfiguredOptimizer } from '../src/index';


/** One configuration per optimizer, each touching every slot it has, plus schedules and clipping. */
const factories: Record<string, () => ConfiguredOptimizer<unknown>> = {
  sgd: () => sgd({ lr: stepDecay(0.05, 4, 0.5), momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  'sgd nesterov': () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true, clip: { globalNorm: 0.5 } }),
  adam: () => adam({ lr: exponentialDecay(0.01, 0.95), amsgrad: true, weightDecay: 0.01 }),
  adamW: () => adamW({ lr: cosineDecay(0.01, 20, { warmupSteps: 3 }), clip: { value: 0.3 } }),
  rmsprop: () => rmsprop({ lr: 0.01, momentum: 0.5, centered: true, weightDecay: 0.01 }),
  adagrad: () => adagrad({ lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }),
};

const expectedSlots: Record<string, string[]> = {
  sgd: ['momentum_buffer'],
  'sgd nesterov': ['momentum_buffer'],
  adam: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  adamW: ['exp_avg', 'exp_avg_sq'],
  rmsprop: ['square_avg', 'grad_avg', 'momentum_buffer'],
  adagrad: ['sum'],
};

describe.each(Object.keys(factories))('%s', (label) => {
  const create = factories[label];

  it('resumes exactly from getState/setState: 10 + 10 steps equal 20 straight steps', async () => {
    const straight = makeProblem();
    const reference = create();
    for (let i = 0; i < 20; i++) stepOnce(reference, straight);

    const resumed = makeProblem();
    const first = create();
    for (let i = 0; i < 10; i++) stepOnce(first, resumed);
    const state = first.getState();
    first.dispose();
    const second = create();
    second.setState(state);
    tf.dispose(Object.values(state.tensors)); // setState copies
    expect(second.iterations).toBe(10);
    for (let i = 0; i < 10; i++) stepOnce(second, resumed);

    expect(second.iterations).toBe(20);
    expect(await resumed.read()).toEqual(await straight.read());
    for (const optimizer of [reference, second]) optimizer.dispose();
    straight.dispose();
    resumed.dispose();
  });

  it('names state "<param>.<slot>" and keeps counters in scalars', () => {
    const problem = makeProblem();
    const optimizer = create();
    stepOnce(optimizer, problem);
    stepOnce(optimizer, problem);
    const { tensors, scalars } = optimizer.getState();
    const names = Object.keys(problem.parameters);
    expect(Object.keys(tensors).sort()).toEqual(names.flatMap((name) => expectedSlots[label].map((slot) => `${name}.${slot}`)).sort());
    for (const [key, tensor] of Object.entries(tensors)) {
      expect(tensor.shape).toEqual(problem.parameters[key.slice(0, key.lastIndexOf('.'))].shape);
    }
    const countsSteps = optimizer.name === 'adam' || optimizer.name === 'adamW' || optimizer.name === 'adagrad';
    expect(scalars).toEqual({
      optimizer: optimizer.name,
      iterations: 2,
      ...(countsSteps ? { 'layers.0.weight.step': 2, 'layers.0.bias.step': 2 } : {}),
    });
    tf.dispose(Object.values(tensors));
    optimizer.dispose();
    problem.dispose();
  });

  it('does not leak tensors over repeated steps, state snapshots and dispose', () => {
    const problem = makeProblem();
    const before = tf.memory().numTensors;
    const optimizer = create();
    stepOnce(optimizer, problem); // creates the slot variables, nothing else
    const slotCount = 2 * expectedSlots[label].length;
    expect(tf.memory().numTensors).toBe(before + slotCount);
    for (let i = 0; i < 5; i++) {
      stepOnce(optimizer, problem);
      expect(tf.memory().numTensors).toBe(before + slotCount);
    }
    const restored = create();
    const snapshot = optimizer.getState();
    restored.setState(snapshot);
    restored.setState(snapshot); // replacing the state frees the previous slots
    tf.dispose(Object.values(snapshot.tensors));
    expect(tf.memory().numTensors).toBe(before + 2 * slotCount);
    stepOnce(restored, problem);
    expect(tf.memory().numTensors).toBe(before + 2 * slotCount);
    restored.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    problem.dispose();
  });
});

describe('step() arguments', () => {
  it('throws ShapeError naming the parameter when a gradient has the wrong shape, and changes nothing', async () => {
    const problem = makeProblem();
    const optimizer = adam();
    const before = await problem.read();
    const gradients = { 'layers.0.weight': tf.zeros([2, 3]), 'layers.0.bias': tf.zeros([2]) };
    const error = thrown(() => optimizer.step(problem.parameters, gradients));
    expect(ShapeError.isInstance(error)).toBe(true);
    expect(error.message).toBe('adam.step: gradient of "layers.0.weight" has shape [2, 3] but the parameter has shape [3, 2].');
    expect(await problem.read()).toEqual(before);
    expect(optimizer.iterations).toBe(0);
    tf.dispose(Object.values(gradients));
    problem.dispose();
  });

  it('throws ArgumentError for a gradient of an unknown parameter', () => {
    const problem = makeProblem();
    const gradient = tf.zeros([2]);
    const error = thrown(() => sgd({ lr: 0.1 }).step(problem.parameters, { 'layers.1.bias': gradient }));
    expect(ArgumentError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      'sgd.step: gradient "layers.1.bias" has no parameter of that name; parameters are layers.0.weight, layers.0.bias.',
    );
    gradient.dispose();
    problem.dispose();
  });

  it('throws ShapeError for a gradient of another dtype', () => {
    const problem = makeProblem();
    const gradient = tf.zeros([2], 'int32');
    const error = thrown(() => sgd({ lr: 0.1 }).step(problem.parameters, { 'layers.0.bias': gradient }));
    expect(ShapeError.isInstance(error)).toBe(true);
    expect(error.message).toBe('sgd.step: gradient of "layers.0.bias" has dtype int32 but the parameter has dtype float32.');
    gradient.dispose();
    problem.dispose();
  });

  it('leaves parameters without a gradient untouched (no slots, no step count), like torch with grad None', async () => {
    const problem = makeProblem();
    const optimizer = adam({ lr: 0.1 });
    const before = await problem.read();
    const gradients = problem.gradients();
    optimizer.step(problem.parameters, { 'layers.0.weight': gradients['layers.0.weight'] });
    const after = await problem.read();
    expect(after['layers.0.bias']).toEqual(before['layers.0.bias']);
    expect(after['layers.0.weight']).not.toEqual(before['layers.0.weight']);
    const state = optimizer.getState();
    expect(Object.keys(state.tensors).sort()).toEqual(['layers.0.weight.exp_avg', 'layers.0.weight.exp_avg_sq']);
    expect(state.scalars).toEqual({ optimizer: 'adam', iterations: 1, 'layers.0.weight.step': 1 });
    tf.dispose([...Object.values(gradients), ...Object.values(state.tensors)]);
    optimizer.dispose();
    problem.dispose();
  });

  it('does not dispose the gradients it is given', () => {
    const problem = makeProblem();
    const gradients = problem.gradients();
    const optimizer = sgd({ lr: 0.1, momentum: 0.9, clip: { value: 0.1, globalNorm: 0.1 } });
    optimizer.step(problem.parameters, gradients);
    for (const gradient of Object.values(gradients)) expect(gradient.isDisposed).toBe(false);
    tf.dispose(Object.values(gradients));
    optimizer.dispose();
    problem.dispose();
  });

  it('reports an unusable schedule value with the step', () => {
    const problem = makeProblem();
    const optimizer = sgd({ lr: (step) => (step < 1 ? 0.1 : Number.NaN) });
    stepOnce(optimizer, problem);
    const error = thrown(() => stepOnce(optimizer, problem));
    expect(ArgumentError.isInstance(error)).toBe(true);
    expect(error.message).toBe('sgd.step: the lr schedule returned NaN at step 1; a schedule must return a finite number >= 0.');
    problem.dispose();
  });
});

describe('state', () => {
  it('getState returns snapshots that later steps do not change', async () => {
    const problem = makeProblem();
    const optimizer = sgd({ lr: 0.1, momentum: 0.9 });
    stepOnce(optimizer, problem);
    const state = optimizer.getState();
    const saved = await state.tensors['layers.0.bias.momentum_buffer'].data();
    stepOnce(optimizer, problem);
    expect(await state.tensors['layers.0.bias.momentum_buffer'].data()).toEqual(saved);
    tf.dispose(Object.values(state.tensors));
    optimizer.dispose();
    problem.dispose();
  });

  it('setState rejects state from another optimizer, unknown slots and missing step counts', () => {
    const zeros = tf.zeros([2]);
    const cases: Array<[() => void, string]> = [
      [
        () => adam().setState({ tensors: {}, scalars: { optimizer: 'sgd', iterations: 3 } }),
        'adam.setState: the state was saved by "sgd", not "adam"; create the same optimizer to restore it.',
      ],
      [
        () => adam().setState({ tensors: { 'layers.0.bias.momentum_buffer': zeros }, scalars: { iterations: 3 } }),
        'adam.setState: unknown slot tensor "layers.0.bias.momentum_buffer"; adam keeps "<parameter>.<slot>" with slot one of exp_avg, exp_avg_sq, max_exp_avg_sq.',
      ],
      [
        () => adam().setState({ tensors: { 'layers.0.bias.exp_avg': zeros }, scalars: { iterations: 3 } }),
        'adam.setState: scalars["layers.0.bias.step"] is missing; adam needs it for tensors of "layers.0.bias".',
      ],
      [
        () => sgd({ lr: 1 }).setState({ tensors: {}, scalars: { iterations: -1 } }),
        'sgd.setState: scalars.iterations (-1) must be an integer >= 0.',
      ],
      [
        () => sgd({ lr: 1 }).setState({ tensors: {}, scalars: { iterations: 1, 'w.step': 1 } }),
        'sgd.setState: unknown scalar "w.step"; sgd keeps optimizer and iterations.',
      ],
    ];
    for (const [action, message] of cases) expectArgumentError(action, message);
    zeros.dispose();
  });

  it('a restored slot whose shape does not match its parameter is a ShapeError at the next step', () => {
    const problem = makeProblem();
    const wrong = tf.zeros([3]);
    const optimizer = sgd({ lr: 0.1, momentum: 0.9 });
    optimizer.setState({ tensors: { 'layers.0.bias.momentum_buffer': wrong }, scalars: { iterations: 1 } });
    const error = thrown(() => stepOnce(optimizer, problem));
    expect(ShapeError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      'sgd.step: slot "layers.0.bias.momentum_buffer" has shape [3] but the parameter has shape [2]; the state does not belong to these parameters.',
    );
    tf.dispose(wrong);
    optimizer.dispose();
    problem.dispose();
  });

  it('dispose frees the slots and starts over from iteration 0', () => {
    const problem = makeProblem();
    const optimizer = rmsprop();
    stepOnce(optimizer, problem);
    optimizer.dispose();
    expect(optimizer.iterations).toBe(0);
    const state = optimizer.getState();
    expect(state).toEqual({ tensors: {}, scalars: { optimizer: 'rmsprop', iterations: 0 } });
    problem.dispose();
  });
});

describe('learningRate and getConfig', () => {
  it('learningRate is the schedule at the current iteration; getConfig returns the options given', () => {
    const problem = makeProblem();
    const options = { lr: stepDecay(0.1, 2, 0.5), momentum: 0.9 };
    const optimizer = sgd(options);
    const rates: number[] = [];
    for (let i = 0; i < 5; i++) {
      rates.push(optimizer.learningRate);
      stepOnce(optimizer, problem);
    }
    expect(rates).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(optimizer.getConfig()).toEqual(options);
    expect(adam().getConfig()).toEqual({});
    optimizer.dispose();
    problem.dispose();
  });
});
