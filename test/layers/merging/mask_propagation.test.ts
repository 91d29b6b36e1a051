import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { getKerasMask, setKerasMask } from "../../../src/backend/masking.js";
import type { Tensor } from "../../../src/backend/tensor.js";

const { layers, ops } = keras;

function masked(shape: number[], mask: boolean[][]): Tensor {
  const t = ops.ones(shape);
  setKerasMask(t, ops.convertToTensor(mask));
  return t;
}

test("merge layers pass on the OR of their inputs' masks (none if an input has none), as Keras's Merge", () => {
  const a = masked([2, 3, 2], [[true, false, false], [true, true, false]]);
  const b = masked([2, 3, 2], [[false, true, false], [true, false, false]]);
  for (const layer of [new layers.Add(), new layers.Multiply(), new layers.Average(), new layers.Maximum(), new layers.Minimum(), new layers.Subtract()]) {
    const y = layer.apply([a, b]) as Tensor;
    assert.deepEqual(getKerasMask(y)!.arraySync(), [[true, true, false], [true, true, false]], layer.className());
  }
  assert.equal(getKerasMask(new layers.Add().apply([a, ops.ones([2, 3, 2])]) as Tensor), undefined);
});

test("Concatenate: masks expanded over each input, concatenated, any() over the last axis", () => {
  const a = masked([2, 3, 2], [[true, false, false], [true, true, false]]);
  const plain = ops.ones([2, 3, 1]);
  const y = new layers.Concatenate().apply([a, plain]) as Tensor;
  // The unmasked input counts as all true, so every step is kept along the feature axis.
  assert.deepEqual(getKerasMask(y)!.arraySync(), [[true, true, true], [true, true, true]]);
  const b = masked([2, 3, 2], [[false, true, false], [false, false, false]]);
  const time = new layers.Concatenate(1).apply([a, b]) as Tensor;
  assert.deepEqual([...getKerasMask(time)!.shape], [2, 6]);
  assert.deepEqual(getKerasMask(time)!.arraySync(), [[true, false, false, false, true, false], [true, true, false, false, false, false]]);
});

test("Dot drops the mask (Keras's Dot.compute_mask is None)", () => {
  const a = masked([2, 3], [[true, false, true], [true, true, false]]);
  assert.equal(getKerasMask(new layers.Dot(1).apply([a, a]) as Tensor), undefined);
});
