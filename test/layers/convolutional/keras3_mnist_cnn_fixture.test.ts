import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as keras from "../../../src/index.js";
import { requireFixture } from "../../helpers/fixtures.js";

/*
 * A real Keras 3.11 CNN (Conv2D 32 -> MaxPooling2D -> Conv2D 64 -> MaxPooling2D -> Flatten ->
 * Dense 128 -> Dropout -> Dense 10) loads with its kernels in Keras's [kh, kw, in, out] layout
 * and reproduces the independent reference outputs (../shared/fixtures/models/README.md).
 */

const model = requireFixture("models/keras3_mnist_cnn.keras");
const reference = requireFixture("models/keras3_mnist_cnn.reference.json");

interface ReferenceCase {
  name: string;
  input?: { shape: number[]; data: number[] };
  pixels?: { shape: number[]; data: number[] };
  input_shape?: number[];
  output: { shape: number[]; data: number[] };
  argmax?: number[];
  layer_trace?: { shape: number[]; sum: number }[];
}

function caseInput(c: ReferenceCase): keras.Tensor {
  if (c.input !== undefined) return keras.ops.reshape(keras.ops.convertToTensor(c.input.data, "float32"), c.input.shape);
  const scaled = c.pixels!.data.map((p) => Math.fround(Math.fround(p) / 255));
  return keras.ops.reshape(keras.ops.convertToTensor(scaled, "float32"), c.input_shape!);
}

test("keras3_mnist_cnn.keras loads and matches its reference outputs (atol 1e-5, rtol 1e-4)", { skip: model.skip || reference.skip }, async () => {
  const ref = JSON.parse(readFileSync(reference.path, "utf8")) as { suggested_tolerance: { atol: number; rtol: number }; cases: ReferenceCase[]; param_count_all_weights: number };
  const loaded = await keras.models.loadModel(model.path);
  assert.deepEqual(loaded.layers.map((l) => l.className()), ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense"]);
  assert.equal(loaded.countParams(), ref.param_count_all_weights);
  const conv = loaded.layers[0] as keras.layers.Conv2D;
  assert.deepEqual(conv.kernel!.shape, [3, 3, 1, 32]);
  assert.deepEqual(conv.getConfig().kernel_size, [3, 3]);
  const { atol, rtol } = ref.suggested_tolerance;
  for (const c of ref.cases) {
    const out = (await loaded.predict(caseInput(c), { verbose: 0 })) as keras.Tensor;
    assert.deepEqual([...out.shape], c.output.shape, `${c.name}: shape`);
    const values = out.dataSync();
    c.output.data.forEach((expected, i) => {
      const diff = Math.abs(values[i] - expected);
      assert.ok(diff <= atol + rtol * Math.abs(expected), `${c.name}: output ${i} is ${values[i]}, reference ${expected} (difference ${diff})`);
    });
    if (c.argmax !== undefined) assert.deepEqual(Array.from(keras.ops.argmax(out, -1).dataSync()), c.argmax, `${c.name}: argmax`);
  }
});
