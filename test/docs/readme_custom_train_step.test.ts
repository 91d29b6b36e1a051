import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { customizingFit } from "./readme_snippets.js";

// The README's "Customizing fit" example, as written there (readme_snippets.ts), must train.
test("the README's custom trainStep trains a functional subclass", async () => {
  keras.utils.setRandomSeed(0);
  const model = customizingFit();
  const x = keras.random.uniform([256, 32], { seed: 1 });
  const y = keras.random.uniform([256, 1], { seed: 2 });
  const history = await model.fit(x, y, { epochs: 4, verbose: 0 });
  assert.deepEqual(Object.keys(history.history).sort(), ["loss", "mae"]);
  assert.ok(history.history.loss[3] < history.history.loss[0], `${history.history.loss}`);
});
