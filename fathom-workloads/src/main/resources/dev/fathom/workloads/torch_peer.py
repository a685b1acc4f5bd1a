#!/usr/bin/python3
"""Runs one workload of shared/bench/pytorch_bench.py and prints its figures for `./fathom bench --compare`.

Usage: torch_peer.py <pytorch_bench.py> <workload> <torch threads> <OpenBLAS threads or 'default'> <quick 0|1>
Output: the script's own lines, then one line per figure: FIGURE<TAB>key<TAB>value<TAB>foreign load,
under the keys Fathom's side uses, and the peak resident memory of the run (ru_maxrss of the child).
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile

script, cmd, threads, blas, quick = sys.argv[1:6]
env = dict(os.environ)
if blas != "default":
    env["OPENBLAS_NUM_THREADS"] = blas
nan = float("nan")


def openblas_core():
    """The kernel set of the OpenBLAS that torch uses (Debian's libblas.so.3), as OPENBLAS_CORETYPE leaves it."""
    import ctypes
    os.environ["OPENBLAS_NUM_THREADS"] = "1"   # this process only loads it to ask; the child's env is copied above
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            f = ctypes.CDLL(name).openblas_get_corename
        except (OSError, AttributeError):
            continue
        f.restype = ctypes.c_char_p
        return f().decode()
    return None


core = openblas_core()
if core:
    forced = env.get("OPENBLAS_CORETYPE")
    print(f"PyTorch's OpenBLAS kernels: {core}" + (f" (set by OPENBLAS_CORETYPE={forced})" if forced else ""), flush=True)


def fig(key, value, load=nan):
    print(f"FIGURE\t{key}\t{value}\t{load}", flush=True)


def med_load(recs):
    return statistics.median(r.get("foreign_load", nan) for r in recs) if recs else nan


with tempfile.TemporaryDirectory() as d:
    env["BENCH_RESULTS"] = d
    args = [sys.executable, script, cmd, "--torch-threads", threads] + (["--quick"] if quick == "1" else [])
    rc = subprocess.run(args, env=env).returncode
    if rc != 0:
        sys.exit(rc)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0   # KiB -> MiB
    with open(os.path.join(d, cmd + ".json")) as f:
        res = json.load(f)

if cmd == "gemm":
    for row in res["rows"]:
        if row["openblas_threads"].startswith("default"):
            fig(f"gemm.n{row['n']}", row["torch"]["gflops"], row["torch"]["foreign_load"])
elif cmd in ("mlp", "cnn"):
    eps = res["epochs"]
    fig(cmd + ".train", res["samples_per_s_median"], med_load(eps))
    for e in eps:
        if "test_acc" in e:
            fig(f"{cmd}.acc{e['epoch']}", e["test_acc"])
    fig(cmd + ".rss", rss)
elif cmd == "lstm":
    fig("lstm.train", res["tokens_per_s_median"], med_load(res["windows"]))
    for step, ev in res["losses"].items():
        fig(f"lstm.loss{step}.train", ev["train_loss_last20"])
        fig(f"lstm.loss{step}.val", ev["val_loss"])
    fig("lstm.rss", rss)
elif cmd == "gpt":
    fig("gpt.train", res["tokens_per_s_median"], med_load(res["runs"]))
    last = res["runs"][-1]
    fig("gpt.loss1", last["loss_step1"])
    fig("gpt.loss100", last["loss_step100"])
    fig("gpt.last10", last["train_loss_last10"])
    fig("gpt.val", last["val_loss"])
    fig("gpt.rss", rss)
elif cmd == "infer":
    for m in ("mlp", "cnn"):
        o = res[m]
        fig(f"infer.{m}.b1.median", o["batch1_median_us"], med_load(o["batch1"]))
        fig(f"infer.{m}.b1.p99", o["batch1_p99_us"], med_load(o["batch1"]))
        fig(f"infer.{m}.b256", o["batch256_samples_per_s"], med_load(o["batch256"]))
