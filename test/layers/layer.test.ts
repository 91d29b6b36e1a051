import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { getKerasMask, setKerasMask } from "../../src/backend/masking.js";
import { assertRoundTrip, f32, layers, ops, type Tensor } from "./helpers.js";

/* What the Layer base class does for every layer: activity regularization, masks, constraints. */

test("activity regularizers are applied by the base class, for any layer type, divided by the batch size", () => {
  const x = f32([[1, -2], [3, 4]]);
  const dense = new layers.Dense(2, { activityRegularizer: "l2", kernelInitializer: "ones", useBias: false });
  const y = dense.apply(x) as Tensor; // [[-1, -1], [7, 7]]
  assert.equal(dense.losses.length, 1);
  // l2 (0.01) of the outputs, 0.01 * (1 + 1 + 49 + 49) = 1, over a batch of 2.
  assert.ok(Math.abs(dense.losses[0].item() - 0.5) < 1e-6, `${dense.losses[0].item()}`);
  assert.deepEqual(y.arraySync(), [[-1, -1], [7, 7]]);

  const act = new layers.Activation("relu", { activityRegularizer: keras.regularizers.l1(0.5) });
  act.apply(x); // relu: [[1, 0], [3, 4]], l1 = 0.5 * 8 = 4, over 2
  assert.equal(act.losses.length, 1);
  assert.equal(act.losses[0].item(), 2);
  // A new call replaces the previous call's activity loss.
  act.apply(f32([[1, 1]]));
  assert.equal(act.losses.length, 1);
  assert.equal(act.losses[0].item(), 1);

  const config = act.getConfig();
  assert.deepEqual(config.activity_regularizer, { module: "keras.regularizers", class_name: "L1", config: { l1: 0.5 }, registered_name: null });
  assert.equal(new layers.Activation("relu").getConfig().activity_regularizer, undefined, "absent when not set, as Keras writes it");
  assertRoundTrip(act);
});

test("an activity regularizer adds to the training loss", async () => {
  keras.utils.setRandomSeed(1);
  const x = keras.random.uniform([8, 3]);
  const y = keras.random.uniform([8, 1]);
  const loss = async (activityRegularizer?: string) => {
    keras.utils.setRandomSeed(2);
    const model = new keras.Sequential([new layers.Dense(1, { inputShape: [3], activityRegularizer })]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    return (await model.evaluate(x, y, { verbose: 0 })) as number;
  };
  assert.ok((await loss("l2")) > (await loss()));
});

test("masks: a layer that supports masking passes its input's mask on; others drop it", () => {
  const x = f32([[[1], [2], [0]], [[3], [0], [0]]]);
  const mask = ops.notEqual(ops.squeeze(x, -1), 0);
  setKerasMask(x, mask);
  class Passing extends keras.layers.Layer {
    override supportsMasking = true;
    seen: unknown = "not called";
    override call(inputs: Tensor | Tensor[], options: keras.layers.CallOptions = {}): Tensor {
      this.seen = options.mask;
      return ops.multiply(inputs as Tensor, 2);
    }
  }
  const passing = new Passing();
  const y = passing.apply(x) as Tensor;
  assert.equal(passing.seen, mask, "the mask attached to the input reaches call()");
  assert.equal(getKerasMask(y), mask, "and is attached to the output");
  const dropping = new layers.Flatten();
  assert.equal(getKerasMask(dropping.apply(x) as Tensor), undefined);
  // An explicit mask wins over the attached one.
  const other = ops.convertToTensor([[true, true, true], [true, true, true]], "bool");
  passing.apply(x, { mask: other });
  assert.equal(passing.seen, other);
});

test("masks: computeMask decides the output's mask", () => {
  class ZeroMasking extends keras.layers.Layer {
    override supportsMasking = true;
    override call(inputs: Tensor | Tensor[]): Tensor {
      return inputs as Tensor;
    }
    override computeMask(inputs: Tensor | Tensor[]): Tensor {
      return ops.notEqual(inputs as Tensor, 0);
    }
  }
  const y = new ZeroMasking().apply(f32([[1, 0, 2]])) as Tensor;
  assert.deepEqual(getKerasMask(y)!.arraySync(), [[true, false, true]]);
});

test("weight constraints live on the variable and are applied by the optimizer", () => {
  const dense = new layers.Dense(2, { kernelConstraint: "non_neg", kernelInitializer: "ones" });
  dense.apply(f32([[1, 1]]));
  assert.ok(dense.kernel!.constraint instanceof keras.constraints.NonNeg);
  assert.equal(dense.bias!.constraint, null);
  new keras.optimizers.SGD({ learningRate: 10 }).apply([ops.ones([2, 2]), ops.ones([2])], [dense.kernel!, dense.bias!]);
  // Keras's NonNeg multiplies by (w >= 0): -0 where clipped.
  assert.deepEqual(Array.from(dense.kernel!.value.dataSync(), (v) => v + 0), [0, 0, 0, 0], "clipped at 0 by the constraint");
  assert.deepEqual(dense.bias!.value.arraySync(), [-10, -10]);
});
