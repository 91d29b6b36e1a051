"""PyTorch's conv / pool timings for bench/conv.ts: forward + backward per shape, GFLOP/s.

Usage: /usr/bin/python3 bench/peers/torch_conv.py [threads...]   (default: 1 2)
Prints one JSON line per (shape, threads): {"name", "threads", "ms", "gflops"}.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

# (name, batch, height, width, cin, cout, kernel, pool): the Conv2D bench row, and the
# mnist_convnet layers at batch 128.
SHAPES = [
    ("conv3x3 64->64 32x32 b32", 32, 32, 32, 64, 64, 3, None),
    ("convnet conv1 1->32 28x28 b128", 128, 28, 28, 1, 32, 3, None),
    ("convnet pool1 32 26x26 b128", 128, 26, 26, 32, None, None, 2),
    ("convnet conv2 32->64 13x13 b128", 128, 13, 13, 32, 64, 3, None),
    ("convnet pool2 64 11x11 b128", 128, 11, 11, 64, None, None, 2),
]


def measure(fn, min_time=1.0):
    fn()
    fn()
    reps, elapsed = 0, 0.0
    best = float("inf")
    start = time.perf_counter()
    while time.perf_counter() - start < min_time or reps < 5:
        t0 = time.perf_counter()
        fn()
        t = time.perf_counter() - t0
        best = min(best, t)
        reps += 1
    return best


def main():
    threads = [int(a) for a in sys.argv[1:]] or [1, 2]
    torch.manual_seed(0)
    for t in threads:
        torch.set_num_threads(t)
        for name, n, h, w, cin, cout, k, pool in SHAPES:
            x = torch.randn(n, cin, h, w, requires_grad=True)
            if pool is None:
                weight = torch.randn(cout, cin, k, k, requires_grad=True)
                bias = torch.randn(cout, requires_grad=True)
                oh, ow = h - k + 1, w - k + 1
                flops = 3 * 2 * n * oh * ow * cout * cin * k * k

                def step():
                    y = F.relu(F.conv2d(x, weight, bias))
                    y.backward(torch.ones_like(y))
            else:
                flops = 0

                def step():
                    y = F.max_pool2d(x, pool)
                    y.backward(torch.ones_like(y))
            s = measure(step)
            print(json.dumps({"name": name, "threads": t, "ms": round(s * 1e3, 3), "gflops": round(flops / s / 1e9, 1) if flops else None}), flush=True)


if __name__ == "__main__":
    main()
