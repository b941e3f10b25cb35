import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '@tensorzoo/core';

// Node: Dawn (`webgpu` package) on SwiftShader, loaded by setBackend itself. Browser: Chromium's
// SwiftShader adapter; as in any bundled app, the backend package is imported by the app
// (bundlers only include what the app imports) and setBackend finds it registered.
if (typeof window !== 'undefined') await import('@tensorflow/tfjs-backend-webgpu');
await setBackend('webgpu', { allowFallbackAdapter: true });
// tfjs-webgpu runs ops on small CPU-resident tensors (< 1000 elements) on the CPU; the test
// tensors are small, so without this the WebGPU shaders would go untested.
tf.env().set('WEBGPU_CPU_FORWARD', false);
