#!/usr/bin/python3
"""PyTorch side of fathom-bench's SeqBench: one full training step (forward, mean cross-entropy,
zero_grad, backward, optimiser step) of the lstm and gpt reference workloads on fixed random
token ids, median ms per step. The models are pytorch_bench.py's (CharLSTM, TinyGPT).
Run with Debian's torch: /usr/bin/python3 tools/bench/seq_step.py [threads] [path to pytorch_bench.py's folder]
(threads defaults to 1, PyTorch's best setting for these workloads on 2 cores). On a busy machine
OPENBLAS_NUM_THREADS=1 and the process CPU time per step give a load-independent single-core figure."""
import os
import sys
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 1
sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else "/work/shared/bench")
sys.argv = [sys.argv[0], "--torch-threads", str(THREADS)]   # pytorch_bench applies it on import
import pytorch_bench as pb   # noqa: E402
import torch                  # noqa: E402
import torch.nn.functional as F  # noqa: E402

V = 86


def timeit(fn, warm=10, reps=30):
    """Median wall time and median process CPU time (all threads) of one call, in seconds."""
    for _ in range(warm):
        fn()
    ts, cs = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    ts.sort()
    cs.sort()
    return ts[len(ts) // 2], cs[len(cs) // 2]


g = torch.Generator().manual_seed(1)
torch.manual_seed(0)
lstm = pb.CharLSTM(V)
lstm_opt = torch.optim.Adam(lstm.parameters(), lr=2e-3)
lx, ly = torch.randint(0, V, (32, 64), generator=g), torch.randint(0, V, (32 * 64,), generator=g)
torch.manual_seed(0)
gpt = pb.TinyGPT(V)
gpt_opt = torch.optim.AdamW(gpt.parameters(), lr=3e-4)
gx, gy = torch.randint(0, V, (16, 128), generator=g), torch.randint(0, V, (16 * 128,), generator=g)
state = None


def lstm_step():
    global state
    logits, st = lstm(lx, state)
    state = tuple(s.detach() for s in st)
    loss = F.cross_entropy(logits.reshape(-1, V), ly)
    lstm_opt.zero_grad(set_to_none=True)
    loss.backward()
    lstm_opt.step()
    return loss.item()


def gpt_step():
    loss = F.cross_entropy(gpt(gx).reshape(-1, V), gy)
    gpt_opt.zero_grad(set_to_none=True)
    loss.backward()
    gpt_opt.step()
    return loss.item()


print("torch", torch.__version__, "threads", torch.get_num_threads(), "load", os.getloadavg())
for name, fn in (("lstmStep", lstm_step), ("gptStep", gpt_step)):
    t, c = timeit(fn)
    print("%-9s %8.2f ms/step  %8.0f tokens/s  (process CPU %.2f ms/step)" % (name, t * 1e3, 2048 / t, c * 1e3))
