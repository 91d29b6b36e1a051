import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../../helpers.js";
import { runLayerTest } from "../../harness.js";

const { layers, ops } = keras;

const grid3 = (): keras.Tensor => ops.reshape(f32([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 3, 3, 1]);
const plain = (t: keras.Tensor): number[][] => ops.squeeze(t, [0, 3]).arraySync() as number[][];

test("RandomRotation, RandomZoom, RandomTranslation: the harness", async () => {
  await runLayerTest({ make: () => new layers.RandomRotation(0.1, { seed: 1 }), inputShape: [2, 4, 4, 2], expectedOutputShape: [null, 4, 4, 2], expectedParams: 0, expectedConfig: { factor: [-0.1, 0.1], fill_mode: "reflect", interpolation: "bilinear", fill_value: 0, seed: 1, data_format: "channels_last" } });
  await runLayerTest({ make: () => new layers.RandomZoom(0.2, { widthFactor: [-0.1, 0.3] }), inputShape: [2, 4, 4, 1], expectedOutputShape: [null, 4, 4, 1], expectedConfig: { height_factor: 0.2, width_factor: [-0.1, 0.3] } });
  await runLayerTest({ make: () => new layers.RandomTranslation(0.1, [0, 0.2], { fillMode: "constant" }), inputShape: [2, 4, 4, 1], expectedOutputShape: [null, 4, 4, 1], expectedConfig: { height_factor: 0.1, width_factor: [0, 0.2], fill_mode: "constant" } });
});

test("RandomRotation: a quarter turn is counter-clockwise (hand-computed)", () => {
  const quarter = new layers.RandomRotation([0.25, 0.25]);
  assertClose(ops.squeeze(quarter.apply(grid3()), [0, 3]), [[3, 6, 9], [2, 5, 8], [1, 4, 7]], 4);
  const half = new layers.RandomRotation([-0.5, -0.5], { interpolation: "nearest" });
  assert.deepEqual(plain(half.apply(grid3())), [[9, 8, 7], [6, 5, 4], [3, 2, 1]]);
  assert.deepEqual(plain(quarter.apply(grid3(), { training: false })), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  // channels_first: the same rotation on [1, 1, 3, 3]
  const cf = new layers.RandomRotation([0.25, 0.25], { dataFormat: "channels_first" }).apply(ops.reshape(grid3(), [1, 1, 3, 3]));
  assertClose(ops.reshape(cf, [3, 3]), [[3, 6, 9], [2, 5, 8], [1, 4, 7]], 4);
  // An eighth of a turn with constant fill leaves the corners empty.
  const eighth = new layers.RandomRotation([0.125, 0.125], { fillMode: "constant", fillValue: -1 }).apply(ops.ones([1, 5, 5, 1]));
  const v = plain(eighth);
  assert.ok(v[0][0] < 0 && v[4][4] < 0 && Math.abs(v[2][2] - 1) < 1e-5);
});

test("RandomZoom: zooms about the centre (hand-computed bilinear)", () => {
  // height factor -0.5 for both axes: zoom 0.5 (2x in), offsets (3 - 1) / 2 * 0.5 = 0.5
  const zoom = new layers.RandomZoom([-0.5, -0.5]);
  assertClose(ops.squeeze(zoom.apply(grid3()), [0, 3]), [[3, 3.5, 4], [4.5, 5, 5.5], [6, 6.5, 7]]);
  // width only: height factor 0, width factor -0.5
  const wide = new layers.RandomZoom(0, { widthFactor: [-0.5, -0.5] });
  assertClose(ops.squeeze(wide.apply(grid3()), [0, 3]), [[1.5, 2, 2.5], [4.5, 5, 5.5], [7.5, 8, 8.5]]);
  // zooming out by 2 with constant fill: the image shrinks into the centre
  const out = new layers.RandomZoom([1, 1], { fillMode: "constant", interpolation: "nearest" }).apply(grid3());
  assert.deepEqual(plain(out), [[0, 0, 0], [0, 5, 0], [0, 0, 0]]);
});

test("RandomTranslation: shifts by fractions of the size; the four fill modes (hand-computed)", () => {
  const row = ops.reshape(f32([1, 2, 3, 4]), [1, 1, 4, 1]);
  const shifted = (fillMode: "constant" | "reflect" | "wrap" | "nearest"): number[] =>
    Array.from(new layers.RandomTranslation(0, [0.5, 0.5], { fillMode }).apply(row).dataSync());
  assert.deepEqual(shifted("constant"), [0, 0, 1, 2]);
  assert.deepEqual(shifted("reflect"), [2, 1, 1, 2]);
  assert.deepEqual(shifted("wrap"), [3, 4, 1, 2]);
  assert.deepEqual(shifted("nearest"), [1, 1, 1, 2]);
  // down by half the height (one row of two)
  const down = new layers.RandomTranslation([0.5, 0.5], 0, { fillMode: "constant" }).apply(ops.reshape(f32([1, 2, 3, 4]), [1, 2, 2, 1]));
  assert.deepEqual(plain(down), [[0, 0], [1, 2]]);
  // a fractional shift interpolates: a quarter of a pixel to the right
  const quarter = new layers.RandomTranslation(0, [1 / 16, 1 / 16], { fillMode: "nearest" }).apply(row);
  assertClose(ops.reshape(quarter, [4]), [1, 1.75, 2.75, 3.75]);
});

test("Rotation, zoom and translation: seeded, different per image, config round trips and errors", () => {
  const images = ops.reshape(ops.arange(4 * 5 * 5), [4, 5, 5, 1]);
  const a = new layers.RandomRotation(0.2, { seed: 3 }).apply(images).arraySync() as number[][][][];
  assert.deepEqual(new layers.RandomRotation(0.2, { seed: 3 }).apply(images).arraySync(), a);
  assert.notDeepEqual(a[0], a[1]);
  assert.deepEqual(new layers.RandomZoom(0.1, { name: "z" }).getConfig(), {
    ...baseConfig("z"), height_factor: 0.1, width_factor: null, fill_mode: "reflect", interpolation: "bilinear", seed: null, fill_value: 0, data_format: "channels_last",
  });
  assertRoundTrip(new layers.RandomRotation([-0.2, 0.3], { fillMode: "wrap", interpolation: "nearest", seed: 2 }));
  assertRoundTrip(new layers.RandomZoom([-0.3, 0.1], { widthFactor: 0.2, fillMode: "nearest" }));
  assertRoundTrip(new layers.RandomTranslation(0.1, 0.2, { fillValue: 1, dataFormat: "channels_first" }));
  assert.throws(() => new layers.RandomRotation(0.1, { fillMode: "mirror" as "reflect", name: "r" }), /RandomRotation layer 'r': unknown `fill_mode` "mirror". Expected one of reflect, wrap, constant, nearest/);
  assert.throws(() => new layers.RandomZoom(1.5, { name: "z2" }), /RandomZoom layer 'z2': the `height_factor` argument should be a number \(or a list of two numbers\) in the range \(-1, 1\]. Received: height_factor=1.5/);
  // Keras's RandomZoom refuses -1 (a zoom to nothing); RandomTranslation takes it; each value of a pair is checked.
  assert.throws(() => new layers.RandomZoom([-1, 0.5]), /in the range \(-1, 1\]. Received: height_factor=\[-1,0.5\]/);
  assert.deepEqual(new layers.RandomTranslation([-1, 0.5], 1).heightRange, [-1, 0.5]);
  assert.throws(() => new layers.RandomTranslation([-2, 0.5], 0), /the `height_factor` argument .* in the range \[-1, 1\]/);
  // The base rule (RandomRotation's): a pair need only overlap the bounds.
  assert.deepEqual(new layers.RandomRotation([-2, 0.5]).factor, [-2, 0.5]);
  assert.throws(() => new layers.RandomTranslation(0.1, [0.1, 2]), /`width_factor` argument/);
  assert.throws(() => new layers.RandomRotation(2), /in the range \[-1, 1\]/);
});
