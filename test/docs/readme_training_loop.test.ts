import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { customTrainingLoop } from "./readme_snippets.js";

// The custom training loop shown in the README (readme_snippets.ts), on small synthetic data, must train.
test("the README's custom training loop lowers the loss", () => {
  keras.utils.setRandomSeed(0);
  const x = keras.random.normal([128, 784], { seed: 1 });
  const y = keras.ops.argmax(keras.ops.slice(x, [0, 0], [128, 10]), -1);
  const nextBatch = (step: number): [keras.Tensor, keras.Tensor] => {
    const start = (step * 32) % 128;
    return [keras.ops.slice(x, [start, 0], [32, 784]), keras.ops.slice(y, [start], [32])];
  };
  // The loop prints its loss every 100 steps.
  const logged: string[] = [];
  const log = console.log;
  console.log = (line: string) => logged.push(line);
  try {
    customTrainingLoop(201, nextBatch);
  } finally {
    console.log = log;
  }
  const losses = logged.map((line) => Number(/^step \d+: loss ([\d.]+)$/.exec(line)?.[1]));
  assert.equal(losses.length, 3, logged.join("\n"));
  assert.ok(losses.every(Number.isFinite) && losses[2] < 0.5 * losses[0], `loss went from ${losses[0]} to ${losses[2]}`);
});
