"""Reference trajectories for @tensorzoo/optimizers, computed with torch.optim in float64.

Run with Debian's python3-torch (1.13), which lives under /usr/bin/python3:

    /usr/bin/python3 scripts/reference/optimizers.py

and commit the output, packages/optimizers/fixtures/optimizers.json. The tests read that
JSON; they never run Python.

The problem: parameters ``layers.0.weight`` [3, 4] and ``layers.0.bias`` [4], loss =
mean((x @ weight + bias - y) ** 2) on a fixed batch x [8, 3], y [8, 4]. Each trajectory
runs 20 optimizer steps and records, per step, the learning rate used, the raw gradients
(before any clipping) and the parameters after the step. The TypeScript parity test feeds
the recorded gradients to its optimizer, so it checks the optimizer alone, not the loss.

Option names in the JSON are the TypeScript ones (``weightDecay``, ``betas``...), so the
test can pass them straight to the factories. Schedules follow torch's convention: the
scheduler is stepped after every optimizer step, so optimizer step k (0-based) uses the
learning rate ``schedule(k)``.
"""

import json
import math
import os

import torch

from common import fixtures_dir

torch.set_default_dtype(torch.float64)

STEPS = 20
SIGNIFICANT_DIGITS = 8  # float32 carries ~7.2 digits; the tests compare to 1e-5 relative
WEIGHT = "layers.0.weight"
BIAS = "layers.0.bias"
OUTPUT = str(fixtures_dir("optimizers") / "optimizers.json")


def rounded(values):
    """Flattens a tensor (or nested list) into a list of floats with SIGNIFICANT_DIGITS digits."""
    if isinstance(values, torch.Tensor):
        values = values.detach().reshape(-1).tolist()
    return [float(f"{value:.{SIGNIFICANT_DIGITS}g}") for value in values]


def make_problem():
    """A fixed regression batch and initial parameters (seeded, float64)."""
    generator = torch.Generator().manual_seed(20240229)
    x = torch.randn(8, 3, generator=generator)
    true_weight = torch.randn(3, 4, generator=generator)
    true_bias = torch.randn(4, generator=generator)
    y = x @ true_weight + true_bias + 0.1 * torch.randn(8, 4, generator=generator)
    weight = 0.5 * torch.randn(3, 4, generator=generator)
    bias = torch.zeros(4)
    # Round to the digits stored in the JSON, so torch starts from exactly what the test reads.
    return tuple(torch.tensor(rounded(tensor)).reshape(tensor.shape) for tensor in (x, y, weight, bias))


def loss_fn(x, y, weight, bias):
    """Mean squared error of the affine map; the same formula the closed-loop TS test uses."""
    return ((x @ weight + bias - y) ** 2).mean()


# --- Learning-rate schedules, written as the TypeScript package defines them ---------------


def cosine_decay(base, total_steps, warmup_steps=0, min_lr=0.0):
    """Linear warmup from 0 (step / warmup_steps), then cosine from base to min_lr at total_steps, then min_lr."""

    def schedule(step):
        if step < warmup_steps:
            return base * step / warmup_steps
        progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
        return min_lr + (base - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))

    return schedule


def make_scheduler(optimizer, schedule):
    """The torch scheduler that implements a TS schedule description."""
    kind = schedule["kind"]
    if kind == "stepDecay":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=schedule["stepSize"], gamma=schedule["gamma"])
    if kind == "exponentialDecay":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=schedule["gamma"])
    if kind == "cosineDecay":
        if schedule.get("warmupSteps", 0) == 0:
            return torch.optim.lr_scheduler.CosineAnnealingLR(
                optimizer, T_max=schedule["totalSteps"], eta_min=schedule.get("minLr", 0.0)
            )
        curve = cosine_decay(
            schedule["base"], schedule["totalSteps"], schedule.get("warmupSteps", 0), schedule.get("minLr", 0.0)
        )
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: curve(step) / schedule["base"])
    raise ValueError(f"unknown schedule kind {kind}")


# --- Optimizer configurations ----------------------------------------------------------------


def make_optimizer(kind, options, parameters):
    """torch.optim optimizer for a TS factory name and TS option names."""
    lr = options["lr"] if isinstance(options.get("lr"), (int, float)) else options["schedule"]["base"]
    if kind == "sgd":
        return torch.optim.SGD(
            parameters,
            lr=lr,
            momentum=options.get("momentum", 0),
            dampening=options.get("dampening", 0),
            weight_decay=options.get("weightDecay", 0),
            nesterov=options.get("nesterov", False),
        )
    if kind in ("adam", "adamW"):
        cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        extra = {} if "weightDecay" not in options else {"weight_decay": options["weightDecay"]}
        return cls(
            parameters,
            lr=lr,
            betas=tuple(options.get("betas", (0.9, 0.999))),
            eps=options.get("eps", 1e-8),
            amsgrad=options.get("amsgrad", False),
            foreach=False,
            **extra,
        )
    if kind == "rmsprop":
        return torch.optim.RMSprop(
            parameters,
            lr=lr,
            alpha=options.get("alpha", 0.99),
            eps=options.get("eps", 1e-8),
            weight_decay=options.get("weightDecay", 0),
            momentum=options.get("momentum", 0),
            centered=options.get("centered", False),
            foreach=False,
        )
    if kind == "adagrad":
        return torch.optim.Adagrad(
            parameters,
            lr=lr,
            lr_decay=options.get("lrDecay", 0),
            weight_decay=options.get("weightDecay", 0),
            initial_accumulator_value=options.get("initialAccumulatorValue", 0),
            eps=options.get("eps", 1e-10),
            foreach=False,
        )
    raise ValueError(f"unknown optimizer {kind}")


