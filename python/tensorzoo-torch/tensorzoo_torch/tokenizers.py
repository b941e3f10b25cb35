"""TensorZoo's ``CharTokenizer`` in Python, read from a checkpoint's ``tensorzoo.tokenizer`` metadata.

Ids: the special tokens first (``0 .. S-1``), then one id per character in ``characters`` order,
exactly as ``@tensorzoo/transformer``'s ``CharTokenizer``.
"""
import json


class CharTokenizer:
    """One token per Unicode character; ``from_json`` reads ``CharTokenizer.toJSON()``'s object or text."""

    def __init__(self, characters, special_tokens=(), unknown_token=None):
        self.special_tokens = list(special_tokens)
        self.characters = list(characters)
        self.ids = {token: index for index, token in enumerate(self.special_tokens + self.characters)}
        self.unknown_token = unknown_token
        self.size = len(self.ids)

    @classmethod
    def from_json(cls, value):
        value = json.loads(value) if isinstance(value, str) else value
        if value.get('type') != 'char':
            raise ValueError(f'CharTokenizer.from_json: type {value.get("type")!r} is not "char"; only character '
                             'tokenizers are read in Python (tokenize byte-pair data in TypeScript).')
        return cls(value['characters'], value.get('specialTokens', []), value.get('unknownToken'))

    def encode(self, text):
        """Ids of ``text`` (no special tokens inside; unknown characters map to the unknown token or raise)."""
        out = []
        for index, character in enumerate(text):
            if character in self.ids:
                out.append(self.ids[character])
            elif self.unknown_token is not None:
                out.append(self.ids[self.unknown_token])
            else:
                raise ValueError(f'CharTokenizer.encode: {character!r} at index {index} is not in the vocabulary.')
        return out

    def decode(self, ids):
        return ''.join(self.characters[i - len(self.special_tokens)] if i >= len(self.special_tokens)
                       else self.special_tokens[i] for i in ids)

    def special_token_id(self, token):
        if token not in self.special_tokens:
            raise ValueError(f'CharTokenizer: {token!r} is not a special token; they are {self.special_tokens}.')
        return self.ids[token]
