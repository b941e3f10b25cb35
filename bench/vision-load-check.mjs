// Manual strict-load check of a full-size torchvision checkpoint (not a test: the file is
// 45-100 MB and needs Python to make). First:
//   /usr/bin/python3 scripts/reference/torchvision_full_checkpoint.py /tmp resnet18
// then: node bench/vision-load-check.mjs [/tmp] [resnet18|resnet34|resnet50|mobilenet_v2]
// Loads <dir>/<model>.safetensors with loadCheckpoint (strict), runs the same input in eval
// mode and prints the largest logit difference to torchvision's float32 logits and both top-5s.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

async function importBuilt(name) {
  const entry = new URL(`../packages/${name}/dist/index.js`, import.meta.url);
  if (!existsSync(entry)) throw new Error(`bench: ${fileURLToPath(entry)} is missing; build @tensorzoo/${name} first.`);
  return import(entry.href);
}
const { loadCheckpoint, setBackend } = await importBuilt('core');
const cnn = await importBuilt('cnn');

const directory = process.argv[2] ?? '/tmp';
const name = process.argv[3] ?? 'resnet18';
const factories = { resnet18: cnn.resnet18, resnet34: cnn.resnet34, resnet50: cnn.resnet50, mobilenet_v2: cnn.mobilenetV2 };
await setBackend(process.env.BACKEND ?? 'cpu');
const model = factories[name]();
const started = Date.now();
await loadCheckpoint(`${directory}/${name}.safetensors`, model);
const loadMs = Date.now() - started;
const reference = JSON.parse(readFileSync(`${directory}/${name}.json`, 'utf8'));
const values = Float32Array.from({ length: 3 * 224 * 224 }, (_, index) => 1.5 * Math.sin(0.05 * index + 0.3));
const input = tf.tidy(() => tf.transpose(tf.tensor4d(values, [1, 3, 224, 224]), [0, 2, 3, 1]));
const logits = model.eval().call(input);
const actual = await logits.data();
let worst = 0;
actual.forEach((value, index) => (worst = Math.max(worst, Math.abs(value - reference.logits[index]))));
const [top5] = await cnn.topK(logits, 5);
console.log(
  JSON.stringify({
    model: name,
    backend: tf.getBackend(),
    variables: model.namedVariables().length,
    loadMs,
    maxLogitError: worst,
    top5: top5.map(({ index }) => index),
    torchTop5: reference.top5,
  }),
);
