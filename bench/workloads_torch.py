"""PyTorch CPU side of bench/workloads.mjs (the issue-13 workloads).

Usage: python3 bench/workloads_torch.py '{"workloads": [...], "plan": {...}, "gpt": {...}}'
Prints one JSON object: torch version and, per workload and thread count (1 and 2), the
median (min, mean, per-round medians) milliseconds of one training step (zero_grad,
forward, loss, backward, optimizer step, loss.item()), or of one 512^3 matmul.
The GPT is nanoGPT-shaped (token + position embeddings, pre-norm blocks with causal
self-attention and a 4x GELU MLP, final LayerNorm, untied head), like TensorZoo's GPT.
"""

import json
import statistics
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d_model, num_heads, context_length):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))
        self.num_heads = num_heads
        self.register_buffer("causal", torch.ones(context_length, context_length, dtype=torch.bool).triu(1))

    def forward(self, x, cache=None):  # [B, T, C]; cache: a dict holding this block's keys and values
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        shape = (b, t, self.num_heads, c // self.num_heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))  # [B, H, T, D]
        if cache is not None:  # KV cache: attend to every earlier token too
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        total = k.shape[2]
        # Explicit attention (Debian's torch 1.13 has no F.scaled_dot_product_attention).
        scores = (q @ k.transpose(-2, -1)) / (q.shape[-1] ** 0.5)  # [B, H, T, total]
        scores = scores.masked_fill(self.causal[total - t : total, :total], float("-inf"))
        y = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, context_length, d_model, num_heads, num_layers):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, d_model)
        self.positions = nn.Embedding(context_length, d_model)
        self.blocks = nn.Sequential(*[Block(d_model, num_heads, context_length) for _ in range(num_layers)])
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, ids, caches=None, start=0):  # [B, T] -> [B, T, V]; caches: one dict per block
        x = self.tokens(ids) + self.positions(torch.arange(start, start + ids.shape[1]))
        for index, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[index])
        return self.head(self.ln(x))


def generation_step(workload, gpt):
    """Greedy generation of workload["tokens"] tokens after a 1-token prompt, with a KV cache."""
    model = GPT(gpt["vocabSize"], gpt["contextLength"], gpt["dModel"], gpt["numHeads"], gpt["numLayers"]).eval()

    def step():
        with torch.no_grad():
            caches = [{} for _ in model.blocks]
            logits = model(torch.zeros(1, 1, dtype=torch.long), caches, 0)
            tokens = []
            for index in range(workload["tokens"]):
                token = int(logits[0, -1].argmax())
                tokens.append(token)
                if index < workload["tokens"] - 1:
                    logits = model(torch.tensor([[token]]), caches, index + 1)
            return len(tokens)

    return step


def dcgan_step(workload):
    """The dcgan-mnist step: one discriminator and one generator update (non-saturating, logits)."""
    batch = workload["batchSize"]
    generator = nn.Sequential(
        nn.Linear(100, 48 * 7 * 7, bias=False), nn.BatchNorm1d(48 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (48, 7, 7)),
        nn.ConvTranspose2d(48, 24, 4, 2, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(),
        nn.ConvTranspose2d(24, 1, 4, 2, 1), nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(1, 16, 4, 2, 1), nn.LeakyReLU(0.01), nn.Conv2d(16, 32, 4, 2, 1), nn.LeakyReLU(0.01),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 1),
    )
    settings = dict(lr=workload["lr"], betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(generator.parameters(), **settings)
    optimizer_d = torch.optim.Adam(discriminator.parameters(), **settings)
    real = torch.rand(batch, 1, 28, 28) * 2 - 1

    def step():
        fake = generator(torch.randn(batch, 100))
        loss_d = F.softplus(-discriminator(real)).mean() + F.softplus(discriminator(fake.detach())).mean()
        optimizer_d.zero_grad(set_to_none=True)
        loss_d.backward()
        optimizer_d.step()
        loss_d.item()
        loss_g = F.softplus(-discriminator(generator(torch.randn(batch, 100)))).mean()
        optimizer_g.zero_grad(set_to_none=True)
        loss_g.backward()
        optimizer_g.step()
        return loss_g.item()

    return step


class VAE(nn.Module):
    """vae-mnist's VAE: 784-400-20, ReLU, sigmoid output (pytorch/examples vae/main.py)."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def build(workload, gpt):
    batch = workload["batchSize"]
    kind = workload["kind"]
    if kind == "mlp":
        model = nn.Sequential(nn.Linear(784, 2048), nn.ReLU(), nn.Linear(2048, 1024), nn.ReLU(), nn.Linear(1024, 10))
        x, y = torch.rand(batch, 784), torch.randint(0, 10, (batch,))
        loss = lambda: F.cross_entropy(model(x), y)
    elif kind == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
        )
        x, y = torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
        loss = lambda: F.cross_entropy(model(x), y)
    elif kind == "vae":
        model = VAE()
        x = torch.rand(batch, 784)

        def loss():
            reconstruction, mu, logvar = model(x)
            bce = F.binary_cross_entropy(reconstruction, x, reduction="sum")
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            return (bce + kl) / batch
    else:
        model = GPT(gpt["vocabSize"], gpt["contextLength"], gpt["dModel"], gpt["numHeads"], gpt["numLayers"])
        ids = torch.randint(0, gpt["vocabSize"], (batch, gpt["contextLength"] + 1))
        x, y = ids[:, :-1], ids[:, 1:]
        loss = lambda: F.cross_entropy(model(x).reshape(-1, gpt["vocabSize"]), y.reshape(-1))
    name = workload["optimizer"]
    if name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=workload["lr"])
    elif name == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=workload["lr"])
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=workload["lr"], weight_decay=0.01)

    def step():
        optimizer.zero_grad(set_to_none=True)
        value = loss()
        value.backward()
        optimizer.step()
        return value.item()

    return step


def time_workload(workload, gpt, plan, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if workload["kind"] == "matmul":
        size = workload["batchSize"]
        a, b = torch.rand(size, size), torch.rand(size, size)
        step = lambda: (a @ b).sum().item()
    elif workload["kind"] == "dcgan":
        step = dcgan_step(workload)
    elif workload["kind"] == "generate":
        step = generation_step(workload, gpt)
    else:
        step = build(workload, gpt)
    for _ in range(plan["warmup"]):
        step()
    rounds = []
    for _ in range(plan["rounds"]):
        times = []
        for _ in range(plan["steps"] if workload["kind"] != "matmul" else plan["steps"] * 5):
            started = time.perf_counter()
            step()
            times.append((time.perf_counter() - started) * 1000)
        rounds.append(times)
    flat = [value for times in rounds for value in times]
    result = {
        "medianMs": statistics.median(flat),
        "minMs": min(flat),
        "meanMs": statistics.fmean(flat),
        "steps": len(flat),
        "roundMediansMs": [statistics.median(times) for times in rounds],
    }
    if workload["kind"] == "generate":
        result["tokensPerSecond"] = 1000 * workload["tokens"] / result["medianMs"]
    if workload["kind"] == "matmul":
        result["gflops"] = 2 * workload["batchSize"] ** 3 / (result["medianMs"] * 1e6)
    return result


def main():
    config = json.loads(sys.argv[1])
    results = {}
    for workload in config["workloads"]:
        results[workload["name"]] = {str(threads): time_workload(workload, config["gpt"], config["plan"], threads) for threads in (1, 2)}
    print(json.dumps({"torchVersion": torch.__version__, "threadCounts": [1, 2], "results": results}))


if __name__ == "__main__":
    main()
