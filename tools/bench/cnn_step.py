#!/usr/bin/python3
"""PyTorch side of the cnn workload per step (the Fathom side is fathom-bench's CnnBench): the cnn of
WORKLOADS.md on Fashion-MNIST-shaped random input, seed 0. Prints the median time of a training step
at batch 64 (forward, cross-entropy, zero_grad, backward, Adam lr 1e-3 step) and of eval-mode no-grad
inference at batch 1 and 256. Best setting on the 2-core machine:
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/cnn_step.py --torch-threads 2"""
import argparse

import torch
import torch.nn as nn

from timing import timeit

p = argparse.ArgumentParser()
p.add_argument("--torch-threads", type=int, default=2)
p.add_argument("--reps", type=int, default=200)
args = p.parse_args()
torch.set_num_threads(args.torch_threads)
torch.manual_seed(0)


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))


model = cnn()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
model_eval = cnn().eval()
g = torch.Generator().manual_seed(1)
x64 = torch.rand(64, 1, 28, 28, generator=g)
y64 = torch.randint(0, 10, (64,), generator=g)
x1 = torch.rand(1, 1, 28, 28, generator=g)
x256 = torch.rand(256, 1, 28, 28, generator=g)
loss_fn = nn.CrossEntropyLoss()


def train_step():
    loss = loss_fn(model(x64), y64)
    opt.zero_grad()
    loss.backward()
    opt.step()


def infer(x):
    def run():
        with torch.no_grad():
            model_eval(x)
    return run


print("torch", torch.__version__, "threads", torch.get_num_threads())
t = timeit(train_step, 20, args.reps)
print("trainStep  batch 64  %8.3f ms  %8.0f samples/s" % (t * 1e3, 64 / t))
t = timeit(infer(x1), 300, 10 * args.reps)
print("infer1     batch 1   %8.1f us" % (t * 1e6))
t = timeit(infer(x256), 5, max(10, args.reps // 5))
print("infer256   batch 256 %8.3f ms  %8.0f samples/s" % (t * 1e3, 256 / t))
