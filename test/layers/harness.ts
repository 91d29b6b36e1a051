import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as keras from "../../src/index.js";
import type { Layer } from "../../src/layers/layer.js";
import { getKerasMask, setKerasMask } from "../../src/backend/masking.js";
import { randomTensor } from "../helpers/gradcheck.js";

/*
 * One call checks what every layer owes, as Keras's `run_layer_test` does
 * (keras/src/testing/test_case.py): construction from positional args + options, build, the output
 * shape eagerly and symbolically (Input -> layer), parameter counts, the getConfig round trip
 * through JSON, `.keras` save and load of a model holding the layer (same predictions), masking
 * support, and a training step whose loss moves.
 */

export interface LayerTestSpec<L extends Layer> {
  /** Makes a fresh layer (e.g. `() => new Conv2D(4, 3, { padding: "same" })`). */
  make: () => L;
  /** Input shape with the batch axis. */
  inputShape: number[];
  /** Input dtype (default float32); int32 inputs are drawn from [0, intRange). */
  inputDtype?: "float32" | "int32";
  intRange?: number;
  expectedOutputShape: (number | null)[] | (number | null)[][];
  expectedNumTrainableWeights?: number;
  expectedNumNonTrainableWeights?: number;
  /** Total parameter count after build (Keras's `count_params()`). */
  expectedParams?: number;
  /** Whether a mask attached to the input must come out on the output. */
  supportsMasking?: boolean;
  /** Run one fit step on a model ending in this layer (default: when it has trainable weights). */
  runTrainingCheck?: boolean;
  /** Save the layer in a model and reload it (default true). */
  runSavingCheck?: boolean;
  /** Expected layer-specific config entries (a subset of getConfig()). */
  expectedConfig?: Record<string, unknown>;
}

function shapesOf(out: keras.Tensor | keras.Tensor[] | keras.KerasTensor | keras.KerasTensor[]): (number | null)[][] {
  return (Array.isArray(out) ? out : [out]).map((t) => [...t.shape]);
}

function expectedShapes(spec: LayerTestSpec<Layer>): (number | null)[][] {
  const e = spec.expectedOutputShape;
  return Array.isArray(e[0]) ? (e as (number | null)[][]) : [e as (number | null)[]];
}

function sampleInput<L extends Layer>(spec: LayerTestSpec<L>, seed = 1): keras.Tensor {
  if (spec.inputDtype === "int32") {
    const raw = randomTensor(spec.inputShape, seed, 0, spec.intRange ?? 10);
    return keras.ops.cast(keras.ops.floor(raw), "int32");
  }
  return randomTensor(spec.inputShape, seed);
}

/** Runs every check; returns the built layer for further assertions. */
export async function runLayerTest<L extends Layer>(spec: LayerTestSpec<L>): Promise<L> {
  const layer = spec.make();
  const x = sampleInput(spec);
  const out = layer.apply(x) as keras.Tensor | keras.Tensor[];
  const what = `${layer.className()}`;
  assert.deepEqual(
    shapesOf(out),
    expectedShapes(spec).map((s) => s.map((d, i) => (d === null && i === 0 ? spec.inputShape[0] : d))),
    `${what}: eager output shape`,
  );
  if (spec.expectedNumTrainableWeights !== undefined) assert.equal(layer.trainableWeights.length, spec.expectedNumTrainableWeights, `${what}: trainable weights`);
  if (spec.expectedNumNonTrainableWeights !== undefined) {
    assert.equal(layer.nonTrainableWeights.length, spec.expectedNumNonTrainableWeights, `${what}: non-trainable weights`);
  }
  if (spec.expectedParams !== undefined) assert.equal(layer.countParams(), spec.expectedParams, `${what}: parameter count`);

  // Symbolic: Input -> fresh layer gives the expected shape with an unknown batch.
  const symbolic = spec.make();
  const input = keras.Input({ shape: spec.inputShape.slice(1), dtype: spec.inputDtype ?? "float32" });
  const y = symbolic.apply(input) as keras.KerasTensor | keras.KerasTensor[];
  const symbolicExpected = expectedShapes(spec).map((s) => s.map((d, i) => (i === 0 ? null : d)));
  assert.deepEqual(shapesOf(y), symbolicExpected, `${what}: symbolic output shape`);

  // Config round trip through JSON.
  const config = layer.getConfig();
  const json = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  assert.deepEqual(json, config, `${what}: config survives JSON`);
  for (const [key, value] of Object.entries(spec.expectedConfig ?? {})) assert.deepEqual(config[key], value, `${what}: config.${key}`);
  const cls = layer.constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
  const rebuilt = cls.fromConfig(json);
  assert.equal(rebuilt.constructor, layer.constructor, `${what}: fromConfig class`);
  assert.deepEqual(rebuilt.getConfig(), config, `${what}: fromConfig(getConfig()) round trip`);

  // Masking.
  if (spec.supportsMasking !== undefined) {
    const masked = sampleInput(spec, 2);
    const mask = keras.ops.greater(keras.ops.ones(spec.inputShape.slice(0, 2)), 0);
    setKerasMask(masked, mask);
    const maskedOut = spec.make().apply(masked) as keras.Tensor | keras.Tensor[];
    const first = Array.isArray(maskedOut) ? maskedOut[0] : maskedOut;
    assert.equal(getKerasMask(first) !== undefined, spec.supportsMasking, `${what}: supportsMasking`);
  }

  // A model holding the layer: save to .keras, reload, same predictions.
  if (spec.runSavingCheck ?? true) {
    const model = new keras.Sequential([new keras.layers.InputLayer({ shape: spec.inputShape.slice(1), dtype: spec.inputDtype ?? "float32" }), spec.make()]);
    const before = (await model.predict(x, { verbose: 0 })) as keras.Tensor;
    const dir = mkdtempSync(path.join(tmpdir(), "keras-ts-layer-"));
    try {
      const file = path.join(dir, "model.keras");
      await model.save(file);
      const loaded = await keras.models.loadModel(file);
      const after = (await loaded.predict(x, { verbose: 0 })) as keras.Tensor;
      assert.deepEqual(Array.from(after.dataSync()), Array.from(before.dataSync()), `${what}: predictions after .keras save/load`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // One training step moves the loss (the layer's weights get gradients).
  if (spec.runTrainingCheck ?? layer.trainableWeights.length > 0) {
    keras.utils.setRandomSeed(1);
    const model = new keras.Sequential([spec.make(), new keras.layers.Flatten(), new keras.layers.Dense(1)]);
    model.compile({ optimizer: new keras.optimizers.SGD({ learningRate: 0.01 }), loss: "mse" });
    const target = keras.ops.zeros([spec.inputShape[0], 1]);
    const first = (await model.evaluate(x, target, { verbose: 0 })) as number;
    await model.fit(x, target, { epochs: 3, batchSize: spec.inputShape[0], verbose: 0 });
    const last = (await model.evaluate(x, target, { verbose: 0 })) as number;
    assert.ok(Number.isFinite(last) && last < first, `${what}: training reduces the loss (${first} -> ${last})`);
  }
  return layer;
}
