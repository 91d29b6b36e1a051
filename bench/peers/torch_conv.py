"""PyTorch peer of `npm run bench`'s Conv2D rows: conv2d + bias + relu forward and backward, GFLOP/s.

    /usr/bin/python3 bench/peers/torch_conv.py '{"threads": 1, "shapes": [...], "quick": false}'

"shapes" are CONV_SHAPES of bench/peers/common.ts (bench.ts passes them). Each step is what
keras-ts's peer times: y = relu(conv2d(x, w, b)), then the gradient of y.sum() with respect to w
and b, and x where the shape asks for it; gradients are dropped between steps, so every step
allocates them as keras-ts's does. PyTorch's own layout (NCHW). Median of runs after a warmup, as
the GEMM peers time. Debian's torch runs these convolutions in oneDNN (aten::mkldnn_convolution):
DNNL_MAX_CPU_ISA holds it to one instruction set, OPENBLAS_CORETYPE has no effect on it; the
result says which implementation and ISA ran (torch_info.py).
Prints progress on stderr and one line `RESULT {json}` on stdout.
"""
import json
import resource
import sys
import time

import torch_info


def median_ms(fn, budget):
    t = time.perf_counter()
    fn()
    first = max(time.perf_counter() - t, 1e-6)
    for _ in range(max(1, min(50, round(0.3 / first)))):
        fn()
    t = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t, 1e-6)
    runs = max(3, min(500, round(budget / one)))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    mid = len(times) // 2
    return (times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2) * 1000, runs


def main():
    cfg = json.loads(sys.argv[1])
    import torch
    import torch.nn.functional as F

    threads = int(cfg.get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    budget = 0.4 if cfg.get("quick") else 1.5
    shapes = []
    convs = set()
    for s in cfg["shapes"]:
        n, size, cin, cout, k = s["batch"], s["size"], s["inChannels"], s["outChannels"], s["kernel"]
        pad = (k - 1) // 2 if s["padding"] == "same" else 0
        out = size + 2 * pad - k + 1
        x = (torch.rand(n, cin, size, size) * 2 - 1).requires_grad_(s["inputGrad"])
        w = torch.empty(cout, cin, k, k)
        torch.nn.init.xavier_uniform_(w)
        w.requires_grad_(True)
        b = torch.zeros(cout, requires_grad=True)
        flops = (3 if s["inputGrad"] else 2) * 2 * n * out * out * cout * cin * k * k

        def step():
            F.relu(F.conv2d(x, w, b, padding=pad)).sum().backward()
            x.grad = w.grad = b.grad = None

        convs.update(torch_info.conv_path(torch, step))
        ms, runs = median_ms(step, budget)
        shapes.append(dict(name=s["name"], ms=ms, gflops=flops / (ms * 1e6)))
        print(f"  pytorch {threads}t Conv2D {s['name']}: {flops / (ms * 1e6):.2f} GFLOP/s, {ms:.2f} ms (median of {runs})", file=sys.stderr, flush=True)
    info = torch_info.describe(torch, sorted(convs))
    result = dict(kind="conv", peer="pytorch", detail=info["detail"], isa=info["isa"].split(", ")[0], blas=info["blas"],
                  threads=str(torch.get_num_threads()), shapes=shapes,
                  cpuSeconds=resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
