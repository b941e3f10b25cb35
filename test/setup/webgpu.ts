import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '@tensorzoo/core';

// Node: Dawn (`webgpu` package) on SwiftShader; browser: Chromium's SwiftShader adapter.
await setBackend('webgpu', { allowFallbackAdapter: true });
// tfjs-webgpu runs ops on small CPU-resident tensors (< 1000 elements) on the CPU; the test
// tensors are small, so without this the WebGPU shaders would go untested.
tf.env().set('WEBGPU_CPU_FORWARD', false);
