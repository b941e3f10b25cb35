#!/usr/bin/env python3
"""Reference values and gradients for @tensorzoo/attention, computed by PyTorch in float64.

Run with Debian's Python (python3-torch 1.13):

    /usr/bin/python3 scripts/reference/attention.py

Writes packages/attention/fixtures/attention.json, read by packages/attention/test/parity.test.ts.

- `sdpa`: scaled dot-product attention written out by hand (torch 1.13 has no
  F.scaled_dot_product_attention): softmax(q k^T / sqrt(D) + mask) v, with no mask, causal
  (bottom-right aligned, also for fewer queries than keys), a boolean mask (True = attend,
  the SDPA convention), an additive float mask, and the [B, T, D] layout. Each case records
  the output and the gradients of sum(output * upstream) with respect to q, k and v.
- `mha_*`: torch.nn.MultiheadAttention (batch_first=True) with random weights: its
  state_dict, the output, the attention weights (averaged and per head), and the gradients
  of sum(output * upstream) for every parameter and the query. Self-attention (packed
  in_proj_weight) without masks and with key padding + causal masks; cross-attention with
  packed weights (kdim = vdim = E) and with separate q/k/v_proj_weight (kdim 12, vdim 10).
- `rope`, `sinusoidal`: positional encodings from their formulas.

Inputs and weights are rounded to float32 first so that the float32 tensors of the tests
hold exactly the numbers torch used.
"""
import math

import torch
from torch import nn

from common import DTYPE, encode, fixtures_dir, randn, randomize, write_json

OUTPUT = fixtures_dir('attention') / 'attention.json'
torch.manual_seed(20261128)


def causal_allowed(queries, keys):
    """True where query i (at position i + keys - queries) may attend key j."""
    shift = keys - queries
    return torch.arange(keys)[None, :] <= torch.arange(queries)[:, None] + shift


def sdpa(q, k, v, mask=None, causal=False):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        scores = scores.masked_fill(~causal_allowed(q.shape[-2], k.shape[-2]), float('-inf'))
    if mask is not None:
        scores = scores.masked_fill(~mask, float('-inf')) if mask.dtype == torch.bool else scores + mask
    return torch.softmax(scores, dim=-1) @ v


def sdpa_case(q_shape, k_shape, mask=None, causal=False):
    q = randn(*q_shape).requires_grad_()
    k = randn(*k_shape).requires_grad_()
    v = randn(*k_shape).requires_grad_()
    output = sdpa(q, k, v, mask, causal)
    upstream = randn(*output.shape)
    (output * upstream).sum().backward()
    case = {'q': encode(q), 'k': encode(k), 'v': encode(v), 'causal': causal, 'output': encode(output),
            'upstream': encode(upstream), 'grad_q': encode(q.grad), 'grad_k': encode(k.grad), 'grad_v': encode(v.grad)}
    if mask is not None:
        case['mask'] = encode(mask)
    return case


def random_bool_mask(*shape):
    mask = torch.rand(*shape) > 0.4
    mask[..., 0] = True  # every query keeps at least one key
    return mask


def mha_case(mha, query, key, value, key_padding_mask=None, attn_mask=None):
    mha.zero_grad()
    query = query.clone().requires_grad_()
    self_attention = key is None
    if self_attention:
        key = value = query
    output, weights = mha(query, key, value, key_padding_mask=key_padding_mask, attn_mask=attn_mask, need_weights=True)
    _, head_weights = mha(query, key, value, key_padding_mask=key_padding_mask, attn_mask=attn_mask,
                          need_weights=True, average_attn_weights=False)
    upstream = randn(*output.shape)
    (output * upstream).sum().backward()
    case = {
        'state_dict': {name: encode(value, 9) for name, value in mha.state_dict().items()},
        'query': encode(query, 9),
        'output': encode(output),
        'weights': encode(weights),
        'head_weights': encode(head_weights),
        'upstream': encode(upstream, 9),
        'grads': {name: encode(p.grad) for name, p in mha.named_parameters()},
        'grad_query': encode(query.grad),
    }
    if not self_attention:
        case['key'] = encode(key, 9)
        case['value'] = encode(value, 9)
    if key_padding_mask is not None:
        case['key_padding_mask'] = encode(key_padding_mask)
    if attn_mask is not None:
        case['attn_mask'] = encode(attn_mask)
    return case


