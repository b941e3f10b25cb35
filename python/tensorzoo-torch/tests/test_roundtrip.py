"""The PyTorch bridge, Python side: checkpoints written by TypeScript (fixtures/ts-*.safetensors,
kept current by bridge.node.test.ts) load with ``tensorzoo_torch.load`` and reproduce the
TypeScript outputs within 1e-5; ``save`` -> ``load`` is exact; the safetensors codec round-trips.

    /usr/bin/python3 -m unittest discover -s python/tensorzoo-torch/tests -v
"""
import json
import pathlib
import sys
import tempfile
import unittest

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import tensorzoo_torch  # noqa: E402
from cases import CASES, model_input, model_output  # noqa: E402

FIXTURES = HERE / 'fixtures'


class TypeScriptToTorch(unittest.TestCase):
    def test_every_model_matches_the_typescript_forward(self):
        ts_outputs = json.loads((FIXTURES / 'ts-outputs.json').read_text())
        torch_outputs = json.loads((FIXTURES / 'torch-outputs.json').read_text())
        for key, case in CASES.items():
            with self.subTest(case=key):
                model, metadata = tensorzoo_torch.load_checkpoint(FIXTURES / f'ts-{key}.safetensors')
                self.assertEqual(type(model).__name__, case['name'])
                with torch.no_grad():
                    inputs = model_input(case, torch_outputs[key]['input'])
                    model = model.double()
                    output = model_output(case, model(*inputs) if isinstance(inputs, tuple) else model(inputs))
                expected = ts_outputs[key]['output']
                self.assertEqual(list(output.shape), expected['shape'])
                error = (output.reshape(-1) - torch.tensor(expected['data'], dtype=torch.float64)).abs().max().item()
                print(f'TS -> torch {key}: max |error| {error:.2e}')
                self.assertLess(error, 1e-5)


class TorchRoundTrip(unittest.TestCase):
    def test_save_then_load_is_exact_and_keeps_metadata(self):
        for key, case in CASES.items():
            with self.subTest(case=key), tempfile.TemporaryDirectory() as folder:
                model = tensorzoo_torch.build(case['name'], case['config'])
                path = pathlib.Path(folder) / 'model.safetensors'
                tensorzoo_torch.save(model, path, metadata={'tensorzoo.tokenizer': '{"type":"char"}'}, step=12)
                copy, metadata = tensorzoo_torch.load_checkpoint(path)
                for name, value in model.state_dict().items():
                    self.assertTrue(torch.equal(value, copy.state_dict()[name]), name)
                self.assertEqual(metadata['tensorzoo.tokenizer'], '{"type":"char"}')
                self.assertEqual(json.loads(metadata['tensorzoo'])['step'], 12)
                self.assertEqual(json.loads(metadata['tensorzoo.architecture'])['name'], case['name'])

    def test_checksums_are_written_and_verified_both_ways(self):
        for source in ('ts-mlp.safetensors', 'torch-mlp.safetensors'):  # written by TypeScript, by save()
            data = bytearray((FIXTURES / source).read_bytes())
            self.assertIn(b'headerSha256', bytes(data))
            tensorzoo_torch.verify_checksums(bytes(data))
            data[-1] ^= 1
            with self.assertRaisesRegex(ValueError, 'tensor data does not match'):
                tensorzoo_torch.verify_checksums(bytes(data))

    def test_reads_the_cli_language_model_entry(self):
        entry = {'tensorzoo.model': json.dumps({'architecture': 'gpt', 'config': CASES['gpt']['config']})}
        self.assertEqual(tensorzoo_torch.read_model_entry(entry), ('GPT', CASES['gpt']['config']))
        with self.assertRaisesRegex(ValueError, 'no "tensorzoo.architecture"'):
            tensorzoo_torch.read_model_entry({})


class SafetensorsFormat(unittest.TestCase):
    def test_every_dtype_round_trips(self):
        tensors = {'f32': torch.randn(2, 3), 'f64': torch.randn(4, dtype=torch.float64), 'f16': torch.randn(3).half(),
                   'bf16': torch.randn(3).bfloat16(), 'i64': torch.arange(5), 'i32': torch.arange(3, dtype=torch.int32),
                   'bool': torch.tensor([True, False, True]), 'empty': torch.zeros(0, 2)}
        decoded, metadata = tensorzoo_torch.decode_safetensors(tensorzoo_torch.encode_safetensors(tensors, {'a': 'b'}))
        self.assertEqual(metadata, {'a': 'b'})
        for name, value in tensors.items():
            self.assertEqual(decoded[name].dtype, value.dtype, name)
            self.assertTrue(torch.equal(decoded[name], value), name)

    def test_rejects_offsets_outside_the_file(self):
        data = bytearray(tensorzoo_torch.encode_safetensors({'x': torch.ones(4)}))
        with self.assertRaisesRegex(ValueError, 'do not hold'):
            tensorzoo_torch.decode_safetensors(bytes(data[:-4]))


if __name__ == '__main__':
    unittest.main()
