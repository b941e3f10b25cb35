#!/usr/bin/env python3
"""Reference values and gradients for @tensorzoo/losses, computed by PyTorch in float64.

Run with Debian's Python, which has python3-torch (the `python3` on PATH may not):

    /usr/bin/python3 scripts/reference/losses.py

It writes packages/losses/fixtures/losses.json, which test/parity.test.ts reads. Inputs are
drawn with a fixed seed, then rounded to float32 so that the float32 tensors the tests build
hold exactly these numbers; values and gradients are computed in float64 from them.

Conventions matched here (see the TSDoc of each loss):
- per-sample loss = element-wise loss averaged over the last axis (regression, BCE, log
  loss, hinge) or summed over it (cross-entropy, KL) or a function of it (cosine);
- 'mean' = mean of per-sample losses (equals PyTorch's 'mean' for the element-wise losses,
  'batchmean' for KL), 'sum' = sum of per-sample losses, 'none' = the per-sample losses;
- the gradient is with respect to yPred; for 'none' it is the vector-Jacobian product with
  the case's `upstream` tensor (tf.grad's `dy`).
"""
import json
import math
import re

import torch
import torch.nn.functional as F

import common
from common import DTYPE, fixtures_dir, to_float32

SEED = 20261128
OUTPUT = fixtures_dir('losses') / 'losses.json'

generator = torch.Generator().manual_seed(SEED)


def randn(*shape, scale=1.0):
    return common.randn(*shape, scale=scale, generator=generator)


def encode(tensor):
    """A tensor as {shape, data} (row-major, full precision), the format the tests read."""
    return common.encode(tensor, digits=None)


def rand(*shape, low=0.0, high=1.0):
    return to_float32(low + (high - low) * torch.rand(*shape, generator=generator, dtype=DTYPE))


def randint(high, *shape):
    return torch.randint(0, high, shape, generator=generator)


def encode_labels(tensor):
    return {'shape': list(tensor.shape), 'data': [int(x) for x in tensor.reshape(-1).tolist()], 'dtype': 'int32'}


# ---------------------------------------------------------------------------------------
# Inputs. Each set keeps a margin from the points where a loss has a kink (|e| = 0 for MAE,
# |e| = delta for Huber, y*yhat = 1 for hinge), so the gradient there is unambiguous.
# ---------------------------------------------------------------------------------------
def regression_inputs():
    while True:
        y_true, y_pred = randn(5, 3), randn(5, 3)
        error = (y_pred - y_true).abs()
        if error.min() > 1e-2 and (error - 1.0).abs().min() > 1e-2 and (error - 0.5).abs().min() > 1e-2:
            return y_true, y_pred


def hinge_inputs():
    while True:
        signs = randint(2, 5, 3).to(DTYPE) * 2 - 1
        y_pred = randn(5, 3, scale=1.5)
        if (1 - signs * y_pred).abs().min() > 1e-2:
            return signs, y_pred


