// Every exported Module class keeps its name when minified, and attentionModels can rebuild each model
// with loadModel (each model's save -> load round trip runs in the conformance suite).
import { describeModuleNames } from '@tensorzoo/core/testing';
import * as attention from '../src/index';

describeModuleNames('@tensorzoo/attention', attention, attention.attentionModels);