def rope(x, offset, base=10000.0):
    dim = x.shape[-1]
    half = dim // 2
    positions = torch.arange(offset, offset + x.shape[-2], dtype=DTYPE)
    inv_freq = base ** (-torch.arange(half, dtype=DTYPE) * 2 / dim)
    angles = positions[:, None] * inv_freq[None, :]
    angles = torch.cat([angles, angles], dim=-1)
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * angles.cos() + rotated * angles.sin()


def sinusoidal(length, dim, offset=0, base=10000.0):
    table = torch.zeros(length, dim, dtype=DTYPE)
    positions = torch.arange(offset, offset + length, dtype=DTYPE)[:, None]
    for j in range(dim):
        angle = positions[:, 0] / base ** (2 * (j // 2) / dim)
        table[:, j] = angle.sin() if j % 2 == 0 else angle.cos()
    return table


B, T, E, H = 2, 7, 16, 4
out = {}

SDPA_HEADS = 2
out['sdpa'] = {
    'plain': sdpa_case([B, SDPA_HEADS, T, 4], [B, SDPA_HEADS, T, 4]),
    'causal': sdpa_case([B, SDPA_HEADS, T, 4], [B, SDPA_HEADS, T, 4], causal=True),
    'causal_fewer_queries': sdpa_case([B, SDPA_HEADS, 3, 4], [B, SDPA_HEADS, T, 4], causal=True),
    'bool_mask': sdpa_case([B, SDPA_HEADS, T, 4], [B, SDPA_HEADS, T, 4], mask=random_bool_mask(B, 1, T, T)),
    'additive_mask': sdpa_case([B, SDPA_HEADS, T, 4], [B, SDPA_HEADS, T, 4], mask=randn(T, T)),
    'rank3_causal': sdpa_case([B, T, 8], [B, T, 8], causal=True),
}

padding = torch.zeros(B, T, dtype=torch.bool)
padding[1, -2:] = True  # the second sequence has two padding positions at the end
causal_blocked = ~causal_allowed(T, T)  # nn.MultiheadAttention: True = not allowed

self_attention = nn.MultiheadAttention(E, H, batch_first=True).to(DTYPE)
randomize(self_attention)
x = randn(B, T, E)
out['mha_self'] = mha_case(self_attention, x, None, None)
out['mha_self_masked'] = mha_case(self_attention, x, None, None, key_padding_mask=padding, attn_mask=causal_blocked)
del out['mha_self_masked']['state_dict'], out['mha_self_masked']['query']  # the same module and input as mha_self

S = 5
memory_padding = torch.zeros(B, S, dtype=torch.bool)
memory_padding[1, -2:] = True
cross_packed = nn.MultiheadAttention(E, H, batch_first=True).to(DTYPE)
randomize(cross_packed)
memory = randn(B, S, E)
out['mha_cross_packed'] = mha_case(cross_packed, randn(B, T, E), memory, memory, key_padding_mask=memory_padding)

cross_separate = nn.MultiheadAttention(E, H, kdim=12, vdim=10, batch_first=True).to(DTYPE)
randomize(cross_separate)
out['mha_cross_separate'] = mha_case(cross_separate, randn(B, T, E), randn(B, S, 12), randn(B, S, 10),
                                     key_padding_mask=memory_padding)

rope_input = randn(B, 2, T, 8)
out['rope'] = {'input': encode(rope_input, 9), 'offset': 3, 'output': encode(rope(rope_input, 3))}
out['sinusoidal'] = {
    'even': {'length': T, 'dim': E, 'offset': 0, 'table': encode(sinusoidal(T, E))},
    'odd_offset': {'length': 4, 'dim': 5, 'offset': 9, 'table': encode(sinusoidal(4, 5, offset=9))},
}

write_json(OUTPUT, out)
