// jax-js contender: the MLP and CNN workloads of workloads.mjs written as a JAX user writes
// them in jax-js (@jax-js/jax, pinned in the root package.json) on its `wasm` device: a pure
// loss function over a parameter tree, `valueAndGrad`, the SGD or Adam update, and the whole
// step under `jit` (one compiled program per step, as `jax.jit(train_step)` in Python).
// One step = forward + loss + backward + update + the loss read back, and it waits for the
// updated parameters, so no work is left pending for the next step.
//
// jax-js runs one thread in Node 20 (its wasm worker pool needs a global `Worker`), like the
// tfjs cpu and wasm backends and PyTorch's 1-thread column.
//
//   node bench/contenders/jaxjs.mjs [--only mlp-sgd,cnn-adam] [--steps 3]   # standalone check
//
// Same shapes, data and initialisation scales as workloads.mjs: inputs from its LCG,
// weights and biases U(+-1/sqrt(fan in)) as PyTorch's and TensorZoo's defaults.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialBound, uniformArray, workloadBatch } from './inputs.mjs';
import { jaxUnsupported } from './summary.mjs';

/** @type {Promise<typeof import('@jax-js/jax')> | undefined} */
let loading;

/**
 * Imports jax-js and starts its wasm device, once. Node 20 has no `navigator`, which jax-js
 * reads (the user agent, when it tunes kernels): an empty one is set first, as issue 13 says.
 */
function loadJax() {
  loading ??= (async () => {
    globalThis.navigator ??= {};
    const jax = await import('@jax-js/jax');
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) throw new Error(`jax-js: the wasm device did not start (devices: ${devices.join(', ') || 'none'})`);
    jax.defaultDevice('wasm');
    return jax;
  })();
  return loading;
}

/** The installed jax-js version, from its package.json (which its exports do not list). */
export function jaxVersion() {
  const entry = fileURLToPath(import.meta.resolve('@jax-js/jax')); // <package>/dist/index.js
  return JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')).version;
}

/**
 * Builds one jax-js training step for an MLP or CNN workload of workloads.mjs.
 * @param {import('../workloads.mjs').Workload} workload
 * @returns {Promise<{ step: () => Promise<number>, dispose: () => void, label: string }>}
 *   `step` returns the loss; `label` says what ran (e.g. the optimizer).
 */