inputs = {}
inputs['regression'] = dict(zip(('yTrue', 'yPred'), regression_inputs()))
inputs['regressionRank1'] = {'yTrue': randn(6), 'yPred': randn(6)}
binary_labels = randint(2, 5, 3).to(DTYPE)
inputs['binaryProbabilities'] = {'yTrue': binary_labels, 'yPred': to_float32(torch.sigmoid(randn(5, 3, scale=2)))}
inputs['binaryLogits'] = {'yTrue': binary_labels, 'yPred': randn(5, 3, scale=3)}
inputs['binarySoftTargets'] = {'yTrue': rand(5, 3), 'yPred': to_float32(torch.sigmoid(randn(5, 3, scale=2)))}
# Exact 0 and 1 probabilities: PyTorch clamps log to -100 and its backward divides by
# max(p (1 - p), 1e-12). Logits with an exact 0 check the gradient there (0.5 - y).
inputs['binarySaturated'] = {
    'yTrue': torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype=DTYPE),
    'yPred': torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.5, 0.25]], dtype=DTYPE),
}
inputs['binaryZeroLogits'] = {
    'yTrue': torch.tensor([[1.0, 0.0, 0.3]], dtype=DTYPE),
    'yPred': torch.tensor([[0.0, 0.0, 0.0]], dtype=DTYPE),
}
labels = randint(4, 5)
logits = randn(5, 4, scale=2)
inputs['categoricalLogits'] = {'yTrue': F.one_hot(labels, 4).to(DTYPE), 'yPred': logits}
inputs['categoricalProbabilities'] = {'yTrue': F.one_hot(labels, 4).to(DTYPE), 'yPred': to_float32(torch.softmax(logits, -1))}
inputs['categoricalSoftTargets'] = {'yTrue': to_float32(torch.softmax(randn(5, 4), -1)), 'yPred': randn(5, 4, scale=2)}
inputs['sparseLogits'] = {'yTrue': labels, 'yPred': logits}
inputs['sparseProbabilities'] = {'yTrue': labels, 'yPred': to_float32(torch.softmax(logits, -1))}
inputs['sparseSequenceLogits'] = {'yTrue': randint(4, 2, 3), 'yPred': randn(2, 3, 4, scale=2)}
inputs['divergence'] = {'yTrue': to_float32(torch.softmax(randn(5, 4), -1)), 'yPred': to_float32(torch.softmax(randn(5, 4), -1))}
inputs['divergenceZeroTarget'] = {
    'yTrue': torch.tensor([[0.0, 0.25, 0.75], [0.5, 0.5, 0.0]], dtype=DTYPE),
    'yPred': torch.tensor([[0.2, 0.3, 0.5], [0.125, 0.625, 0.25]], dtype=DTYPE),
}
inputs['hinge'] = dict(zip(('yTrue', 'yPred'), hinge_inputs()))
inputs['hingeBinaryLabels'] = {'yTrue': (inputs['hinge']['yTrue'] + 1) / 2, 'yPred': inputs['hinge']['yPred']}
inputs['cosine'] = {'yTrue': randn(5, 4), 'yPred': randn(5, 4)}


# ---------------------------------------------------------------------------------------
# PyTorch definitions. Each returns (per-sample losses, PyTorch's own 'mean' or None).
# ---------------------------------------------------------------------------------------
def regression(torch_loss):
    def per_sample(y_true, y_pred, options):
        elementwise = torch_loss(y_pred, y_true, reduction='none', **options)
        per = elementwise if elementwise.dim() == 1 else elementwise.mean(-1)
        return per, torch_loss(y_pred, y_true, reduction='mean', **options)
    return per_sample


def huber(y_pred, y_true, reduction, delta=1.0):
    return F.huber_loss(y_pred, y_true, reduction=reduction, delta=delta)


def binary_cross_entropy(y_true, y_pred, options):
    if options.get('fromLogits'):
        return (F.binary_cross_entropy_with_logits(y_pred, y_true, reduction='none').mean(-1),
                F.binary_cross_entropy_with_logits(y_pred, y_true))
    return F.binary_cross_entropy(y_pred, y_true, reduction='none').mean(-1), F.binary_cross_entropy(y_pred, y_true)


def log_loss(y_true, y_pred, options):
    # tf.losses.logLoss: -y log(p + eps) - (1 - y) log(1 - p + eps).
    epsilon = options.get('epsilon', 1e-7)
    elementwise = -y_true * torch.log(y_pred + epsilon) - (1 - y_true) * torch.log(1 - y_pred + epsilon)
    return elementwise.mean(-1), None


def categorical_cross_entropy(y_true, y_pred, options):
    smoothing = options.get('labelSmoothing', 0.0)
    if options.get('fromLogits'):
        # nn.CrossEntropyLoss with probability targets and label_smoothing; class axis last
        # here, second in PyTorch.
        moved = y_pred.movedim(-1, 1) if y_pred.dim() > 2 else y_pred
        target = y_true.movedim(-1, 1) if y_true.dim() > 2 else y_true
        return (F.cross_entropy(moved, target, reduction='none', label_smoothing=smoothing),
                F.cross_entropy(moved, target, label_smoothing=smoothing))
    classes = y_pred.shape[-1]
    target = y_true * (1 - smoothing) + smoothing / classes
    return -(target * torch.log(y_pred)).sum(-1), None


