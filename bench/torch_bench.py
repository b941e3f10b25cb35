"""PyTorch CPU side of the TensorZoo benchmarks.

Usage: python3 bench/torch_bench.py '<JSON list of cases from bench/cases.mjs>'
Prints one JSON object: torch version, default thread count, and per case and thread
count the median (min, mean) milliseconds of one training step (zero_grad, forward,
loss, backward, Adam step, loss.item()), measured the way bench/timing.mjs does.
"""

import json
import os
import statistics
import sys
import time

import torch
from torch import nn


def build(case):
    in_features, hidden, out_features = case["features"]
    activation = nn.ReLU() if case["activation"] == "relu" else nn.Sigmoid()
    model = nn.Sequential(nn.Linear(in_features, hidden), activation, nn.Linear(hidden, out_features))
    optimizer = torch.optim.Adam(model.parameters(), lr=case["lr"], betas=(0.9, 0.999), eps=1e-8)
    rows = case["batchSize"]
    x = torch.rand(rows, in_features) * 2 - 1  # [N, in]
    if case["loss"] == "cross-entropy":
        y = torch.randint(0, out_features, (rows,))  # [N] class labels
        loss_fn = nn.CrossEntropyLoss()  # takes logits
    else:
        y = 2 * x + 1 if in_features == out_features else torch.randn(rows, out_features)  # [N, out]
        loss_fn = nn.MSELoss()
    return model, optimizer, loss_fn, x, y


def time_case(case, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, optimizer, loss_fn, x, y = build(case)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(case["warmup"]):
        step()
    samples = []
    for _ in range(case["steps"]):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "medianMs": statistics.median(samples),
        "minMs": min(samples),
        "meanMs": statistics.fmean(samples),
        "steps": len(samples),
    }


def main():
    cases = json.loads(sys.argv[1])
    default_threads = torch.get_num_threads()
    # 1 thread matches the single-threaded tfjs cpu and wasm backends; also the default, and all cores.
    thread_counts = sorted({1, default_threads, os.cpu_count() or 1})
    results = {case["name"]: {str(threads): time_case(case, threads) for threads in thread_counts} for case in cases}
    print(json.dumps({
        "torchVersion": torch.__version__,
        "defaultThreads": default_threads,
        "threadCounts": thread_counts,
        "results": results,
    }))


if __name__ == "__main__":
    main()
