import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { assertAllClose } from "../helpers/close.js";

const { ops } = keras;
type Tensor = keras.Tensor;
const assertClose = (actual: Tensor, expected: ArrayLike<number>, what: string, tol = 1e-6): void => assertAllClose(actual, expected, what, tol);

const values = (t: Tensor) => Array.from(t.dataSync());

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

test("image.affineTransform: hand-computed bilinear and nearest reads, every fill mode, projective k", () => {
  const square = ops.convertToTensor([[[1], [2]], [[3], [4]]], "float32"); // one [2, 2, 1] image
  // x' = x + 0.5: each pixel reads halfway to its right neighbour; the right column half outside.
  const halfRight = [1, 0, 0.5, 0, 1, 0, 0, 0];
  assert.deepEqual(values(ops.image.affineTransform(square, halfRight)), [1.5, 1, 3.5, 2]);
  assert.deepEqual(values(ops.image.affineTransform(square, halfRight, "bilinear", "constant", 10)), [1.5, 6, 3.5, 7]);
  assert.deepEqual(values(ops.image.affineTransform(square, halfRight, { fillMode: "nearest" })), [1.5, 2, 3.5, 4]);
  // nearest rounds x + 0.5 half away from zero: column 0 reads column 1, column 1 reads outside.
  assert.deepEqual(values(ops.image.affineTransform(square, halfRight, "nearest")), [2, 0, 4, 0]);
  const row = ops.reshape(ops.convertToTensor([1, 2, 3, 4], "float32"), [1, 1, 4, 1]);
  const shiftRight2 = ops.convertToTensor([[1, 0, -2, 0, 1, 0, 0, 0]], "float32");
  const shifted = (fillMode: "constant" | "nearest" | "wrap" | "mirror" | "reflect") => values(ops.image.affineTransform(row, shiftRight2, { fillMode }));
  assert.deepEqual(shifted("constant"), [0, 0, 1, 2]);
  assert.deepEqual(shifted("nearest"), [1, 1, 1, 2]);
  assert.deepEqual(shifted("wrap"), [3, 4, 1, 2]);
  assert.deepEqual(shifted("reflect"), [2, 1, 1, 2]); // d c b a | a b c d
  assert.deepEqual(shifted("mirror"), [3, 2, 1, 2]); // d c b | a b c d
  // k = 0.5 x + 1 divides: x' = x / (0.5 x + 1) = 0, 2/3, 1, 1.2
  assertClose(ops.image.affineTransform(row, [1, 0, 0, 0, 1, 0, 0.5, 0], { fillMode: "nearest" }), [1, 1 + 2 / 3, 2, 2.2], "projective", 1e-5);
});

test("image.affineTransform: one transform per image, channels first, integer images, Keras's errors", () => {
  const images = ops.reshape(ops.arange(2 * 3 * 3 * 2, null, 1, "float32"), [2, 3, 3, 2]);
  const transforms = ops.convertToTensor([[1, 0, 0, 0, 1, 0, 0, 0], [0, 1, 0, 1, 0, 0, 0, 0]], "float32"); // identity; x <-> y
  const out = ops.image.affineTransform(images, transforms);
  assert.deepEqual(values(ops.slice(out, [0, 0, 0, 0], [1, 3, 3, 2])), values(ops.slice(images, [0, 0, 0, 0], [1, 3, 3, 2])));
  assert.deepEqual(values(ops.slice(out, [1, 0, 0, 0], [1, 3, 3, 2])), values(ops.transpose(ops.slice(images, [1, 0, 0, 0], [1, 3, 3, 2]), [0, 2, 1, 3])));
  const first = ops.image.affineTransform(ops.transpose(images, [0, 3, 1, 2]), transforms, { dataFormat: "channels_first" });
  assert.deepEqual(values(ops.transpose(first, [0, 2, 3, 1])), values(out));
  // Integer images come back in their dtype, rounded half away from zero: 1.5 -> 2, 3.5 -> 4.
  const ints = ops.image.affineTransform(ops.convertToTensor([[[1], [2]], [[3], [4]]], "int32"), [1, 0, 0.5, 0, 1, 0, 0, 0]);
  assert.equal(ints.dtype, "int32");
  assert.deepEqual(values(ints), [2, 1, 4, 2]);
  assert.throws(() => ops.image.affineTransform(images, transforms, "bicubic" as "bilinear"), /image\.affineTransform: Invalid value for argument `interpolation`/);
  assert.throws(() => ops.image.affineTransform(images, transforms, { fillMode: "tile" as "wrap" }), /Invalid value for argument `fill_mode`/);
  assert.throws(() => ops.image.affineTransform(ops.ones([3, 3]), [1, 0, 0, 0, 1, 0, 0, 0]), /Invalid images rank: expected rank 3 \(single image\) or rank 4/);
  assert.throws(() => ops.image.affineTransform(images, [1, 0, 0, 0, 1, 0]), /expected a vector of 8 coefficients or a \[batch, 8\] matrix.*transform\.shape=\[6\]/);
  assert.throws(() => ops.image.affineTransform(images, [1, 0, 0, 0, 1, 0, 0, 0]), /1 transforms for 2 images/);
});

test("image.affineTransform gradients reach the images (finite differences), not the transform", () => {
  const rotation = ops.convertToTensor([[0.8, -0.6, 1.3, 0.6, 0.8, -0.4, 0, 0]], "float32");
  for (const fillMode of ["constant", "reflect", "wrap"] as const) {
    checkGradients((x) => ops.image.affineTransform(x, rotation, { fillMode, fillValue: 0.5 }), [randomTensor([1, 4, 5, 2], 7)]);
  }
  checkGradients((x) => ops.image.affineTransform(x, rotation, "nearest", "mirror"), [randomTensor([1, 4, 4, 1], 8)]);
  checkGradients((x) => ops.image.affineTransform(x, rotation, { dataFormat: "channels_first" }), [randomTensor([1, 2, 4, 5], 9)]);
  const gradTransform = keras.grad((t: Tensor) => ops.sum(ops.image.affineTransform(randomTensor([1, 4, 5, 2], 7), t)))(rotation);
  assert.deepEqual(values(gradTransform), new Array(8).fill(0));
});
