import './register-gradients';

export * from './errors';
export * from './types';
export * from './backend';
export * from './rng';
