"""PyTorch peer of bench/rnn.ts: recurrent models over the 28 rows of MNIST digits.

    /usr/bin/python3 bench/peers/torch_rnn.py '{"model": "lstm", "epochs": 1, "threads": 1, "mnistDir": "..."}'

Models (as bench/rnn.ts builds them in keras-ts):
    lstm  nn.LSTM(28 -> 128) + Linear(128 -> 10), Adam (Keras defaults: lr 1e-3, eps 1e-7), batch 128
    gru   nn.GRU(28 -> 64) + Linear(64 -> 10), RMSprop (Keras defaults: lr 1e-3, alpha 0.9, eps 1e-7), batch 64
PyTorch's GRU applies the reset gate after the recurrent product, as Keras's default reset_after=True.
Softmax cross-entropy on the logits with integer labels, a fresh shuffle every epoch, inputs x / 255.
"trainSamples" limits the training set (the epoch time is then scaled to 60,000 samples).
Prints progress on stderr and one line `RESULT {json}` on stdout.
"""
import json
import sys
import time

import numpy as np


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


MODELS = {
    "lstm": dict(cell="lstm", units=128, batch=128, optimizer="adam"),
    "gru": dict(cell="gru", units=64, batch=64, optimizer="rmsprop"),
}


def main():
    cfg = json.loads(sys.argv[1])
    import torch
    from torch import nn

    torch.set_num_threads(int(cfg.get("threads", 1)))
    torch.manual_seed(42)
    spec = MODELS[cfg["model"]]
    d = cfg["mnistDir"]
    x = read_idx(f"{d}/train-images-idx3-ubyte").astype(np.float32) / np.float32(255)
    y = read_idx(f"{d}/train-labels-idx1-ubyte").astype(np.int64)
    n = int(cfg.get("trainSamples", len(x)))
    x, y = torch.from_numpy(x[:n].copy()), torch.from_numpy(y[:n].copy())

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            rnn = nn.LSTM if spec["cell"] == "lstm" else nn.GRU
            self.rnn = rnn(28, spec["units"], batch_first=True)
            self.out = nn.Linear(spec["units"], 10)

        def forward(self, inputs):
            _, state = self.rnn(inputs)
            h = state[0] if isinstance(state, tuple) else state
            return self.out(h[-1])

    model = Net()
    if spec["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    else:
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    batch = spec["batch"]
    times = []
    for epoch in range(int(cfg.get("epochs", 1))):
        start = time.perf_counter()
        order = torch.randperm(n)
        correct, total_loss = 0, 0.0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
        elapsed = time.perf_counter() - start
        times.append(elapsed * 60000 / n)
        log(f"epoch {epoch + 1}: {elapsed:.1f} s, loss {total_loss / n:.4f}, accuracy {correct / n:.4f}")
    print("RESULT " + json.dumps({
        "kind": "rnn", "peer": "pytorch", "model": cfg["model"], "threads": torch.get_num_threads(),
        "torch": torch.__version__, "epochSeconds": times, "trainSamples": n,
    }), flush=True)


if __name__ == "__main__":
    main()
