"""OpenBLAS GEMM through numpy, for `npm run bench`: float32 `a @ b` GFLOP/s.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/gemm_numpy.py '{"quick": false}'

bench.ts sets OPENBLAS_NUM_THREADS (1 or 2). Reports which BLAS library is really mapped into the
process (Debian's numpy links libblas.so.3, an alternative that must point at OpenBLAS: install
libopenblas0-pthread) and OpenBLAS's own configuration string. The output array is allocated on
every call, as keras.ops.matmul allocates its result. Prints one line `RESULT {json}` on stdout.
"""
import ctypes
import json
import os
import resource
import sys
import time

import numpy as np

SHAPES = [(32, 784, 128), (128, 784, 512), (1024, 1024, 1024)]


def mapped_blas():
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line.lower()}
    return sorted({os.path.realpath(p) for p in paths if p.startswith("/")})


def openblas_info(libs):
    for path in libs:
        if "openblas" not in os.path.basename(path):
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_num_threads.restype = ctypes.c_int
            config = lib.openblas_get_config().decode()
            try:
                lib.openblas_get_corename.restype = ctypes.c_char_p
                config += f"; kernels for core {lib.openblas_get_corename().decode()}"
            except AttributeError:
                pass
            return config, lib.openblas_get_num_threads()
        except (OSError, AttributeError):
            continue
    return None, None


def main():
    cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    if cfg.get("probe"):
        np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
        libs = mapped_blas()
        config, threads = openblas_info(libs)
        blas = ", ".join(os.path.basename(p) for p in libs) or "none mapped"
        print("RESULT " + json.dumps(dict(kind="probe", backend=f"numpy {np.__version__}, {config or 'BLAS ' + blas}",
                                          threads=str(threads), openblas=bool(config))), flush=True)
        return
    budget = 0.4 if cfg.get("quick") else 1.5
    rng = np.random.default_rng(0)
    shapes = []
    for m, k, n in SHAPES:
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
        shapes.append(dict(m=m, k=k, n=n, ms=ms, gflops=flops / (ms * 1e6)))
        print(f"  numpy/OpenBLAS ({os.environ.get('OPENBLAS_NUM_THREADS', 'default')} threads) matmul {m}x{k}x{n}: "
              f"{flops / (ms * 1e6):.2f} GFLOP/s (median of {runs})", file=sys.stderr, flush=True)
    libs = mapped_blas()
    config, threads = openblas_info(libs)
    detail = f"numpy {np.__version__}; BLAS {', '.join(os.path.basename(p) for p in libs) or 'none mapped'}"
    if config:
        detail += f"; {config}"
    result = dict(kind="gemm", peer="OpenBLAS (numpy)" if config else "numpy (BLAS is not OpenBLAS)", detail=detail,
                  threads=str(threads if threads is not None else os.environ.get("OPENBLAS_NUM_THREADS", "default")),
                  shapes=shapes, openblas=bool(config),
                  cpuSeconds=resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
