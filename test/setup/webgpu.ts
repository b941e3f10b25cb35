import { setBackend } from '@tensorzoo/core';

// Node: Dawn (`webgpu` package) on SwiftShader; browser: Chromium's SwiftShader adapter.
await setBackend('webgpu', { allowFallbackAdapter: true });
