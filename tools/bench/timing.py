"""Shared timing helper of the PyTorch-side bench scripts in this folder."""
import time


def timeit(fn, warm=5, reps=15):
    """Median wall time in seconds of `reps` calls of fn after `warm` untimed ones."""
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2]