# Each entry: name, TS factory, TS options (lr may be replaced by a schedule), optional clip.
CONFIGURATIONS = [
    ("sgd plain", "sgd", {"lr": 0.1}, None),
    ("sgd momentum", "sgd", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd nesterov", "sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    ("sgd weight decay dampening", "sgd", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weightDecay": 0.1}, None),
    ("adam", "adam", {"lr": 0.05}, None),
    ("adam weight decay", "adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1}, None),
    ("adamW", "adamW", {"lr": 0.05, "weightDecay": 0.1}, None),
    ("rmsprop", "rmsprop", {"lr": 0.01}, None),
    ("rmsprop centered momentum", "rmsprop",
     {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "centered": True, "weightDecay": 0.05}, None),
    ("adagrad", "adagrad", {"lr": 0.1}, None),
    ("adagrad decay", "adagrad",
     {"lr": 0.1, "lrDecay": 0.05, "initialAccumulatorValue": 0.1, "weightDecay": 0.05}, None),
    ("sgd momentum stepDecay", "sgd",
     {"momentum": 0.9, "schedule": {"kind": "stepDecay", "base": 0.05, "stepSize": 5, "gamma": 0.5}}, None),
    ("adam exponentialDecay", "adam",
     {"schedule": {"kind": "exponentialDecay", "base": 0.05, "gamma": 0.9}}, None),
    ("adamW cosineDecay warmup", "adamW",
     {"schedule": {"kind": "cosineDecay", "base": 0.05, "totalSteps": 15, "warmupSteps": 4, "minLr": 0.005}}, None),
    ("sgd momentum clip globalNorm", "sgd", {"lr": 0.05, "momentum": 0.9}, {"globalNorm": 0.5}),
    ("adam amsgrad clip value", "adam", {"lr": 0.05, "amsgrad": True}, {"value": 0.2}),
]


def run_trajectory(problem, name, kind, options, clip):
    x, y, weight0, bias0 = problem
    weight = weight0.clone().requires_grad_(True)
    bias = bias0.clone().requires_grad_(True)
    optimizer = make_optimizer(kind, options, [weight, bias])
    scheduler = make_scheduler(optimizer, options["schedule"]) if "schedule" in options else None
    record = {"name": name, "optimizer": kind, "options": options, "lrs": [], "losses": [],
              "gradients": {WEIGHT: [], BIAS: []}, "parameters": {WEIGHT: [], BIAS: []}}
    if clip is not None:
        record["clip"] = clip
    if clip is not None and "globalNorm" in clip:
        record["globalNorms"] = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = loss_fn(x, y, weight, bias)
        loss.backward()
        record["losses"].append(rounded([loss.item()])[0])
        record["lrs"].append(optimizer.param_groups[0]["lr"])
        record["gradients"][WEIGHT].append(rounded(weight.grad))
        record["gradients"][BIAS].append(rounded(bias.grad))
        if clip is not None and "value" in clip:
            torch.nn.utils.clip_grad_value_([weight, bias], clip["value"])
        if clip is not None and "globalNorm" in clip:
            norm = torch.nn.utils.clip_grad_norm_([weight, bias], clip["globalNorm"])
            record["globalNorms"].append(rounded([norm.item()])[0])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        record["parameters"][WEIGHT].append(rounded(weight))
        record["parameters"][BIAS].append(rounded(bias))
    return record


# Schedules alone: learning rates torch's schedulers give for steps 0..n-1.
SCHEDULES = [
    ({"kind": "stepDecay", "base": 0.1, "stepSize": 3, "gamma": 0.5}, 12),
    ({"kind": "exponentialDecay", "base": 0.1, "gamma": 0.9}, 12),
    ({"kind": "cosineDecay", "base": 0.1, "totalSteps": 10, "minLr": 0.01}, 11),  # CosineAnnealingLR up to T_max
    ({"kind": "cosineDecay", "base": 0.1, "totalSteps": 10, "warmupSteps": 3}, 11),  # LambdaLR with the TS curve
]


def schedule_values(schedule, count):
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=schedule["base"])
    scheduler = make_scheduler(optimizer, schedule)
    values = []
    for _ in range(count):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return {"schedule": schedule, "torch": type(scheduler).__name__, "lrs": values}


def main():
    problem = make_problem()
    x, y, weight, bias = problem
    fixture = {
        "generator": "scripts/reference/optimizers.py",
        "torch": torch.__version__,
        "steps": STEPS,
        "problem": {
            "loss": "mean((x @ weight + bias - y) ** 2)",
            "x": {"shape": list(x.shape), "data": rounded(x)},
            "y": {"shape": list(y.shape), "data": rounded(y)},
            "shapes": {WEIGHT: list(weight.shape), BIAS: list(bias.shape)},
            "initial": {WEIGHT: rounded(weight), BIAS: rounded(bias)},
        },
        "trajectories": [run_trajectory(problem, *configuration) for configuration in CONFIGURATIONS],
        "schedules": [schedule_values(schedule, count) for schedule, count in SCHEDULES],
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as handle:
        json.dump(fixture, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {os.path.normpath(OUTPUT)} ({os.path.getsize(OUTPUT)} bytes, {len(CONFIGURATIONS)} trajectories)")


if __name__ == "__main__":
    main()
