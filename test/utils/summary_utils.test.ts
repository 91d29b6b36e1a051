import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

test("summary of the seed 003 model matches Keras 3's table", () => {
  keras.utils.clearSession();
  const model = new keras.Sequential([
    new keras.layers.Dense(512, { activation: "relu", inputShape: [784] }),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  let text = "";
  model.summary({ printFn: (s) => (text = s), lineLength: 76 });
  assert.equal(
    text,
    [
      'Model: "sequential"',
      "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
      "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
      "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
      "│ dense (Dense)                   │ (None, 512)            │       401,920 │",
      "├─────────────────────────────────┼────────────────────────┼───────────────┤",
      "│ dense_1 (Dense)                 │ (None, 10)             │         5,130 │",
      "└─────────────────────────────────┴────────────────────────┴───────────────┘",
      " Total params: 407,050 (1.55 MB)",
      " Trainable params: 407,050 (1.55 MB)",
      " Non-trainable params: 0 (0.00 B)",
      "",
    ].join("\n"),
  );
});

test("summary of a branched functional model has a Connected to column", () => {
  keras.utils.clearSession();
  const a = keras.Input({ shape: [4] });
  const b = keras.Input({ shape: [4] });
  const shared = new keras.layers.Dense(2);
  const out = new keras.layers.Dense(1).apply(shared.apply(a));
  const model = new keras.Model({ inputs: [a, b], outputs: [out, shared.apply(b)] });
  let text = "";
  model.summary({ printFn: (s) => (text = s) });
  assert.match(text, /Connected to/);
  assert.match(text, /input_layer\[0\]\[0\]/);
  assert.match(text, /Total params: 13 \(52\.00 B\)/);
});
