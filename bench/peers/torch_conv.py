"""PyTorch's side of bench/conv.ts: forward + backward time of the conv and pooling shapes there.

Usage: /usr/bin/python3 bench/peers/torch_conv.py [--cpu] [threads...]   (default: 1 2)
--cpu times by the process's CPU time instead of the wall clock (for 1-thread runs on a busy
machine: what the work costs, without the time other processes held the core).
Prints one JSON line per (shape, threads): {"name", "threads", "ms", "gflops"}; ms is the best
of repeated runs (at least 1 s of them). Conv rows are conv2d + bias + relu forward, then the
backward pass (input gradient only where the bench asks for it), as a training step runs them.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

# (name, batch, height, width, cin, cout, kernel, padding, input gradient, pool): the Conv2D
# bench row (valid and same), and mnist_convnet's layers at batch 128.
SHAPES = [
    ("conv3x3 64->64 32x32 b32 same", 32, 32, 32, 64, 64, 3, 1, True, None),
    ("conv3x3 64->64 32x32 b32 valid", 32, 32, 32, 64, 64, 3, 0, True, None),
    ("convnet conv1 1->32 28x28 b128", 128, 28, 28, 1, 32, 3, 0, False, None),
    ("convnet pool1 32 26x26 b128", 128, 26, 26, 32, None, None, 0, True, 2),
    ("convnet conv2 32->64 13x13 b128", 128, 13, 13, 32, 64, 3, 0, True, None),
    ("convnet pool2 64 11x11 b128", 128, 11, 11, 64, None, None, 0, True, 2),
]


def best_time(fn, clock, min_time=1.0):
    fn()
    fn()
    best = float("inf")
    start = time.perf_counter()
    reps = 0
    while time.perf_counter() - start < min_time or reps < 5:
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
        reps += 1
    return best


def main():
    args = sys.argv[1:]
    clock = time.process_time if "--cpu" in args else time.perf_counter
    threads = [int(a) for a in args if a != "--cpu"] or [1, 2]
    torch.manual_seed(0)
    for t in threads:
        torch.set_num_threads(t)
        for name, n, h, w, cin, cout, k, pad, need_dx, pool in SHAPES:
            channels = cin
            x = torch.randn(n, channels, h, w, requires_grad=need_dx)
            if pool is None:
                weight = torch.randn(cout, cin, k, k, requires_grad=True)
                bias = torch.randn(cout, requires_grad=True)
                oh, ow = h + 2 * pad - k + 1, w + 2 * pad - k + 1
                flops = (3 if need_dx else 2) * 2 * n * oh * ow * cout * cin * k * k

                def step():
                    y = F.relu(F.conv2d(x, weight, bias, padding=pad))
                    y.backward(torch.ones_like(y))
            else:
                flops = 0

                def step():
                    y = F.max_pool2d(x, pool)
                    y.backward(torch.ones_like(y))
            s = best_time(step, clock)
            print(json.dumps({"name": name, "threads": t, "ms": round(s * 1e3, 3), "gflops": round(flops / s / 1e9, 1) if flops else None}), flush=True)


if __name__ == "__main__":
    main()
