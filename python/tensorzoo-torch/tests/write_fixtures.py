#!/usr/bin/env python3
"""Writes the torch -> TypeScript fixtures: for each case in cases.py, a twin model with random
weights saved by ``tensorzoo_torch.save`` (fixtures/torch-<case>.safetensors) and its float64
forward output on a fixed input (fixtures/torch-outputs.json). bridge.node.test.ts loads each
file in TypeScript and checks the output within 1e-5.

    /usr/bin/python3 python/tensorzoo-torch/tests/write_fixtures.py
"""
import json
import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import tensorzoo_torch  # noqa: E402
from cases import CASES, id_limit, model_input, model_output  # noqa: E402

FIXTURES = HERE / 'fixtures'


def randomize(model):
    """float32-exact random weights and BatchNorm statistics, so that every tensor matters."""
    with torch.no_grad():
        for name, value in model.state_dict().items():
            if not value.is_floating_point():
                continue
            noise = torch.randn(value.shape) * (0.3 if value.dim() < 2 else 1.0 / max(1, value[0].numel()) ** 0.5)
            if name.endswith('running_var') or ('norm' in name or 'bn' in name) and name.endswith('weight'):
                noise = 1 + noise.abs() * 0.5 if name.endswith('running_var') else 1 + noise
            value.copy_(noise.to(torch.float32))


def main():
    torch.manual_seed(20261206)
    outputs = {}
    for key, case in CASES.items():
        model = tensorzoo_torch.build(case['name'], case['config'])
        randomize(model)
        tensorzoo_torch.save(model, FIXTURES / f'torch-{key}.safetensors')
        shape = case['input']['shape']
        if case['input']['dtype'] == 'int32':
            values = torch.randint(0, id_limit(case['config']), shape).reshape(-1).tolist()
        else:
            values = [float('%.9g' % x) for x in torch.randn(shape).reshape(-1).tolist()]  # float32-exact
        with torch.no_grad():
            inputs = model_input(case, values)
            model = model.double().eval()
            output = model_output(case, model(*inputs) if isinstance(inputs, tuple) else model(inputs))
        outputs[key] = {'input': values, 'output': {'shape': list(output.shape),
                                                    'data': [float('%.10g' % x) for x in output.reshape(-1).tolist()]}}
    path = FIXTURES / 'torch-outputs.json'
    path.write_text(json.dumps(outputs) + '\n')
    print(f'wrote {len(outputs)} checkpoints and {path.name} to {FIXTURES}')


if __name__ == '__main__':
    main()
