import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../../src/index.js";
import { assertRoundTrip, baseConfig } from "../../helpers.js";
import { runLayerTest } from "../../harness.js";

const { layers, ops } = keras;

test("RandomFlip: the harness (identity in predict)", async () => {
  await runLayerTest({ make: () => new layers.RandomFlip("horizontal", { seed: 1 }), inputShape: [2, 4, 4, 3], expectedOutputShape: [null, 4, 4, 3], expectedParams: 0, expectedConfig: { mode: "horizontal", seed: 1, data_format: "channels_last" } });
});

test("RandomFlip: each image is flipped or kept, both happen; training is on by default, off at inference", () => {
  const images = ops.reshape(ops.arange(16 * 2 * 3), [16, 2, 3, 1]);
  const original = images.arraySync() as number[][][][];
  const mirrored = original.map((img) => img.map((row) => [...row].reverse()));
  const upsideDown = original.map((img) => [...img].reverse());
  const both = mirrored.map((img) => [...img].reverse());
  const count = (out: number[][][][], flipped: number[][][][]): number => {
    let n = 0;
    out.forEach((img, i) => {
      const same = JSON.stringify(img) === JSON.stringify(original[i]);
      const flip = JSON.stringify(img) === JSON.stringify(flipped[i]);
      assert.ok(same || flip, `image ${i} is neither kept nor flipped`);
      if (flip) n++;
    });
    return n;
  };
  const horizontal = count(new layers.RandomFlip("horizontal", { seed: 5 }).apply(images).arraySync() as number[][][][], mirrored);
  assert.ok(horizontal > 0 && horizontal < 16, `${horizontal} of 16 flipped`);
  const vertical = count(new layers.RandomFlip("vertical", { seed: 6 }).apply(images, { training: true }).arraySync() as number[][][][], upsideDown);
  assert.ok(vertical > 0 && vertical < 16);
  // One draw decides both flips.
  const twoWays = count(new layers.RandomFlip(undefined, { seed: 7 }).apply(images).arraySync() as number[][][][], both);
  assert.ok(twoWays > 0 && twoWays < 16);
  assert.deepEqual(new layers.RandomFlip().apply(images, { training: false }).arraySync(), original);
  // Same seed, same flips; a single image (rank 3) works too.
  const a = new layers.RandomFlip("horizontal", { seed: 9 }).apply(images).arraySync();
  assert.deepEqual(new layers.RandomFlip("horizontal", { seed: 9 }).apply(images).arraySync(), a);
  assert.deepEqual(new layers.RandomFlip("horizontal", { seed: 9 }).apply(ops.ones([2, 3, 1])).shape, [2, 3, 1]);
});

test("RandomFlip: channels_first flips the last axis; uint8 images come out float32", () => {
  const img = ops.reshape(ops.cast(ops.arange(6), "uint8"), [1, 1, 2, 3]);
  let flipped = 0;
  for (let seed = 0; seed < 8; seed++) {
    const out = new layers.RandomFlip("horizontal", { seed, dataFormat: "channels_first" }).apply(img);
    assert.equal(out.dtype, "float32");
    const v = JSON.stringify(out.arraySync());
    assert.ok(v === "[[[[0,1,2],[3,4,5]]]]" || v === "[[[[2,1,0],[5,4,3]]]]", v);
    if (v === "[[[[2,1,0],[5,4,3]]]]") flipped++;
  }
  assert.ok(flipped > 0);
});

test("RandomFlip: config, round trip, errors", () => {
  assert.deepEqual(new layers.RandomFlip({ name: "f" }).getConfig(), { ...baseConfig("f"), seed: null, mode: "horizontal_and_vertical", data_format: "channels_last" });
  assertRoundTrip(new layers.RandomFlip("vertical", { seed: 3 }));
  assert.throws(() => new layers.RandomFlip("diagonal" as "vertical", { name: "f2" }), /RandomFlip layer 'f2': mode must be one of horizontal, vertical, horizontal_and_vertical; received "diagonal"/);
  assert.throws(() => new layers.RandomFlip({ name: "f3" }).apply(ops.ones([2, 3])), /RandomFlip layer 'f3': expected an image tensor of rank 3 \(single image\) or 4 \(batch of images\). Received: inputs.shape=\(2, 3\)/);
});
