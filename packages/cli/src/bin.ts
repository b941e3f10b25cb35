#!/usr/bin/env node
import * as tf from '@tensorflow/tfjs-core';
import { main } from './cli';

// Quiet TensorFlow: libtensorflow's C++ start-up banner (tfjs-node) and tfjs's own notices,
// e.g. "looks like you are running TensorFlow.js in Node.js", which would break the progress bar.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
tf.enableProdMode();

// Ctrl-C stops training at the next step; a second Ctrl-C kills the process.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted (SIGINT)')));

void main(process.argv, undefined, { signal: controller.signal }).then((code) => {
  process.exitCode = code;
});