def sparse_categorical_cross_entropy(labels, y_pred, options):
    smoothing = options.get('labelSmoothing', 0.0)
    if options.get('fromLogits'):
        moved = y_pred.movedim(-1, 1) if y_pred.dim() > 2 else y_pred
        return (F.cross_entropy(moved, labels, reduction='none', label_smoothing=smoothing),
                F.cross_entropy(moved, labels, label_smoothing=smoothing))
    # NLLLoss on log p, with PyTorch's label-smoothing formula written out.
    log_p = torch.log(y_pred)
    nll = F.nll_loss(log_p.movedim(-1, 1) if log_p.dim() > 2 else log_p, labels, reduction='none')
    classes = y_pred.shape[-1]
    return (1 - smoothing) * nll - smoothing / classes * log_p.sum(-1), None


def kl_divergence(p, q, options):
    per = F.kl_div(q.log(), p, reduction='none').sum(-1)
    return per, F.kl_div(q.log(), p, reduction='batchmean')


def hinge(y_true, y_pred, options):
    signed = y_true * 2 - 1 if bool(((y_true == 0) | (y_true == 1)).all()) else y_true
    return torch.clamp(1 - signed * y_pred, min=0).mean(-1), None


def cosine(y_true, y_pred, options):
    ones = torch.ones(y_true.shape[0], dtype=DTYPE)
    return (F.cosine_embedding_loss(y_true, y_pred, ones, reduction='none'),
            F.cosine_embedding_loss(y_true, y_pred, ones))


REFERENCES = {
    'meanSquaredError': regression(F.mse_loss),
    'meanAbsoluteError': regression(F.l1_loss),
    'huberLoss': regression(huber),
    'binaryCrossEntropy': binary_cross_entropy,
    'logLoss': log_loss,
    'categoricalCrossEntropy': categorical_cross_entropy,
    'sparseCategoricalCrossEntropy': sparse_categorical_cross_entropy,
    'klDivergence': kl_divergence,
    'hingeLoss': hinge,
    'cosineSimilarityLoss': cosine,
}

cases = []


def add_case(loss, input_name, options=None, reductions=('mean', 'sum', 'none')):
    options = options or {}
    for reduction in reductions:
        y_true = inputs[input_name]['yTrue']
        y_pred = inputs[input_name]['yPred'].clone().requires_grad_(True)
        per_sample, torch_mean = REFERENCES[loss](y_true, y_pred, options)
        case = {'loss': loss, 'inputs': input_name, 'options': {**options, 'reduction': reduction}}
        if reduction == 'none':
            value = per_sample
            upstream = rand(*per_sample.shape, low=0.5, high=1.5)
            value.backward(upstream)
            case['upstream'] = encode(upstream)
        else:
            value = per_sample.mean() if reduction == 'mean' else per_sample.sum()
            if reduction == 'mean' and torch_mean is not None:
                # Our 'mean' is PyTorch's own reduction; check before trusting either.
                assert torch.allclose(value, torch_mean, rtol=1e-12, atol=1e-12), (loss, input_name, options)
            value.backward()
        case['value'] = encode(value)
        case['gradient'] = encode(y_pred.grad)
        cases.append(case)


