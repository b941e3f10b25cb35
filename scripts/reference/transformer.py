#!/usr/bin/env python3
"""Reference values and gradients for @tensorzoo/transformer, computed by PyTorch in float64.

Run with Debian's Python (python3-torch 1.13):

    /usr/bin/python3 scripts/reference/transformer.py

Writes JSON fixtures into packages/transformer/fixtures/, read by test/parity.test.ts:

- encoder-layers.json: nn.TransformerEncoderLayer(batch_first=True), post-norm ReLU with a
  key padding mask, and pre-norm (norm_first) GELU with key padding + causal masks.
- decoder-layers.json: nn.TransformerDecoderLayer(batch_first=True), post-norm ReLU with
  causal + target padding + memory padding masks, and pre-norm GELU with a causal mask.
- stacks.json: nn.TransformerEncoder / nn.TransformerDecoder with 2 layers and a final
  LayerNorm (outputs only).
- seq2seq.json: the encoder-decoder model of PyTorch's translation tutorial (nn.Transformer,
  token embeddings scaled by sqrt(d), sinusoidal positions, a linear generator), batch_first,
  with source and target padding masks.
- gpt.json: a decoder-only GPT (token + learned position embeddings, pre-norm GELU
  nn.TransformerEncoderLayer blocks with a causal mask, final LayerNorm, lm_head tied to the
  token embedding).

Each case records the state_dict (PyTorch names), the inputs, the output and (except for the
stacks) the gradients of sum(output * upstream) for every parameter. All sizes: batch 2,
target length 7, source length 5, d_model 16, 4 heads, feed-forward 32, dropout 0. Weights
and inputs are random and rounded to float32 first, so float32 tensors hold exactly the
numbers torch used.
"""

import torch
from torch import nn

from common import DTYPE, encode, fixtures_dir, randn, randomize, write_json
from tensorzoo_torch import Seq2SeqTransformer

FIXTURES = fixtures_dir('transformer')
torch.manual_seed(20261128)

B, T, S, E, H, FF = 2, 7, 5, 16, 4, 32
VOCAB = 11


def causal_blocked(length):
    """nn.MultiheadAttention convention: True = not allowed (keys after the query)."""
    return torch.ones(length, length, dtype=torch.bool).triu(1)


def padding(batch, length, padded):
    mask = torch.zeros(batch, length, dtype=torch.bool)
    mask[1, length - padded:] = True  # the second row ends with `padded` padding positions
    return mask


def record(module, run, with_grads=True, upstream_scale=1.0):
    """Runs `run()` (-> output), backpropagates sum(output * upstream), records everything."""
    module.zero_grad()
    output = run()
    upstream = randn(*output.shape, scale=upstream_scale)
    case = {
        'state_dict': {name: encode(value, 9) for name, value in module.state_dict().items()},
        'output': encode(output),
    }
    if with_grads:
        (output * upstream).sum().backward()
        case['upstream'] = encode(upstream, 9)
        case['grads'] = {name: encode(p.grad) for name, p in module.named_parameters()}
    return case


# Encoder layers ---------------------------------------------------------------------------
x = randn(B, T, E)
target_padding = padding(B, T, 2)
encoder_layers = {'input': encode(x, 9), 'key_padding_mask': encode(target_padding)}

post = nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, batch_first=True).to(DTYPE)
randomize(post)
encoder_layers['post_relu'] = record(post, lambda: post(x, src_key_padding_mask=target_padding))

pre = nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, activation='gelu', norm_first=True, batch_first=True).to(DTYPE)
randomize(pre)
encoder_layers['pre_gelu_causal'] = record(pre, lambda: pre(x, src_mask=causal_blocked(T), src_key_padding_mask=target_padding))
write_json(FIXTURES / 'encoder-layers.json', encoder_layers)

# Decoder layers ---------------------------------------------------------------------------
memory = randn(B, S, E)
memory_padding = padding(B, S, 2)
decoder_layers = {
    'target': encode(x, 9),
    'memory': encode(memory, 9),
    'target_padding_mask': encode(target_padding),
    'memory_padding_mask': encode(memory_padding),
}
post = nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, batch_first=True).to(DTYPE)
randomize(post)
decoder_layers['post_relu_masked'] = record(post, lambda: post(
    x, memory, tgt_mask=causal_blocked(T), tgt_key_padding_mask=target_padding, memory_key_padding_mask=memory_padding))
