"""Continue training a TensorZoo GPT checkpoint with torch.distributed (DistributedDataParallel).

Every process loads the same checkpoint, trains on its own batches, and DDP averages the
gradients, so all ranks hold the same weights after every step; rank 0 then writes a TensorZoo
checkpoint (same tensor names, the source's tokenizer and generation metadata) that
``loadCheckpoint`` / ``tensorzoo sample`` read for browser or Node inference.

One machine, 2 processes on CPU (gloo) - what ``torchrun --standalone --nproc-per-node 2`` does::

    for rank in 0 1; do
      MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=$rank LOCAL_RANK=$rank \\
        python -m tensorzoo_torch.train runs/gpt-names/checkpoint.safetensors --data names.json \\
        --out runs/gpt-names-ddp/checkpoint.safetensors --steps 200 &
    done; wait

Several machines with GPUs (nccl), e.g. 2 nodes x 8 GPUs, run on every node::

    torchrun --nnodes 2 --nproc-per-node 8 --node-rank <0 or 1> \\
        --rdzv-backend c10d --rdzv-endpoint <node0-host>:29500 \\
        -m tensorzoo_torch.train checkpoint.safetensors --data names.json --out trained.safetensors

Data (``--data``): a ``.json`` array of strings or a text file with one example per line. Each
example becomes ``prefix + text + stop token`` (the checkpoint's ``tensorzoo.generation`` hints,
e.g. ``<bos>name<eos>``), padded with ``<pad>`` (ignored by the loss) to ``contextLength + 1``:
the setup of ``tensorzoo train gpt-names``. Character tokenizers only.
"""
import argparse
import hashlib
import json
import os
import sys

import torch
import torch.distributed as dist
from torch.nn import functional
from torch.nn.parallel import DistributedDataParallel

from .checkpoint import load_checkpoint, save
from .tokenizers import CharTokenizer


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tensorzoo_torch.train', description=__doc__.split('\n\n')[0])
    parser.add_argument('checkpoint', help='TensorZoo GPT checkpoint (e.g. runs/gpt-names/checkpoint.safetensors)')
    parser.add_argument('--data', required=True, help='.json array of strings, or a text file with one example per line')
    parser.add_argument('--out', required=True, help='where rank 0 writes the trained checkpoint')
    parser.add_argument('--steps', type=int, default=200, help='optimizer steps (default 200)')
    parser.add_argument('--batch-size', type=int, default=32, help='examples per step on each process (default 32)')
    parser.add_argument('--lr', type=float, default=3e-3, help='AdamW learning rate (default 3e-3)')
    parser.add_argument('--weight-decay', type=float, default=0.01, help='AdamW weight decay (default 0.01)')
    parser.add_argument('--seed', type=int, default=0, help='base seed; process r samples batches with seed + r')
    parser.add_argument('--log', help='write this process\'s losses and weight digest to <log>.rank<r>.json')
    return parser.parse_args(argv)


def read_examples(path):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if path.endswith('.json'):
        examples = json.loads(text)
        if not isinstance(examples, list) or not all(isinstance(item, str) for item in examples):
            raise ValueError(f'{path}: expected a JSON array of strings.')
        return examples
    return [line for line in text.splitlines() if line]


def example_rows(examples, tokenizer, generation, length):
    """``[n, length + 1]`` ids: prefix + example + stop token, padded; and the pad id (-100 when none)."""
    prefix = generation.get('prefix', '')
    prefix_ids = [tokenizer.special_token_id(prefix)] if prefix in tokenizer.special_tokens else tokenizer.encode(prefix)
    stops = generation.get('stopTokens', [])
    stop_ids = [tokenizer.special_token_id(token) for token in stops if token != '<pad>'][-1:]
    pad_id = tokenizer.special_token_id('<pad>') if '<pad>' in tokenizer.special_tokens else -100
    rows = []
    for example in examples:
        ids = (prefix_ids + tokenizer.encode(example) + stop_ids)[:length + 1]
        rows.append(ids + [pad_id] * (length + 1 - len(ids)))
    return torch.tensor(rows, dtype=torch.long), pad_id


def weight_digest(model):
    """SHA-256 of every parameter's bytes, in name order: equal digests mean bit-identical weights."""
    digest = hashlib.sha256()
    for name, value in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main(argv=None):
    arguments = parse_arguments(argv)
    use_cuda = torch.cuda.is_available()
    dist.init_process_group(backend='nccl' if use_cuda else 'gloo')
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get('LOCAL_RANK', rank))
    device = torch.device('cuda', local_rank) if use_cuda else torch.device('cpu')
    if use_cuda:
        torch.cuda.set_device(device)

    model, metadata = load_checkpoint(arguments.checkpoint)
    if type(model).__name__ != 'GPT':
        raise ValueError(f'{arguments.checkpoint} holds a {type(model).__name__}; train.py continues GPT checkpoints.')
    tokenizer = CharTokenizer.from_json(metadata['tensorzoo.tokenizer'])
    generation = json.loads(metadata.get('tensorzoo.generation', '{}'))
    rows, pad_id = example_rows(read_examples(arguments.data), tokenizer, generation, model.config['contextLength'])
    start_step = json.loads(metadata.get('tensorzoo', '{}')).get('step', 0)

    model = model.float().to(device).train()
    parallel = DistributedDataParallel(model, device_ids=[local_rank] if use_cuda else None)
    optimizer = torch.optim.AdamW(parallel.parameters(), lr=arguments.lr, weight_decay=arguments.weight_decay)
    sampler = torch.Generator().manual_seed(arguments.seed + rank)  # each process draws its own batches
    losses, mean_losses = [], []
    for step in range(arguments.steps):
        batch = rows[torch.randint(0, rows.shape[0], (arguments.batch_size,), generator=sampler)].to(device)
        inputs, targets = batch[:, :-1], batch[:, 1:]  # [B, T]
        logits = parallel(inputs)  # [B, T, V]
        loss = functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=pad_id)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # DDP all-reduces (averages) the gradients here
        optimizer.step()
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        losses.append(loss.item())
        mean_losses.append(mean.item() / world)
        if rank == 0 and (step % 20 == 0 or step == arguments.steps - 1):
            print(f'step {start_step + step + 1}: loss {mean_losses[-1]:.4f} (mean of {world} processes)', flush=True)

    # Every rank must hold the same weights: compare each rank's parameters with rank 0's.
    flat = torch.cat([value.detach().reshape(-1).float() for _, value in sorted(model.state_dict().items())])
    reference = flat.clone()
    dist.broadcast(reference, 0)
    max_difference = (flat - reference).abs().max().item()
    digest = weight_digest(model)
    if arguments.log:
        with open(f'{arguments.log}.rank{rank}.json', 'w') as handle:
            json.dump({'rank': rank, 'world': world, 'losses': losses, 'mean_losses': mean_losses, 'digest': digest,
                       'max_difference_from_rank0': max_difference}, handle)
    if rank == 0:
        save(model.cpu(), arguments.out, metadata=metadata, step=start_step + arguments.steps)
        print(f'wrote {arguments.out} (step {start_step + arguments.steps}, weights digest {digest[:16]})', flush=True)
    dist.barrier()
    dist.destroy_process_group()
    if max_difference != 0:
        print(f'rank {rank}: weights differ from rank 0 by {max_difference}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
