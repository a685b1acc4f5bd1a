#!/usr/bin/env python3
"""PyTorch side of fathom-bench MlpBench: per-call time of the mlp workload's training step
(batch gather by index, zero_grad, forward, cross-entropy, backward, SGD(0.05, 0.9) step, loss.item())
at batch 128, and eval-mode no-grad inference at batch 1 and 256. Prints the median over repetitions.

    /usr/bin/python3 tools/bench/mlp_step.py [--torch-threads 1] [--seconds 2] [--reps 5]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def timed(fn, seconds, reps):
    """Median (over reps) of the mean per-call time in microseconds, each rep running ~seconds."""
    for _ in range(20):
        fn()
    t0 = time.perf_counter(); n = 0
    while time.perf_counter() - t0 < 0.3:
        fn(); n += 1
    per = (time.perf_counter() - t0) / n
    calls = max(1, int(seconds / per))
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        out.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(out), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.torch_threads)
    torch.manual_seed(0)
    n, batch = 60000, 128
    g = torch.Generator().manual_seed(1)
    images = torch.rand(n, 1, 28, 28, generator=g)
    labels = torch.randint(0, 10, (n,), generator=g)
    perm = torch.randperm(n, generator=g)
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    state = {"cursor": 0}

    def train_step():
        c = state["cursor"]
        if c + batch > n:
            c = 0
        idx = perm[c:c + batch]
        state["cursor"] = c + batch
        x, y = images.index_select(0, idx), labels.index_select(0, idx)
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    ev = mlp().eval()
    x1, x256 = images[:1].contiguous(), images[:256].contiguous()

    def infer(x):
        with torch.no_grad():
            return ev(x)

    for name, fn in (("trainStep", train_step), ("infer1", lambda: infer(x1)), ("infer256", lambda: infer(x256))):
        med, all_ = timed(fn, a.seconds, a.reps)
        print(f"{name:10s} {med:10.1f} us/call   reps: " + " ".join(f"{v:.1f}" for v in all_))


if __name__ == "__main__":
    main()
