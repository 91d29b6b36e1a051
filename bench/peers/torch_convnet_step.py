"""PyTorch's side of bench/convnet_step.ts: one training step of Keras's mnist_convnet.

    /usr/bin/python3 bench/peers/torch_convnet_step.py [--cpu] [steps=30] [threads...]   (default threads: 1 2)

Conv2d 32 3x3 relu -> MaxPool 2 -> Conv2d 64 3x3 relu -> MaxPool 2 -> Flatten -> Dropout 0.5 ->
Linear 10, cross-entropy on the logits, Adam (eps 1e-7, Keras's), batch 128 of random images.
Prints one JSON line per thread count: the best ms per step, the epoch (422 steps) it makes, and
the forward time of a batch in eval mode. --cpu times by process CPU time (a busy machine).
"""
import json
import sys
import time

import torch
import torch.nn as nn


def main():
    args = sys.argv[1:]
    clock = time.process_time if "--cpu" in args else time.perf_counter
    nums = [int(a) for a in args if a != "--cpu"]
    steps = nums[0] if nums else 30
    threads = nums[1:] or [1, 2]
    torch.manual_seed(0)
    batch = 128
    for t in threads:
        torch.set_num_threads(t)
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10),
        )
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.rand(batch, 1, 28, 28)
        y = torch.randint(0, 10, (batch,))

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()

        model.train()
        for _ in range(3):
            step()
        best, total = float("inf"), 0.0
        for _ in range(steps):
            t0 = clock()
            step()
            dt = clock() - t0
            best = min(best, dt)
            total += dt
        model.eval()
        predict = float("inf")
        with torch.no_grad():
            for _ in range(10):
                t0 = clock()
                model(x)
                predict = min(predict, clock() - t0)
        print(json.dumps({"threads": t, "clock": "cpu" if clock is time.process_time else "wall", "stepMs": round(best * 1e3, 2),
                          "meanStepMs": round(total / steps * 1e3, 2), "epochS": round(best * 422, 2), "predictBatchMs": round(predict * 1e3, 2)}), flush=True)


if __name__ == "__main__":
    main()
