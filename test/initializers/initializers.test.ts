import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

const { initializers, ops } = keras;

test("GlorotUniform draws within sqrt(6 / (fan_in + fan_out)) and is reproducible with a seed", () => {
  const init = new initializers.GlorotUniform({ seed: 3 });
  const w = init.call([784, 128]);
  const limit = Math.sqrt(6 / (784 + 128));
  assert.ok(ops.max(ops.abs(w)).item() <= limit);
  assert.ok(ops.max(ops.abs(w)).item() > 0.9 * limit, "values should fill the range");
  assert.deepEqual(init.call([784, 128]).dataSync(), w.dataSync());
});

test("TruncatedNormal keeps RandomNormal's defaults but never exceeds 2 standard deviations", () => {
  const init = new initializers.TruncatedNormal({ stddev: 1, seed: 1 });
  const w = init.call([10000]);
  assert.ok(ops.max(ops.abs(w)).item() <= 2);
  assert.equal(init.className(), "TruncatedNormal");
  assert.deepEqual(init.getConfig(), { mean: 0, stddev: 1, seed: 1 });
  assert.deepEqual(new initializers.TruncatedNormal().getConfig(), new initializers.RandomNormal().getConfig());
  const normal = new initializers.RandomNormal({ stddev: 1, seed: 1 }).call([10000]);
  assert.ok(ops.max(ops.abs(normal)).item() > 2, "an untruncated normal of 10000 draws goes past 2");
});

test("get resolves Keras's names and serialized configs; unknown names list the known ones", () => {
  assert.ok(initializers.get("glorot_uniform") instanceof initializers.GlorotUniform);
  assert.ok(initializers.get("Zeros") instanceof initializers.Zeros);
  const config = initializers.serialize(new initializers.TruncatedNormal({ mean: 1, stddev: 2 }));
  assert.equal(config.class_name, "TruncatedNormal");
  const back = initializers.get(config) as InstanceType<typeof initializers.TruncatedNormal>;
  assert.ok(back instanceof initializers.TruncatedNormal);
  assert.equal(back.mean, 1);
  assert.equal(back.stddev, 2);
  assert.throws(() => initializers.get("glorot_uniformm"), /Unknown initializer: 'glorot_uniformm'.*GlorotUniform/);
});
