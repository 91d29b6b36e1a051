import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Tensor = keras.Tensor;

const values = (t: Tensor) => Array.from(t.dataSync());

function assertClose(actual: Tensor, expected: ArrayLike<number>, what: string, tol = 1e-6): void {
  const a = actual.dataSync();
  assert.equal(a.length, expected.length, `${what}: size`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(a[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) assert.fail(`${what}[${i}]: got ${a[i]}, expected ${expected[i]}`);
  }
}

const grid = (h: number, w: number, c = 1) => ops.reshape(ops.arange(h * w * c, null, 1, "float32"), [1, h, w, c]);

test("image.resize bilinear: half-pixel sampling as Keras's backends (down and up), antialias", () => {
  assert.deepEqual(values(ops.image.resize(grid(4, 4), [2, 2])), [2.5, 4.5, 10.5, 12.5]);
  const up = ops.image.resize(ops.reshape(ops.convertToTensor([0, 1, 2, 3], "float32"), [2, 2, 1]), [4, 4]);
  assert.deepEqual([...up.shape], [4, 4, 1]);
  assertClose(up, [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3], "upsample");
  // Antialiased 4 -> 2 along the width: the triangle widened to radius 2, weights [.75, .75, .25, 0] / 1.75.
  assertClose(ops.image.resize(grid(1, 4), [1, 2], "bilinear", true), [1.25 / 1.75, 4 / 1.75], "antialias");
  assertClose(ops.image.resize(grid(1, 4), [1, 2], { antialias: true }), [1.25 / 1.75, 4 / 1.75], "antialias (options)");
  // Bicubic keeps a linear ramp inside the image (Keys cubic reproduces linear functions).
  const ramp = ops.image.resize(grid(1, 8), [1, 16], "bicubic");
  assertClose(ops.slice(ramp, [0, 0, 4, 0], [1, 1, 8, 1]), [1.75, 2.25, 2.75, 3.25, 3.75, 4.25, 4.75, 5.25], "bicubic ramp");
});

test("image.resize nearest, channels first, integer images, cropping and padding to the aspect ratio", () => {
  assert.deepEqual(values(ops.image.resize(grid(4, 4), [2, 2], "nearest")), [5, 7, 13, 15]);
  assert.deepEqual(values(ops.image.resize(ops.reshape(ops.convertToTensor([1, 2, 3, 4], "int32"), [2, 2, 1]), [4, 4], "nearest")), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  assert.equal(ops.image.resize(ops.convertToTensor([[[1], [2]]], "int32"), [2, 2], "nearest").dtype, "int32");
  assert.equal(ops.image.resize(ops.convertToTensor([[[1], [2]]], "uint8"), [2, 2]).dtype, "float32");
  const x = randomTensor([2, 5, 6, 3], 1);
  const cl = ops.image.resize(x, [3, 8]);
  const cf = ops.image.resize(ops.transpose(x, [0, 3, 1, 2]), [3, 8], { dataFormat: "channels_first" });
  assertClose(cf, values(ops.transpose(cl, [0, 3, 1, 2])), "channels first");
  // crop: 4 x 6 to a square keeps the centre 4 x 4 (columns 1-4).
  const img = grid(4, 6);
  const cropped = ops.image.resize(img, [2, 2], "bilinear", false, true);
  assertClose(cropped, values(ops.image.resize(ops.slice(img, [0, 0, 1, 0], [1, 4, 4, 1]), [2, 2])), "cropToAspectRatio");
  // pad: 2 x 4 to a square pads one row above and below with the fill value.
  const padded = ops.image.resize(grid(2, 4), [4, 4], { padToAspectRatio: true, fillValue: -1 });
  assert.deepEqual(values(padded), [-1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1, -1]);
  assert.throws(() => ops.image.resize(img, [2, 2], { cropToAspectRatio: true, padToAspectRatio: true }), /Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio`/);
  assert.throws(() => ops.image.resize(img, [2, 0]), /positive height and width/);
  assert.throws(() => ops.image.resize(img, [2, 2], "area" as never), /interpolation/);
  assert.throws(() => ops.image.resize(ops.ones([4, 4]), [2, 2]), /Invalid images rank|invalid images rank/);
});

test("image.resize gradients match finite differences (bilinear, bicubic with antialias, nearest)", () => {
  checkGradients((x) => ops.image.resize(x, [5, 3]), [randomTensor([1, 3, 4, 2], 2)]);
  checkGradients((x) => ops.image.resize(x, [2, 3], { interpolation: "bicubic", antialias: true, dataFormat: "channels_first" }), [randomTensor([1, 2, 4, 5], 3)]);
  checkGradients((x) => ops.image.resize(x, [4, 2], "nearest"), [randomTensor([3, 3, 1], 4)]);
});

test("image.extractPatches: Keras's shapes, the identity-kernel conv's values, gradients", () => {
  assert.deepEqual([...ops.image.extractPatches(ops.ones([2, 20, 20, 3]), [5, 5]).shape], [2, 4, 4, 75]);
  assert.deepEqual([...ops.image.extractPatches(ops.ones([20, 20, 3]), [3, 3], [1, 1]).shape], [18, 18, 27]);
  assert.deepEqual([...ops.image.extractPatches(ops.ones([2, 10, 10, 10, 3]), [3, 3, 3]).shape], [2, 3, 3, 3, 81]);
  assert.deepEqual([...ops.image.extractPatches(ops.ones([10, 10, 10, 3]), [3, 3, 3]).shape], [3, 3, 3, 81]);
  assert.deepEqual(values(ops.image.extractPatches(grid(4, 4), 2)), [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  // Keras's definition: a conv with the identity kernel [ph, pw, c, ph * pw * c].
  for (const [format, shape] of [["channels_last", [2, 6, 5, 2]], ["channels_first", [2, 2, 6, 5]]] as const) {
    const x = randomTensor([...shape], 5);
    const eye = ops.reshape(ops.eye(3 * 2 * 2), [3, 2, 2, 12]);
    const want = ops.conv(x, eye, [2, 1], "same", format, [1, 2]);
    const got = ops.image.extractPatches(x, [3, 2], [2, 1], [1, 2], "same", format);
    assert.deepEqual([...got.shape], [...want.shape], format);
    assertClose(got, values(want), format);
  }
  checkGradients((x) => ops.image.extractPatches(x, 2, 1, 1, "same"), [randomTensor([1, 3, 3, 2], 6)]);
  assert.throws(() => ops.image.extractPatches(ops.ones([1, 4, 4, 1]), [2, 2, 2, 2]), /Expected an int or a tuple of length 2 or 3/);
});