add_case('meanSquaredError', 'regression')
add_case('meanSquaredError', 'regressionRank1', reductions=('mean', 'none'))
add_case('meanAbsoluteError', 'regression')
add_case('huberLoss', 'regression')
add_case('huberLoss', 'regression', {'delta': 0.5}, reductions=('mean', 'none'))
add_case('binaryCrossEntropy', 'binaryProbabilities')
add_case('binaryCrossEntropy', 'binarySoftTargets', reductions=('mean',))
add_case('binaryCrossEntropy', 'binarySaturated', reductions=('mean', 'none'))
add_case('binaryCrossEntropy', 'binaryLogits', {'fromLogits': True})
add_case('binaryCrossEntropy', 'binarySoftTargets', {'fromLogits': True}, reductions=('mean',))
add_case('binaryCrossEntropy', 'binaryZeroLogits', {'fromLogits': True}, reductions=('sum',))
add_case('logLoss', 'binaryProbabilities')
add_case('logLoss', 'binaryProbabilities', {'epsilon': 1e-3}, reductions=('mean',))
add_case('categoricalCrossEntropy', 'categoricalLogits', {'fromLogits': True})
add_case('categoricalCrossEntropy', 'categoricalLogits', {'fromLogits': True, 'labelSmoothing': 0.1}, reductions=('mean', 'none'))
add_case('categoricalCrossEntropy', 'categoricalSoftTargets', {'fromLogits': True}, reductions=('mean',))
add_case('categoricalCrossEntropy', 'categoricalProbabilities', {}, reductions=('mean', 'none'))
add_case('categoricalCrossEntropy', 'categoricalProbabilities', {'labelSmoothing': 0.2}, reductions=('sum',))
add_case('sparseCategoricalCrossEntropy', 'sparseLogits', {'fromLogits': True})
add_case('sparseCategoricalCrossEntropy', 'sparseLogits', {'fromLogits': True, 'labelSmoothing': 0.1}, reductions=('mean', 'none'))
add_case('sparseCategoricalCrossEntropy', 'sparseProbabilities', {}, reductions=('mean',))
add_case('sparseCategoricalCrossEntropy', 'sparseProbabilities', {'labelSmoothing': 0.2}, reductions=('none',))
add_case('sparseCategoricalCrossEntropy', 'sparseSequenceLogits', {'fromLogits': True}, reductions=('mean', 'none'))
add_case('klDivergence', 'divergence')
add_case('klDivergence', 'divergenceZeroTarget', reductions=('mean',))
add_case('hingeLoss', 'hinge')
add_case('hingeLoss', 'hingeBinaryLabels', reductions=('mean',))
add_case('cosineSimilarityLoss', 'cosine')

# Sparse and one-hot cross-entropy must agree; so must {0,1} and {-1,1} hinge targets.
assert math.isclose(
    next(c for c in cases if c['loss'] == 'hingeLoss' and c['inputs'] == 'hingeBinaryLabels')['value']['data'][0],
    next(c for c in cases if c['loss'] == 'hingeLoss' and c['inputs'] == 'hinge' and c['options']['reduction'] == 'mean')['value']['data'][0],
    rel_tol=1e-15,
)


# ---------------------------------------------------------------------------------------
# Weight penalties: l1 Σ|w|, l2 Σw², and MSE + both (withWeightPenalty).
# ---------------------------------------------------------------------------------------
weights = [randn(3, 2), randn(4)]
penalties = []
for kind, strength in (('l1Penalty', 0.1), ('l2Penalty', 0.01)):
    leaves = [w.clone().requires_grad_(True) for w in weights]
    total = sum((w.abs() if kind == 'l1Penalty' else w.square()).sum() for w in leaves) * strength
    total.backward()
    penalties.append({'penalty': kind, 'lambda': strength, 'value': encode(total), 'gradients': [encode(w.grad) for w in leaves]})

leaves = [w.clone().requires_grad_(True) for w in weights]
y_pred = inputs['regression']['yPred'].clone().requires_grad_(True)
l1, l2 = 0.05, 0.02
total = F.mse_loss(y_pred, inputs['regression']['yTrue']) + l1 * sum(w.abs().sum() for w in leaves) + l2 * sum(w.square().sum() for w in leaves)
total.backward()
weight_penalty = {
    'loss': 'meanSquaredError', 'inputs': 'regression', 'options': {'l1': l1, 'l2': l2},
    'value': encode(total), 'gradient': encode(y_pred.grad), 'weightGradients': [encode(w.grad) for w in leaves],
}


# ---------------------------------------------------------------------------------------
# Worked examples of the seed articles, recomputed. `article` is the number printed there.
# ---------------------------------------------------------------------------------------
def tensor(values):
    return torch.tensor(values, dtype=DTYPE)


