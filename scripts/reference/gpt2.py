#!/usr/bin/env python3
"""A tiny GPT-2 in Hugging Face's layout, and its tokenizer files, for @tensorzoo/transformer's GPT-2 loader.

Run with Debian's Python (python3-torch; `transformers` is not needed):

    /usr/bin/python3 scripts/reference/gpt2.py

Writes packages/transformer/fixtures/gpt2/, read by packages/transformer/src/gpt2.test.ts:

- vocab.json + merges.txt: a byte-level BPE in GPT-2's file format (byte tokens as GPT-2's
  printable characters, ids 0..255 in GPT-2's byte order, then one token per merge, then
  `<|endoftext|>`), learned here from a few sentences (40 merges);
- tokenizer.json: the same tokenizer in the `tokenizers` library's format (merges as pairs);
- config.json: a GPT-2 config (2 layers, 4 heads, width 16, 16 positions);
- model.safetensors: random float32 weights under GPT2LMHeadModel's names
  (`transformer.wte.weight`, `transformer.h.N.attn.c_attn.weight` in Conv1D `[in, out]`
  layout, ..., `lm_head.weight` tied to wte) plus the old `attn.bias` / `attn.masked_bias` buffers;
- expected.json: token ids of a few texts by GPT-2's BPE algorithm (re-implemented below from
  OpenAI's encoder.py), the logits of Hugging Face's GPT-2 forward (re-implemented below,
  float64), and a greedy continuation.
"""
import json
import math
import re
import sys
import unicodedata

import torch

from common import DTYPE, fixtures_dir, randn, to_float32, encode, write_json
from tensorzoo_torch import save_file

OUTPUT = fixtures_dir('transformer') / 'gpt2'
torch.manual_seed(20261206)
END_OF_TEXT = '<|endoftext|>'
MERGES = 40
CONFIG = {'model_type': 'gpt2', 'architectures': ['GPT2LMHeadModel'], 'n_embd': 16, 'n_layer': 2, 'n_head': 4,
          'n_positions': 16, 'n_ctx': 16, 'n_inner': None, 'activation_function': 'gelu_new',
          'layer_norm_epsilon': 1e-5, 'tie_word_embeddings': True, 'bos_token_id': None, 'eos_token_id': None}


# GPT-2's byte-level BPE ---------------------------------------------------------------------
def bytes_to_unicode():
    """GPT-2's map from bytes to printable characters (encoder.py)."""
    printable = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    characters = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            characters.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, characters)))


def unicode_class(prefix):
    """A regex class of every code point whose Unicode category starts with `prefix` (\\p{L}, \\p{N})."""
    ranges = []
    start = None
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and unicodedata.category(chr(code)).startswith(prefix)
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append(f'\\U{start:08x}-\\U{code - 1:08x}')
            start = None
    return ''.join(ranges)


LETTERS, NUMBERS = unicode_class('L'), unicode_class('N')
# GPT-2's pattern: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
SPLIT = re.compile(rf"""'s|'t|'re|'ve|'m|'ll|'d| ?[{LETTERS}]+| ?[{NUMBERS}]+| ?[^\s{LETTERS}{NUMBERS}]+|\s+(?!\S)|\s+""")
BYTE_CHARACTERS = bytes_to_unicode()


def words(text):
    """Pre-tokenised words, each as its GPT-2 byte characters."""
    return [''.join(BYTE_CHARACTERS[byte] for byte in piece.encode('utf-8')) for piece in SPLIT.findall(text)]


def learn_merges(corpus, count):
    """Plain BPE training: merge the most frequent pair (ties: the smallest pair) `count` times."""
    counts = {}
    for word in words(corpus):
        counts[tuple(word)] = counts.get(tuple(word), 0) + 1
    merges = []
    for _ in range(count):
        pairs = {}
        for word, frequency in counts.items():
            for pair in zip(word, word[1:]):
                pairs[pair] = pairs.get(pair, 0) + frequency
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        merged = {}
        for word, frequency in counts.items():
            out, index = [], 0
            while index < len(word):
                if index + 1 < len(word) and (word[index], word[index + 1]) == best:
                    out.append(word[index] + word[index + 1])
                    index += 2
                else:
                    out.append(word[index])
                    index += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + frequency
        counts = merged
    return merges


