"""PyTorch CPU side of bench/vision.mjs (torchvision ResNet-18 and MobileNetV2).

Usage: python3 bench/vision_torch.py '{"steps": 3, "batches": [1, 8], "threads": [1, 2]}'
Prints one JSON object: per thread count, the median and min milliseconds of
  - inference (eval mode, torch.no_grad) of resnet18 and mobilenet_v2 at 224x224, per batch;
  - one fine-tuning step of resnet18 at batch 8: layer4 + fc trainable, the rest frozen,
    forward, cross-entropy, backward, SGD update, loss.item().
Random weights (nothing is downloaded); timing does not depend on the values.
"""
import json
import sys
import time

import torch
import torchvision


def timed(function, steps):
    function()  # warm-up
    samples = []
    for _ in range(steps):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"medianMs": round(samples[len(samples) // 2], 1), "minMs": round(samples[0], 1), "steps": steps}


def run(plan, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    results = {}
    models = {"resnet18": torchvision.models.resnet18().eval(), "mobilenet_v2": torchvision.models.mobilenet_v2().eval()}
    for name, model in models.items():
        for batch in plan["batches"]:
            x = torch.rand(batch, 3, 224, 224)
            with torch.no_grad():
                results[f"{name} inference batch {batch}"] = timed(lambda: model(x).sum().item(), plan["steps"])
    model = torchvision.models.resnet18()
    model.train()
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.startswith("layer4.") or name.startswith("fc.")
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(trainable, lr=0.01)
    x = torch.rand(8, 3, 224, 224)
    y = torch.randint(0, 1000, (8,))
    loss_function = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    results["resnet18 fine-tune step batch 8"] = timed(step, plan["steps"])
    return results


plan = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"steps": 3, "batches": [1, 8], "threads": [1, 2]}
print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__,
                  "threads": {str(threads): run(plan, threads) for threads in plan["threads"]}}))