seed_mse_true = tensor([2, 4, 6, 8, 10, 12, 14, 16, 18, 20])
seed_mse_pred = tensor([2.5, 4.2, 6.1, 7.9, 10.3, 12.1, 14.2, 15.8, 17.4, 19.6])
seed_bce_true, seed_bce_pred = tensor([1, 0, 1, 0]), tensor([0.8, 0.2, 0.6, 0.4])
seed_log_true, seed_log_pred = tensor([1, 0, 1, 0, 1]), tensor([0.7, 0.3, 0.9, 0.1, 0.8])
seed_examples = [
    {'article': '000', 'section': '2.4.1 MSE', 'formula': 'mean (y - yhat)^2', 'loss': 'meanSquaredError',
     'reduction': 'mean', 'scale': 1, 'yTrue': encode(seed_mse_true), 'yPred': encode(seed_mse_pred),
     'articleValue': 0.104, 'value': F.mse_loss(seed_mse_pred, seed_mse_true).item()},
    {'article': '000', 'section': '2.4.1 cross-entropy', 'formula': '-[y log p + (1 - y) log(1 - p)], mean over 4 samples',
     'loss': 'binaryCrossEntropy', 'reduction': 'mean', 'scale': 1,
     'yTrue': encode(seed_bce_true), 'yPred': encode(seed_bce_pred),
     'articleValue': -0.8327, 'value': F.binary_cross_entropy(seed_bce_pred, seed_bce_true).item()},
    {'article': '000', 'section': '2.4.1 log loss', 'formula': '-sum y log p (one row, probabilities as given)',
     'loss': 'categoricalCrossEntropy', 'reduction': 'sum', 'scale': 1,
     'yTrue': encode(seed_log_true.unsqueeze(0)), 'yPred': encode(seed_log_pred.unsqueeze(0)),
     'articleValue': -0.4792, 'value': -(seed_log_true * seed_log_pred.log()).sum().item()},
    {'article': '003', 'section': '4.1.1 MSE', 'formula': '1/2 sum (yhat - y)^2', 'loss': 'meanSquaredError',
     'reduction': 'sum', 'scale': 0.5, 'yTrue': encode(tensor([2, 3, 5])), 'yPred': encode(tensor([1, 2.5, 4])),
     'articleValue': 0.5, 'value': 0.5 * ((tensor([1, 2.5, 4]) - tensor([2, 3, 5])) ** 2).sum().item()},
    {'article': '003', 'section': '4.1.2 cross-entropy', 'formula': '-sum y log p (one row, probabilities as given)',
     'loss': 'categoricalCrossEntropy', 'reduction': 'sum', 'scale': 1,
     'yTrue': encode(tensor([[0, 1, 1]])), 'yPred': encode(tensor([[0.2, 0.8, 0.9]])),
     'articleValue': 0.3567, 'value': -(tensor([0, 1, 1]) * tensor([0.2, 0.8, 0.9]).log()).sum().item()},
]

fixture = {
    'generator': 'scripts/reference/losses.py',
    'torch': torch.__version__,
    'dtype': 'float64 (inputs rounded to float32)',
    'seed': SEED,
    'inputs': {
        name: {key: (encode_labels(value) if value.dtype == torch.int64 else encode(value)) for key, value in pair.items()}
        for name, pair in inputs.items()
    },
    'cases': cases,
    'weights': [encode(w) for w in weights],
    'penalties': penalties,
    'weightPenalty': weight_penalty,
    'seedExamples': seed_examples,
}

# One line per number array keeps the file short and its diffs readable.
text = json.dumps(fixture, indent=1)
text = re.sub(r'\[\s*([-0-9.e,\s]+?)\s*\]', lambda match: '[' + ', '.join(match.group(1).split()).replace(',,', ',') + ']', text)
OUTPUT.parent.mkdir(parents=True, exist_ok=True)
OUTPUT.write_text(text + '\n')
print(f'wrote {OUTPUT.relative_to(OUTPUT.parents[3])}: {len(cases)} cases, {len(penalties)} penalties, '
      f'{len(seed_examples)} seed examples')
