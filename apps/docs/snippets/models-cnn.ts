import * as tf from '@tensorflow/tfjs-core';
import { LeNet5, MLPClassifier, ResNet, SimpleCNN } from '@tensorzoo/cnn';

const images = tf.zeros([8, 28, 28, 1]); // [N, H, W, C] float32 in [0, 1] (NHWC)

// #region simple-cnn
const digits = new SimpleCNN({ rng: 0 }); //                        10-way logits, 225k parameters
const binary = new SimpleCNN({ output: 'sigmoid', rng: 0 }); //    seed 003: one probability
const simpleShapes = [digits.call(images).shape, binary.call(images).shape]; // [8, 10], [8, 1]
// #endregion simple-cnn

// #region lenet
const lenet = new LeNet5({ rng: 0 }); //                                      61,706 parameters
const classic = new LeNet5({ activation: 'tanh', pooling: 'avg', rng: 0 }); // the 1998 paper's choices
const lenetShape = lenet.call(images).shape; //                             [8, 10] logits
// #endregion lenet

// #region resnet
const resnet8 = new ResNet({ rng: 0 }); //                        widths 16/32/64, one block each
const resnet14 = new ResNet({ blocks: [2, 2, 2], rng: 0 });
resnet8.eval(); //                                                BatchNorm on running statistics
const resnetShape = resnet8.call(images).shape; //              [8, 10]
// #endregion resnet

// #region mlp
const mlp = new MLPClassifier({ rng: 0 }); //                            784-2048-1024-10 (seed 001)
const small = new MLPClassifier({ hiddenSizes: [128], rng: 0 }); //    784-128-10
const mlpShape = mlp.call(images).shape; //                            [8, 10]: images are flattened
// #endregion mlp

export { simpleShapes, lenetShape, resnetShape, mlpShape, classic, resnet14, small };
