export * from './activations';
export * from './dropout';
export * from './embedding';
export * from './layer-norm';
export * from './linear';
export * from './sequential';
