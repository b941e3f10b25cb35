"""The PyTorch twin of ``@tensorzoo/transformer``'s ``Seq2SeqTransformer`` (packages/transformer/src/seq2seq.ts).

PyTorch's translation-tutorial model, batch-first: ``nn.Transformer`` (names
``transformer.encoder.layers.N...``, ``transformer.decoder.norm``, ...), token embeddings
scaled by √E plus interleaved sinusoidal positions, and a linear ``generator``. Same config keys
and defaults as TypeScript.

``forward(source [B, S], target [B, T], source_padding_mask=None, target_padding_mask=None)``
-> logits ``[B, T, targetVocabSize]`` (padding masks: True = padding; the target is causal).
"""
import math

import torch
from torch import nn

from .gpt import causal_mask


def sinusoidal(length, dim, dtype=torch.float32, device=None):
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...), as in the paper."""
    position = torch.arange(length, dtype=dtype, device=device)[:, None]
    div = torch.exp(torch.arange(0, dim, 2, dtype=dtype, device=device) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, dtype=dtype, device=device)
    table[:, 0::2] = torch.sin(position * div)
    table[:, 1::2] = torch.cos(position * div)[:, :dim // 2]
    return table


class Seq2SeqTransformer(nn.Module):
    def __init__(self, sourceVocabSize, targetVocabSize, dModel=512, numHeads=8, numEncoderLayers=3, numDecoderLayers=3,
                 dimFeedforward=512, dropout=0.1, maxLength=512, activation='relu', normFirst=False):
        super().__init__()
        self.config = {'sourceVocabSize': sourceVocabSize, 'targetVocabSize': targetVocabSize, 'dModel': dModel,
                       'numHeads': numHeads, 'numEncoderLayers': numEncoderLayers, 'numDecoderLayers': numDecoderLayers,
                       'dimFeedforward': dimFeedforward, 'dropout': dropout, 'maxLength': maxLength,
                       'activation': activation, 'normFirst': normFirst}
        self.transformer = nn.Transformer(dModel, numHeads, numEncoderLayers, numDecoderLayers, dimFeedforward,
                                          dropout=dropout, activation=activation, batch_first=True, norm_first=normFirst)
        self.generator = nn.Linear(dModel, targetVocabSize)
        self.source_embedding = nn.Embedding(sourceVocabSize, dModel)
        self.target_embedding = nn.Embedding(targetVocabSize, dModel)
        self.dropout = nn.Dropout(dropout)

    def embed(self, embedding, ids):
        scaled = embedding(ids) * math.sqrt(self.config['dModel'])  # [B, L, E]
        positions = sinusoidal(ids.shape[1], self.config['dModel'], scaled.dtype, ids.device)
        return self.dropout(scaled + positions)

    def forward(self, source, target, source_padding_mask=None, target_padding_mask=None):
        hidden = self.transformer(self.embed(self.source_embedding, source), self.embed(self.target_embedding, target),
                                  tgt_mask=causal_mask(target.shape[1], target.device),
                                  src_key_padding_mask=source_padding_mask, tgt_key_padding_mask=target_padding_mask,
                                  memory_key_padding_mask=source_padding_mask)  # [B, T, E]
        return self.generator(hidden)  # [B, T, V]
