"""OpenBLAS GEMM through numpy, for `npm run bench`: float32 `a @ b` GFLOP/s.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/gemm_numpy.py '{"quick": false, "shapes": [[32, 784, 128]]}'

bench.ts sets OPENBLAS_NUM_THREADS (1 or 2), and OPENBLAS_CORETYPE to time one instruction set's
kernels. Reports which BLAS library is really mapped into the process and which kernels OpenBLAS
chose (blas_info.py; Debian's numpy links libblas.so.3, an alternative that must point at OpenBLAS:
install libopenblas0-pthread). The output array is allocated on
every call, as keras.ops.matmul allocates its result. Prints one line `RESULT {json}` on stdout.
"""
import json
import os
import resource
import sys
import time

import numpy as np

import blas_info

def main():
    cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    if cfg.get("probe"):
        np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
        blas = blas_info.describe()
        print("RESULT " + json.dumps(dict(kind="probe", backend=f"numpy {np.__version__}, {blas['text']}", blas=blas,
                                          openblas=blas["kind"] == "openblas")), flush=True)
        return
    budget = 0.4 if cfg.get("quick") else 1.5
    rng = np.random.default_rng(0)
    shapes = []
    for m, k, n in cfg["shapes"]:  # GEMM_SHAPES of bench/peers/common.ts
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        flops = 2 * m * k * n
        t = time.perf_counter()
        a @ b
        first = max(time.perf_counter() - t, 1e-6)
        for _ in range(max(1, min(50, round(0.3 / first)))):
            a @ b
        t = time.perf_counter()
        a @ b
        one = max(time.perf_counter() - t, 1e-6)
        runs = max(3, min(500, round(budget / one)))
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t)
        ms = float(np.median(times)) * 1000
        shapes.append(dict(name=f"{m} x {k} x {n}", ms=ms, gflops=flops / (ms * 1e6)))
        print(f"  numpy/OpenBLAS ({os.environ.get('OPENBLAS_NUM_THREADS', 'default')} threads) matmul {m}x{k}x{n}: "
              f"{flops / (ms * 1e6):.2f} GFLOP/s (median of {runs})", file=sys.stderr, flush=True)
    blas = blas_info.describe()
    result = dict(kind="gemm", peer="OpenBLAS (numpy)" if blas["kind"] == "openblas" else f"numpy ({blas['text']})",
                  detail=f"numpy {np.__version__}; {blas['text']}", isa=blas["isa"] or blas["text"], blas=blas,
                  threads=os.environ.get("OPENBLAS_NUM_THREADS", "default"), shapes=shapes, openblas=blas["kind"] == "openblas",
                  cpuSeconds=resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
