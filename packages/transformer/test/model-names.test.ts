// Every exported Module class keeps its name when minified, and transformerModels can rebuild each model
// with loadModel (each model's save -> load round trip runs in the conformance suite).
import { describeModuleNames } from '@tensorzoo/core/testing';
import * as transformer from '../src/index';

describeModuleNames('@tensorzoo/transformer', transformer, transformer.transformerModels);
