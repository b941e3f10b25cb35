"""The round-trip cases shared by write_fixtures.py, test_roundtrip.py and bridge.node.test.ts:
one small config per zoo model, and its input (images channels-last, as TypeScript takes them);
``'output': 'image'`` marks image outputs (compared channels-last)."""
import torch

CASES = {
    'gpt': {'name': 'GPT', 'config': {'vocabSize': 11, 'contextLength': 8, 'dModel': 16, 'numHeads': 4, 'numLayers': 2,
                                      'initStd': 0.3},
            'input': {'shape': [2, 6], 'dtype': 'int32'}},
    'gpt-untied-tanh': {'name': 'GPT', 'config': {'vocabSize': 13, 'contextLength': 8, 'dModel': 8, 'numHeads': 2,
                                                  'numLayers': 1, 'dimFeedforward': 24, 'tieWeights': False,
                                                  'activation': 'gelu-tanh', 'initStd': 0.3},
                        'input': {'shape': [2, 5], 'dtype': 'int32'}},
    'simple-cnn': {'name': 'SimpleCNN', 'config': {'inputShape': [12, 12, 1], 'channels': [4, 8], 'hidden': 16,
                                                   'numClasses': 3},
                   'input': {'shape': [2, 12, 12, 1], 'dtype': 'float32'}},
    'lenet5': {'name': 'LeNet5', 'config': {'channels': [2, 4], 'hidden': [8, 6], 'numClasses': 3, 'activation': 'tanh'},
               'input': {'shape': [1, 28, 28, 1], 'dtype': 'float32'}},
    'mlp': {'name': 'MLPClassifier', 'config': {'inputSize': 12, 'hiddenSizes': [8], 'numClasses': 3},
            'input': {'shape': [2, 12], 'dtype': 'float32'}},
    'resnet': {'name': 'ResNet', 'config': {'inputChannels': 1, 'widths': [4, 8], 'blocks': [1, 1], 'numClasses': 3},
               'input': {'shape': [2, 8, 8, 1], 'dtype': 'float32'}},
    'vae': {'name': 'VAE', 'config': {'imageShape': [4, 4, 1], 'hiddenDims': [6, 5], 'latentDim': 3},
            'input': {'shape': [2, 4, 4, 1], 'dtype': 'float32'}, 'output': 'image'},
    'conv-vae': {'name': 'ConvVAE', 'config': {'inChannels': 1, 'imageSize': 8, 'channels': [2, 3], 'latentDim': 3},
                 'input': {'shape': [2, 8, 8, 1], 'dtype': 'float32'}, 'output': 'image'},
    'dcgan-generator': {'name': 'DCGANGenerator', 'config': {'latentDim': 4, 'channels': [4, 3], 'outChannels': 1,
                                                            'imageSize': 8, 'kernelSize': 4, 'batchNorm': True},
                        'input': {'shape': [2, 4], 'dtype': 'float32'}, 'output': 'image'},
    'dcgan-discriminator': {'name': 'DCGANDiscriminator',
                            'config': {'inChannels': 2, 'imageSize': 8, 'channels': [3, 4], 'kernelSize': 3, 'stride': 2,
                                       'outputActivation': 'none'},
                            'input': {'shape': [2, 8, 8, 2], 'dtype': 'float32'}},
    # one id matrix: the first `split` columns are the source, the rest the target
    'seq2seq': {'name': 'Seq2SeqTransformer',
                'config': {'sourceVocabSize': 9, 'targetVocabSize': 7, 'dModel': 8, 'numHeads': 2, 'numEncoderLayers': 1,
                           'numDecoderLayers': 1, 'dimFeedforward': 16, 'dropout': 0},
                'input': {'shape': [2, 9], 'dtype': 'int32', 'split': 5}},
}


def id_limit(config):
    """Ids below this are valid inputs: the vocabulary (the smaller one for a sequence-to-sequence model)."""
    return config.get('vocabSize') or min(config['sourceVocabSize'], config['targetVocabSize'])


def model_output(case, output):
    """The output TypeScript compares: a VAE's reconstruction (its first output), images channels-last."""
    if isinstance(output, tuple):
        output = output[0]
    return output.permute(0, 2, 3, 1) if case.get('output') == 'image' else output


def model_input(case, values):
    """The torch input for a case from its row-major values: long ids ((source, target) when split), or images
    permuted to [N, C, H, W]. Call ``model(*inputs)`` when it is a tuple."""
    shape = case['input']['shape']
    if case['input']['dtype'] == 'int32':
        ids = torch.tensor(values, dtype=torch.long).reshape(shape)
        split = case['input'].get('split')
        return (ids[:, :split], ids[:, split:]) if split else ids
    tensor = torch.tensor(values, dtype=torch.float64).reshape(shape)
    return tensor.permute(0, 3, 1, 2) if len(shape) == 4 else tensor