pre = nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, activation='gelu', norm_first=True, batch_first=True).to(DTYPE)
randomize(pre)
decoder_layers['pre_gelu_causal'] = record(pre, lambda: pre(x, memory, tgt_mask=causal_blocked(T)))
write_json(FIXTURES / 'decoder-layers.json', decoder_layers)

# Stacks -------------------------------------------------------------------------------------
encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, batch_first=True), 2,
                                norm=nn.LayerNorm(E)).to(DTYPE)
randomize(encoder)
decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, batch_first=True), 2,
                                norm=nn.LayerNorm(E)).to(DTYPE)
randomize(decoder)
stacks = {
    'input': encode(x, 9),
    'memory': encode(memory, 9),
    'key_padding_mask': encode(target_padding),
    'memory_padding_mask': encode(memory_padding),
    'encoder': record(encoder, lambda: encoder(x, src_key_padding_mask=target_padding), with_grads=False),
    'decoder': record(decoder, lambda: decoder(x, memory, tgt_mask=causal_blocked(T), tgt_key_padding_mask=target_padding,
                                               memory_key_padding_mask=memory_padding), with_grads=False),
}
write_json(FIXTURES / 'stacks.json', stacks)


# Seq2Seq ------------------------------------------------------------------------------------
seq2seq = Seq2SeqTransformer(VOCAB, VOCAB + 2, dModel=E, numHeads=H, numEncoderLayers=1, numDecoderLayers=1,
                             dimFeedforward=FF, dropout=0.0).to(DTYPE)
randomize(seq2seq)
with torch.no_grad():  # small embeddings: x sqrt(16) = 4 brings them to about N(0, 1), like the positions
    seq2seq.source_embedding.weight.copy_(randn(VOCAB, E, scale=0.25))
    seq2seq.target_embedding.weight.copy_(randn(VOCAB + 2, E, scale=0.25))
source_ids = torch.randint(0, VOCAB, (B, S))
target_ids = torch.randint(0, VOCAB + 2, (B, T))
seq2seq_case = record(seq2seq, lambda: seq2seq(source_ids, target_ids, memory_padding, target_padding))
seq2seq_case.update({
    'source': encode(source_ids), 'target': encode(target_ids),
    'source_padding_mask': encode(memory_padding), 'target_padding_mask': encode(target_padding),
    'config': {'sourceVocabSize': VOCAB, 'targetVocabSize': VOCAB + 2, 'dModel': E, 'numHeads': H,
               'numEncoderLayers': 1, 'numDecoderLayers': 1, 'dimFeedforward': FF},
})
write_json(FIXTURES / 'seq2seq.json', seq2seq_case)


# GPT ----------------------------------------------------------------------------------------
class GPT(nn.Module):
    """Decoder-only LM: pre-norm GELU blocks, final LayerNorm, lm_head tied to the token embedding."""

    def __init__(self, vocab, context, d_model, heads, layers, feedforward):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, d_model)
        self.position_embedding = nn.Embedding(context, d_model)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(d_model, heads, feedforward, dropout=0.0, activation='gelu', norm_first=True,
                                       batch_first=True) for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)
        self.lm_head.weight = self.token_embedding.weight

    def forward(self, ids):
        x = self.token_embedding(ids) + self.position_embedding.weight[:ids.shape[1]]
        for layer in self.layers:
            x = layer(x, src_mask=causal_blocked(ids.shape[1]))
        return self.lm_head(self.norm(x))


CONTEXT = 8
gpt = GPT(VOCAB, CONTEXT, E, H, 2, FF).to(DTYPE)
randomize(gpt)
ids = torch.randint(0, VOCAB, (B, T))
# upstream x 0.1: the tied embedding sums gradients from 14 positions x 11 logits; this keeps
# them O(1), where float32 can meet a 1e-5 tolerance element by element
gpt_case = record(gpt, lambda: gpt(ids), upstream_scale=0.1)
gpt_case.update({'ids': encode(ids), 'config': {'vocabSize': VOCAB, 'contextLength': CONTEXT, 'dModel': E, 'numHeads': H,
                                                'numLayers': 2, 'dimFeedforward': FF}})
write_json(FIXTURES / 'gpt.json', gpt_case)
