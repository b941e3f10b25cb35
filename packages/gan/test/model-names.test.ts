// Every exported Module class keeps its name when minified, and ganModels can rebuild each model
// with loadModel (each model's save -> load round trip runs in the conformance suite).
import { describeModuleNames } from '@tensorzoo/core/testing';
import * as gan from '../src/index';

describeModuleNames('@tensorzoo/gan', gan, gan.ganModels);
