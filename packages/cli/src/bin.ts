#!/usr/bin/env node
import * as tf from '@tensorflow/tfjs-core';
import { interruptReason, main } from './cli';

// Quiet TensorFlow: libtensorflow's C++ start-up banner (tfjs-node) and tfjs's own notices,
// e.g. "looks like you are running TensorFlow.js in Node.js", which would break the progress bar.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
tf.enableProdMode();

// Ctrl-C (SIGINT) or SIGTERM: the current step finishes, the last finished epoch is saved and
// the process exits with 130 / 143. A second signal kills the process at once (a half-written
// temp file of the checkpoint is then removed by the next save).
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort(interruptReason(signal)));

void main(process.argv, undefined, { signal: controller.signal }).then((code) => {
  process.exitCode = code;
});
