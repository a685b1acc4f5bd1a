#!/usr/bin/python3
"""PyTorch side of the nn layer benchmark (issue 4): forward+backward of three layers, median of
timed repetitions, 2 threads (or the count given as the first argument). Run with Debian's torch:
/usr/bin/python3 tools/bench/layer_bench.py [threads]
The Fathom side is fathom-bench's LayerBench (same shapes, same FLOP counts)."""
import sys

import torch

from timing import timeit

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)   # optional: thread count
torch.manual_seed(0)


def fb(layer, x, out_of=lambda y: y):
    def run():
        y = out_of(layer(x))
        y.sum().backward()
        for p in layer.parameters():
            p.grad = None
        x.grad = None
    return run


cases = []
lin = torch.nn.Linear(1024, 1024)
x = torch.randn(256, 1024, requires_grad=True)
cases.append(("Linear(1024->1024), batch 256", fb(lin, x), 3 * 2 * 256 * 1024 * 1024))
conv = torch.nn.Conv2d(64, 64, 3, padding=1)
xc = torch.randn(32, 64, 32, 32, requires_grad=True)
cases.append(("Conv2d(64->64, 3x3, pad 1), 32x32, batch 32", fb(conv, xc), 3 * 2 * 32 * 64 * 64 * 9 * 32 * 32))
lstm = torch.nn.LSTM(256, 256)
xl = torch.randn(64, 32, 256, requires_grad=True)
cases.append(("LSTM(256->256), 64 steps, batch 32", fb(lstm, xl, lambda y: y[0]), 3 * 2 * 64 * 32 * (256 + 256) * 4 * 256))
print("torch", torch.__version__, "threads", torch.get_num_threads())
for name, fn, flops in cases:
    t = timeit(fn)
    print("%-45s fwd+bwd %8.2f ms  %6.1f GFLOP/s" % (name, t * 1e3, flops / t / 1e9))