def bpe(word, ranks):
    """OpenAI encoder.py's `bpe`: merge the lowest-ranked pair everywhere, until none applies."""
    word = tuple(word)
    while len(word) > 1:
        pairs = set(zip(word, word[1:]))
        best = min(pairs, key=lambda pair: ranks.get(pair, math.inf))
        if best not in ranks:
            break
        out, index = [], 0
        while index < len(word):
            if index + 1 < len(word) and (word[index], word[index + 1]) == best:
                out.append(word[index] + word[index + 1])
                index += 2
            else:
                out.append(word[index])
                index += 1
        word = tuple(out)
    return word


def tokenize(text, vocab, ranks):
    """Token ids as GPT2Tokenizer gives them: `<|endoftext|>` is split out first."""
    ids = []
    for index, part in enumerate(text.split(END_OF_TEXT)):
        if index:
            ids.append(vocab[END_OF_TEXT])
        for word in words(part):
            ids += [vocab[token] for token in bpe(word, ranks)]
    return ids


# Hugging Face's GPT-2 forward, in plain PyTorch --------------------------------------------
def layer_norm(x, state, name, eps):
    return torch.nn.functional.layer_norm(x, x.shape[-1:], state[f'{name}.weight'], state[f'{name}.bias'], eps)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gpt2_logits(state, ids, config):
    """GPT2LMHeadModel.forward for `ids [B, T]` (Conv1D: y = x @ W + b, W [in, out]) -> logits [B, T, V]."""
    width, heads, eps = config['n_embd'], config['n_head'], config['layer_norm_epsilon']
    batch, length = ids.shape
    x = state['transformer.wte.weight'][ids] + state['transformer.wpe.weight'][:length]  # [B, T, E]
    blocked = torch.ones(length, length, dtype=torch.bool).triu(1)
    for layer in range(config['n_layer']):
        prefix = f'transformer.h.{layer}'
        h = layer_norm(x, state, f'{prefix}.ln_1', eps)
        qkv = h @ state[f'{prefix}.attn.c_attn.weight'] + state[f'{prefix}.attn.c_attn.bias']  # [B, T, 3E]
        q, k, v = (part.reshape(batch, length, heads, width // heads).transpose(1, 2) for part in qkv.split(width, dim=-1))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(width // heads)  # [B, H, T, T]
        weights = torch.softmax(scores.masked_fill(blocked, -math.inf), dim=-1)
        attended = (weights @ v).transpose(1, 2).reshape(batch, length, width)
        x = x + attended @ state[f'{prefix}.attn.c_proj.weight'] + state[f'{prefix}.attn.c_proj.bias']
        h = layer_norm(x, state, f'{prefix}.ln_2', eps)
        hidden = gelu_new(h @ state[f'{prefix}.mlp.c_fc.weight'] + state[f'{prefix}.mlp.c_fc.bias'])
        x = x + hidden @ state[f'{prefix}.mlp.c_proj.weight'] + state[f'{prefix}.mlp.c_proj.bias']
    x = layer_norm(x, state, 'transformer.ln_f', eps)
    return x @ state['lm_head.weight'].t()


def random_state(vocab_size, config):
    width, inner, context = config['n_embd'], config['n_inner'] or 4 * config['n_embd'], config['n_positions']
    state = {'transformer.wte.weight': randn(vocab_size, width, scale=0.5), 'transformer.wpe.weight': randn(context, width, scale=1.0)}
    for layer in range(config['n_layer']):
        prefix = f'transformer.h.{layer}'
        for norm in ('ln_1', 'ln_2'):
            state[f'{prefix}.{norm}.weight'] = to_float32(1 + randn(width, scale=0.2))
            state[f'{prefix}.{norm}.bias'] = randn(width, scale=0.2)
        # the buffers old checkpoints carry: a causal mask and the masking constant
        state[f'{prefix}.attn.bias'] = torch.ones(context, context, dtype=DTYPE).tril().reshape(1, 1, context, context)
        state[f'{prefix}.attn.masked_bias'] = torch.tensor(-1e4, dtype=DTYPE)
        for name, shape in (('attn.c_attn', (width, 3 * width)), ('attn.c_proj', (width, width)),
                            ('mlp.c_fc', (width, inner)), ('mlp.c_proj', (inner, width))):
            state[f'{prefix}.{name}.weight'] = randn(*shape, scale=1 / math.sqrt(shape[0]))
            state[f'{prefix}.{name}.bias'] = randn(shape[1], scale=0.1)
    state['transformer.ln_f.weight'] = to_float32(1 + randn(width, scale=0.2))
    state['transformer.ln_f.bias'] = randn(width, scale=0.2)
    state['lm_head.weight'] = state['transformer.wte.weight']
    return state


CORPUS = """The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs on.
It's the fox's day: they'll say we've seen 1200 foxes and 34 dogs in 2026!
Then the fox and the dog rest together, and the quick one thinks."""

TEXTS = [
    'The fox runs.',
    "It's the lazy dog's day, they'll say.",
    'Numbers: 2026 and 12,000;  two  spaces\n\nnew lines\t tab.',
    'naïve café: 🐋 鯨 über',
    f'end{END_OF_TEXT}The start',
]


def main():
    merges = learn_merges(CORPUS, MERGES)
    vocab = {character: index for index, character in enumerate(BYTE_CHARACTERS.values())}
    for left, right in merges:
        vocab[left + right] = len(vocab)
    vocab[END_OF_TEXT] = len(vocab)
    ranks = {pair: rank for rank, pair in enumerate(merges)}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / 'vocab.json').write_text(json.dumps(vocab, ensure_ascii=False))
    (OUTPUT / 'merges.txt').write_text('#version: 0.2\n' + ''.join(f'{left} {right}\n' for left, right in merges))
    tokenizer_json = {
        'version': '1.0',
        'added_tokens': [{'id': vocab[END_OF_TEXT], 'content': END_OF_TEXT, 'single_word': False, 'lstrip': False,
                          'rstrip': False, 'normalized': True, 'special': True}],
        'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '',
                  'end_of_word_suffix': '', 'fuse_unk': False, 'byte_fallback': False, 'vocab': vocab,
                  'merges': [[left, right] for left, right in merges]},
    }
    (OUTPUT / 'tokenizer.json').write_text(json.dumps(tokenizer_json, ensure_ascii=False))
    config = dict(CONFIG, vocab_size=len(vocab))
    (OUTPUT / 'config.json').write_text(json.dumps(config, indent=2) + '\n')

    state = random_state(len(vocab), config)
    stored = {name: value.to(torch.float32) for name, value in state.items()}  # torch.save keeps the tied lm_head too
    save_file(stored, OUTPUT / 'model.safetensors', {'format': 'pt'})

    tokenized = [{'text': text, 'ids': tokenize(text, vocab, ranks)} for text in TEXTS]
    ids = torch.tensor([tokenized[1]['ids'][:10]])
    logits = gpt2_logits(state, ids, config)
    continuation = ids[0].tolist()
    for _ in range(5):  # greedy decoding, recomputing the whole context each step
        next_logits = gpt2_logits(state, torch.tensor([continuation]), config)[0, -1]
        continuation.append(int(next_logits.argmax()))
    write_json(OUTPUT / 'expected.json', {
        'texts': tokenized,
        'ids': encode(ids),
        'logits': encode(logits, 8),
        'greedy': continuation[ids.shape[1]:],
        'merges': MERGES,
    })


if __name__ == '__main__':
    main()
