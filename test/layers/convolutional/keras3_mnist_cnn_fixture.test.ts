import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import * as keras from "../../../src/index.js";
import { readKerasArchive } from "../../../src/saving/keras_zip.js";
import { readH5 } from "../../../src/saving/h5_io.js";
import { fixturePath, fixturesMissing } from "../../helpers/fixtures.js";
import { h5Listing, withTempDir } from "../../saving/helpers.js";

/*
 * A real Keras 3.11 CNN (Conv2D 32 -> MaxPooling2D -> Conv2D 64 -> MaxPooling2D -> Flatten ->
 * Dense 128 -> Dropout -> Dense 10). test/saving/fixtures_all_formats.test.ts checks its outputs
 * against the reference (and those of its .h5 and TF.js cousins); this test checks what the conv
 * layers owe the file: Keras's kernel layout, parameter counts, config keys, and a re-save with
 * the same weight paths, dtypes and shapes as Keras wrote.
 */

const CNN = fixturePath("keras3_mnist_cnn.keras");

test("keras3_mnist_cnn.keras: Keras's conv kernel layout and config keys, re-saved path by path", { skip: fixturesMissing() }, async () => {
  const model = await keras.models.loadModel(CNN, { compile: false });
  assert.deepEqual(model.layers.map((l) => l.className()), ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense"]);
  assert.deepEqual(model.layers.map((l) => l.countParams()), [320, 0, 18496, 0, 0, 204928, 0, 1290]);
  const [conv1, pool1, conv2] = model.layers as [keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.Conv2D];
  assert.deepEqual([conv1.kernel!.shape, conv2.kernel!.shape], [[3, 3, 1, 32], [3, 3, 32, 64]]);

  const theirs = await readKerasArchive(CNN);
  const theirLayers = (theirs.config as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
  // Every key Keras wrote, and no other (the InputLayer aside).
  assert.deepEqual(Object.keys(conv1.getConfig()).sort(), Object.keys(theirLayers[1].config).sort());
  assert.deepEqual(Object.keys(pool1.getConfig()).sort(), Object.keys(theirLayers[2].config).sort());
  assert.deepEqual(conv1.getConfig().kernel_size, theirLayers[1].config.kernel_size);

  await withTempDir(async (dir) => {
    const file = path.join(dir, "resaved.keras");
    await model.save(file);
    const ours = h5Listing(await readH5((await readKerasArchive(file)).weightsH5, "ours"));
    const original = h5Listing(await readH5(theirs.weightsH5, "theirs"));
    const layerEntries = (listing: Map<string, string>): string[] => [...listing.entries()].filter(([p]) => p.startsWith("layers/")).map(([p, d]) => `${p} ${d}`).sort();
    assert.deepEqual(layerEntries(ours.datasets), layerEntries(original.datasets));
    const x = keras.random.uniform([2, 28, 28, 1], { seed: 1 });
    const again = await keras.models.loadModel(file);
    assert.deepEqual(Array.from((await again.predict(x, { verbose: 0 }) as keras.Tensor).dataSync()), Array.from((await model.predict(x, { verbose: 0 }) as keras.Tensor).dataSync()));
  });
});
