/**
 * TensorZoo's test kit (`@tensorzoo/core/testing`, for Vitest test files): what every
 * package's tests share, so a new model's tests are a few calls.
 *
 * - {@link describeModuleConformance} / {@link describeModuleNames}: the conformance suite
 *   every module passes (shape, cross-backend forward, gradients, save/load, no leaks,
 *   overfit, config round trip).
 * - {@link expectClose}: the one tolerance policy, `|actual - expected| <= atol + rtol * |expected|`
 *   (default 1e-5 each; at least 1e-4 on backends other than `cpu`), with
 *   {@link reportMaxErrors} for the parity tests' record of the largest errors.
 * - {@link readFixture}, {@link fixtureTensor}, {@link stateDictTensors}, {@link loadTorchState}:
 *   the one fixture schema `{ shape, data }` written by `scripts/reference/*.py`.
 * - {@link expectNoLeak}, {@link thrown}, {@link expectArgumentError}: small assertions.
 *
 * @example
 * ```ts
 * import { expectClose, loadTorchState, readFixture, fixtureTensor } from '@tensorzoo/core/testing';
 * import json from '../fixtures/mlp.json';
 * const fixture = readFixture('mlp.json', json);
 * loadTorchState(model, fixture.state_dict);
 * await expectClose(model.call(fixtureTensor(fixture.input)), fixture.output, { label: 'output' });
 * ```
 * @packageDocumentation
 */
export { describeModuleConformance, describeModuleNames, type ConformanceOptions } from './conformance';
export {
  DEFAULT_TOLERANCE,
  NON_CPU_TOLERANCE_FLOOR,
  closeTolerance,
  expectArgumentError,
  expectClose,
  expectNoLeak,
  maxErrors,
  reportMaxErrors,
  thrown,
  type CloseOptions,
} from './compare';
export { fixtureTensor, loadTorchState, readFixture, stateDictTensors, type FixtureTensor } from './fixtures';