export async function prepareJaxStep(workload) {
  const reason = jaxUnsupported(workload);
  if (reason) throw new Error(reason);
  const jax = await loadJax();
  const { numpy: np, nn, lax, jit, valueAndGrad, tree } = jax;
  const batch = workload.batchSize;
  const data = workloadBatch(workload);

  /** U(+-bound) from the LCG, as a jax array of `shape`. */
  const uniform = (shape, bound, seed) => np.array(uniformArray(shape.reduce((product, size) => product * size, 1), bound, seed), { shape });
  /** A dense layer's parameters, weight `[in, out]` (x @ W, no transpose in the forward). */
  const dense = (inFeatures, outFeatures, seed) => ({
    weight: uniform([inFeatures, outFeatures], initialBound(inFeatures), seed),
    bias: uniform([outFeatures], initialBound(inFeatures), seed + 100),
  });
  /** A convolution's parameters, weight `[out, in, kh, kw]` (lax.conv's layout), bias `[1, out, 1, 1]`. */
  const convolution = (inChannels, outChannels, size, seed) => ({
    weight: uniform([outChannels, inChannels, size, size], initialBound(inChannels * size * size), seed),
    bias: uniform([1, outChannels, 1, 1], initialBound(inChannels * size * size), seed + 100),
  });

  // Every argument is owned and used once (jax-js counts references): `.ref` where reused.
  const linear = (x, { weight, bias }) => np.matmul(x, weight).add(bias);
  const maxPool = (x) => lax.reduceWindow(x, (window) => window.max(), [2, 2], [2, 2]);
  const conv = (x, { weight, bias }) => lax.conv(x, weight, [1, 1], 'VALID').add(bias);

  let parameters;
  let forward;
  let x;
  if (workload.kind === 'mlp') {
    parameters = [dense(784, 2048, 1), dense(2048, 1024, 2), dense(1024, 10, 3)];
    forward = (layers, input) => linear(nn.relu(linear(nn.relu(linear(input, layers[0])), layers[1])), layers[2]);
    x = np.array(data.x, { shape: [batch, 784] });
  } else {
    parameters = [convolution(1, 32, 3, 1), convolution(32, 64, 3, 2), dense(1600, 128, 3), dense(128, 10, 4)];
    forward = (layers, input) => {
      const first = maxPool(nn.relu(conv(input, layers[0]))); // [N, 32, 13, 13]
      const second = maxPool(nn.relu(conv(first, layers[1]))); // [N, 64, 5, 5]
      return linear(nn.relu(linear(second.reshape([batch, 1600]), layers[2])), layers[3]);
    };
    x = np.array(data.x, { shape: [batch, 1, 28, 28] }); // NCHW
  }
  const y = np.array(data.labels, { dtype: np.int32, shape: [batch] });

  /** Mean softmax cross-entropy of integer labels, from logits. */
  const loss = (layers, input, labels) => nn.logSoftmax(forward(layers, input), -1).mul(nn.oneHot(labels, 10)).sum(-1).mean().neg();

  let state;
  let train;
  let label;
  const stepNumber = { value: 0 };
  if (workload.optimizer === 'sgd') {
    label = `SGD (lr ${workload.lr})`;
    train = jit((layers, input, labels) => {
      const [value, gradients] = valueAndGrad(loss)(tree.ref(layers), input, labels);
      return [value, tree.map((parameter, gradient) => parameter.sub(gradient.mul(workload.lr)), layers, gradients)];
    });
  } else {
    const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
    label = `Adam (lr ${workload.lr})`;
    state = { m: tree.map((parameter) => np.zerosLike(parameter.ref), parameters), v: tree.map((parameter) => np.zerosLike(parameter.ref), parameters) };
    // PyTorch's Adam: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps); the two
    // step-dependent factors come in as scalars, so one compiled program serves every step.
    train = jit((layers, moments, input, labels, stepSize, rootCorrection) => {
      const [value, gradients] = valueAndGrad(loss)(tree.ref(layers), input, labels);
      const m = tree.map((previous, gradient) => previous.mul(beta1).add(gradient.ref.mul(1 - beta1)), moments.m, gradients);
      const v = tree.map((previous, gradient) => previous.mul(beta2).add(gradient.ref.mul(gradient).mul(1 - beta2)), moments.v, gradients);
      const updated = tree.map(
        (parameter, first, second) => parameter.sub(first.ref.mul(stepSize.ref).div(np.sqrt(second.ref).mul(rootCorrection.ref).add(epsilon))),
        layers,
        m,
        v,
      );
      stepSize.dispose();
      rootCorrection.dispose();
      return [value, updated, { m, v }];
    });
  }

  return {
    label,
    step: async () => {
      let value;
      if (state === undefined) {
        [value, parameters] = train(parameters, x.ref, y.ref);
      } else {
        stepNumber.value += 1;
        const t = stepNumber.value;
        const stepSize = np.array(workload.lr / (1 - 0.9 ** t));
        const rootCorrection = np.array(1 / Math.sqrt(1 - 0.999 ** t));
        [value, parameters, state] = train(parameters, state, x.ref, y.ref, stepSize, rootCorrection);
      }
      const result = (await value.data())[0];
      await jax.blockUntilReady([parameters, state ?? []]);
      return result;
    },
    dispose: () => {
      tree.dispose([parameters, state ?? [], x, y]);
      train.dispose();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { WORKLOADS } = await import('../workloads.mjs');
  const { summarize } = await import('../timing.mjs');
  const { performance } = await import('node:perf_hooks');
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
  const only = option('only')?.split(',');
  const steps = Number(option('steps', 3));
  for (const workload of WORKLOADS.filter((each) => !jaxUnsupported(each) && (!only || only.includes(each.name)))) {
    const prepared = await prepareJaxStep(workload);
    const first = await prepared.step();
    const times = [];
    let last = first;
    for (let index = 0; index < steps; index++) {
      const started = performance.now();
      last = await prepared.step();
      times.push(performance.now() - started);
    }
    prepared.dispose();
    const { medianMs } = summarize(times);
    process.stdout.write(`${workload.name} (${prepared.label}): ${medianMs.toFixed(1)} ms median of ${steps}; loss ${first.toFixed(4)} -> ${last.toFixed(4)}\n`);
  }
}
