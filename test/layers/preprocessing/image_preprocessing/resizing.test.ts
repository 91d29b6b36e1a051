import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig } from "../../helpers.js";
import { runLayerTest } from "../../harness.js";

const { layers, ops } = keras;

test("Resizing: the harness", async () => {
  await runLayerTest({ make: () => new layers.Resizing(3, 5), inputShape: [2, 4, 4, 2], expectedOutputShape: [null, 3, 5, 2], expectedParams: 0, expectedConfig: { height: 3, width: 5, interpolation: "bilinear", crop_to_aspect_ratio: false } });
  await runLayerTest({ make: () => new layers.Resizing(2, 2, { interpolation: "nearest", dataFormat: "channels_first" }), inputShape: [2, 1, 4, 4], expectedOutputShape: [null, 1, 2, 2] });
});

test("Resizing: bilinear halving averages 2x2 blocks; integer images stay integers (hand-computed)", () => {
  const x = ops.reshape(ops.arange(16), [1, 4, 4, 1]);
  const y = new layers.Resizing(2, 2).apply(ops.cast(x, "float32"));
  assertClose(ops.reshape(y, [2, 2]), [[2.5, 4.5], [10.5, 12.5]]);
  // uint8 in, uint8 out: rounded half to even, as Keras's round
  const u = new layers.Resizing(2, 2).apply(ops.cast(x, "uint8"));
  assert.equal(u.dtype, "uint8");
  assert.deepEqual(ops.reshape(u, [2, 2]).arraySync(), [[2, 4], [10, 12]]);
  // nearest picks floor((o + 0.5) * 4 / 2): rows and columns 1 and 3
  assert.deepEqual(ops.reshape(new layers.Resizing(2, 2, { interpolation: "nearest" }).apply(x), [2, 2]).arraySync(), [[5, 7], [13, 15]]);
  // crop to the aspect ratio: 4x4 -> 2x1 crops the central 4x2 window first
  const cropped = new layers.Resizing(2, 1, { cropToAspectRatio: true, interpolation: "nearest" }).apply(x);
  assert.deepEqual(ops.reshape(cropped, [2]).arraySync(), [6, 14]);
  // a single image works too, and inference is the same
  assert.deepEqual(new layers.Resizing(2, 3).apply(ops.ones([4, 4, 1]), { training: false }).shape, [2, 3, 1]);
});

test("Resizing: config, round trip, errors", () => {
  assert.deepEqual(new layers.Resizing(5, 6, { name: "r" }).getConfig(), {
    ...baseConfig("r"), height: 5, width: 6, interpolation: "bilinear", crop_to_aspect_ratio: false, pad_to_aspect_ratio: false, fill_mode: "constant", fill_value: 0, data_format: "channels_last",
  });
  assertRoundTrip(new layers.Resizing(8, 8, { interpolation: "bicubic", padToAspectRatio: true, fillValue: 1 }));
  const antialiased = new layers.Resizing(1, 2, { antialias: true });
  assert.equal(assertRoundTrip(antialiased).antialias, true);
  // 4 -> 2 columns: antialias stretches the tent to width 2, so each output reads three inputs
  // (weights 0.75, 0.75, 0.25 at sample 0.5): (1 * 0.75 + 2 * 0.25) / 1.75 and (0.25 + 1.5 + 2.25) / 1.75.
  const row = ops.reshape(ops.arange(4), [1, 1, 4, 1]).astype("float32");
  assertClose(ops.reshape(antialiased.apply(row), [2]), [1.25 / 1.75, 4 / 1.75]);
  assertClose(ops.reshape(new layers.Resizing(1, 2).apply(row), [2]), [0.5, 2.5]);
  assert.throws(() => new layers.Resizing(2, 2, { interpolation: "area" as "nearest", name: "r1" }), /Resizing layer 'r1': interpolation must be one of/);
  assert.throws(() => new layers.Resizing(2, 2, { cropToAspectRatio: true, padToAspectRatio: true, name: "r2" }), /only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio`/);
  assert.throws(() => new layers.Resizing(0, 2, { name: "r3" }), /Resizing layer 'r3': height must be a positive integer, got 0/);
});
