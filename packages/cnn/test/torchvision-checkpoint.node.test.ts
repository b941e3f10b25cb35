// A real torchvision state_dict (mobilenet_v2, width 0.1, 5 classes; written by
// scripts/reference/torchvision_models.py as safetensors, int64 num_batches_tracked included)
// loads strictly with loadCheckpoint - no renaming - and gives torchvision's logits.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CheckpointError, loadCheckpoint } from '@tensorzoo/core';
import { mobilenetV2, resnet18 } from '../src/index';
import tiny from '../fixtures/torchvision-mobilenet_v2-tiny.json';
import { deterministicInput } from './deterministic-weights';
import { expectClose } from '@tensorzoo/core/testing';

const file = fileURLToPath(new URL('../fixtures/torchvision-mobilenet_v2-tiny.safetensors', import.meta.url));

describe('torchvision checkpoint', () => {
  it('loads strictly into mobilenetV2 and reproduces torchvision eval logits', async () => {
    const model = mobilenetV2(tiny.config);
    await loadCheckpoint(file, model);
    const variables = Object.fromEntries(model.namedVariables());
    // torchvision counted one training batch; the int64 buffer arrives as int32.
    expect(variables['features.0.1.num_batches_tracked'].dtype).toBe('int32');
    expect(Array.from(await variables['features.0.1.num_batches_tracked'].data())).toEqual([1]);
    const input = deterministicInput(tiny.input_shape as [number, number, number, number]);
    const logits = model.eval().call(input);
    expect(logits.shape).toEqual(tiny.logits.shape);
    const worst = await expectClose(logits, tiny.logits, { tolerance: 1e-4, label: 'logits' });
    console.log(`torchvision mobilenet_v2 (width 0.1) checkpoint: max |logit error| ${worst.toExponential(2)}`);
    tf.dispose([input, logits]);
    model.dispose();
  });

  it('rejects it, naming the file and the mismatched names, for another architecture', async () => {
    const model = resnet18({ numClasses: 5 });
    const loading = loadCheckpoint(file, model);
    await expect(loading).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(file, model)).rejects.toThrow(/torchvision-mobilenet_v2-tiny\.safetensors: .*Missing: "?conv1\.weight/);
    model.dispose();
  });
});
