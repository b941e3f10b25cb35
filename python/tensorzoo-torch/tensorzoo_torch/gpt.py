"""The PyTorch twin of ``@tensorzoo/transformer``'s ``GPT`` (packages/transformer/src/gpt.ts).

Same config keys (``vocabSize``, ``contextLength``, ``dModel``, ``numHeads``, ``numLayers``,
``dimFeedforward``, ``dropout``, ``tieWeights``, ``bias``, ``activation``, ``initStd``) and the same
parameter names, so a TensorZoo checkpoint loads with ``load_state_dict`` and back:

    token_embedding.weight [V, E]        position_embedding.weight [C, E]
    layers.N.self_attn.in_proj_weight [3E, E], in_proj_bias [3E], out_proj.weight [E, E], out_proj.bias
    layers.N.linear1.{weight [F, E], bias}, layers.N.linear2.{weight [E, F], bias}
    layers.N.norm1.{weight, bias}, layers.N.norm2.{weight, bias}
    norm.{weight, bias}                  lm_head.weight [V, E] (only when tieWeights is false)
"""
import inspect
import math

import torch
from torch import nn
from torch.nn import functional

GPT_DEFAULTS = {'dropout': 0.0, 'tieWeights': True, 'bias': True, 'activation': 'gelu', 'initStd': 0.02}


def causal_mask(length, device=None):
    """``nn.MultiheadAttention``'s convention: True where a query may not see the key (keys after it)."""
    return torch.ones(length, length, dtype=torch.bool, device=device).triu(1)


class GPT(nn.Module):
    """Decoder-only causal LM: token + learned position embeddings, pre-norm GELU blocks with causal
    self-attention, final LayerNorm, and a head tied to the token embedding by default.

    ``forward(ids [B, T] long) -> logits [B, T, V]``, ``T <= contextLength``.
    """

    def __init__(self, vocabSize, contextLength, dModel, numHeads, numLayers, dimFeedforward=None, dropout=0.0,
                 tieWeights=True, bias=True, activation='gelu', initStd=0.02):
        super().__init__()
        if dModel % numHeads:
            raise ValueError(f'GPT: numHeads ({numHeads}) must divide dModel ({dModel}).')
        if activation not in ('gelu', 'gelu-tanh'):
            raise ValueError(f"GPT: activation ({activation!r}) must be 'gelu' or 'gelu-tanh'.")
        feedforward = dimFeedforward or 4 * dModel
        self.config = {'vocabSize': vocabSize, 'contextLength': contextLength, 'dModel': dModel, 'numHeads': numHeads,
                       'numLayers': numLayers, 'dimFeedforward': feedforward, 'dropout': dropout,
                       'tieWeights': tieWeights, 'bias': bias, 'activation': activation, 'initStd': initStd}
        self.token_embedding = nn.Embedding(vocabSize, dModel)
        self.position_embedding = nn.Embedding(contextLength, dModel)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList([_block(dModel, numHeads, feedforward, dropout, activation, bias)
                                     for _ in range(numLayers)])
        self.norm = nn.LayerNorm(dModel)
        if not tieWeights:
            self.lm_head = nn.Linear(dModel, vocabSize, bias=False)
        self.reset_parameters(initStd, numLayers)

    def reset_parameters(self, std, num_layers):
        """nanoGPT's initialisation, as the TypeScript model: N(0, std²), residual projections std/√(2L), zero biases."""
        residual = std / math.sqrt(2 * num_layers)
        with torch.no_grad():
            for name, parameter in self.named_parameters():
                if 'norm' in name:
                    continue
                if name.endswith('bias'):
                    parameter.zero_()
                else:
                    parameter.normal_(0, residual if name.endswith(('out_proj.weight', 'linear2.weight')) else std)

    def forward(self, ids):
        length = ids.shape[1]
        if length > self.config['contextLength']:
            raise ValueError(f'GPT: {length} tokens exceed contextLength ({self.config["contextLength"]}); crop the context.')
        x = self.dropout(self.token_embedding(ids) + self.position_embedding.weight[:length])  # [B, T, E]
        mask = causal_mask(length, ids.device)
        for layer in self.layers:
            x = layer(x, src_mask=mask)
        x = self.norm(x)
        weight = self.token_embedding.weight if self.config['tieWeights'] else self.lm_head.weight
        return x @ weight.t()  # [B, T, V]


def gelu_tanh(x):
    """GELU, tanh approximation (GPT-2's ``gelu_new``)."""
    return functional.gelu(x, approximate='tanh')


def _block(d_model, heads, feedforward, dropout, activation, bias):
    """One pre-norm block: ``nn.TransformerEncoderLayer`` has TensorZoo's names (self_attn, linear1/2, norm1/2)."""
    options = {'dropout': dropout, 'activation': 'gelu' if activation == 'gelu' else gelu_tanh, 'norm_first': True,
               'batch_first': True}
    if 'bias' in inspect.signature(nn.TransformerEncoderLayer.__init__).parameters:
        options['bias'] = bias
    elif not bias:
        raise ValueError('GPT: bias=False needs torch >= 2.1 (nn.TransformerEncoderLayer(bias=...)).')
    return nn.TransformerEncoderLayer(d_model, heads, feedforward, **options)
