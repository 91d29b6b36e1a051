import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import type { Tensor } from "../../../src/backend/tensor.js";
import type { Variable } from "../../../src/backend/variable.js";

const { layers, ops } = keras;

/** Keras's MinimalRNNCell example: h' = x K + h R. */
class MinimalRNNCell extends keras.layers.Layer {
  static override className = "MinimalRNNCell";
  readonly units: number;
  readonly stateSize: number;
  kernel?: Variable;
  recurrentKernel?: Variable;
  constructor(units: number, args: keras.layers.LayerArgs = {}) {
    super(args);
    this.units = units;
    this.stateSize = units;
  }
  override build(inputShape: (number | null)[]): void {
    this.kernel = this.addWeight({ name: "kernel", shape: [inputShape[inputShape.length - 1]!, this.units], initializer: "ones" });
    this.recurrentKernel = this.addWeight({ name: "recurrent_kernel", shape: [this.units, this.units], initializer: "identity" });
    this.built = true;
  }
  override call(inputs: Tensor | Tensor[]): Tensor[] {
    const [x, h] = inputs as Tensor[];
    const out = ops.add(ops.matmul(x, this.kernel!.value), ops.matmul(h, this.recurrentKernel!.value));
    return [out, out];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units };
  }
  static override fromConfig<T extends keras.layers.Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { units, ...rest } = config;
    return new this(units, { name: rest.name as string });
  }
}
keras.saving.registerKerasSerializable(MinimalRNNCell as never, { package: "test" });

test("RNN wraps a user-written cell: running sums, masks, backwards, initial state", () => {
  const rnn = new layers.RNN(new MinimalRNNCell(1), { returnSequences: true });
  const x = f32([[[1], [2], [3]]]);
  assertClose(rnn.apply(x) as Tensor, [[[1], [3], [6]]]);
  const back = new layers.RNN(new MinimalRNNCell(1), { returnSequences: true, goBackwards: true });
  assertClose(back.apply(x) as Tensor, [[[3], [5], [6]]]);
  const withState = new layers.RNN(new MinimalRNNCell(1), { returnState: true });
  const [last, state] = withState.apply([x, f32([[10]])]) as Tensor[];
  assertClose(last, [[16]]);
  assertClose(state, [[16]]);
  assert.throws(() => new layers.RNN({} as never), /the cell must be a layer with a `stateSize`/);
});

test("RNN: the layer test with a registered user cell, and with a list of cells (StackedRNNCells)", async () => {
  await runLayerTest({ make: () => new layers.RNN(new MinimalRNNCell(3), { returnSequences: true }), inputShape: [2, 4, 2], expectedOutputShape: [null, 4, 3], supportsMasking: true });
  await runLayerTest({
    make: () => new layers.RNN([new layers.LSTMCell(3), new layers.GRUCell(2), new layers.SimpleRNNCell(4)]),
    inputShape: [2, 4, 5],
    expectedOutputShape: [null, 4],
    expectedNumTrainableWeights: 9,
    expectedParams: 4 * 3 * (5 + 3 + 1) + 3 * 2 * (3 + 2) + 2 * 6 + 4 * (2 + 4 + 1),
  });
});

test("StackedRNNCells: flat states, the last cell's first state is the previous output under a mask", () => {
  const cells = new layers.StackedRNNCells([new MinimalRNNCell(1), new MinimalRNNCell(2)]);
  assert.deepEqual(cells.stateSize, [1, 2]);
  assert.equal(cells.outputSize, 2);
  const rnn = new layers.RNN(cells, { returnSequences: true, returnState: true });
  const x = f32([[[1], [2], [3]]]);
  const mask = ops.convertToTensor([[true, false, true]]);
  const [seq, s1, s2] = rnn.apply(x, { mask }) as Tensor[];
  // Cell 1 sums x: 1, (masked), 4. Cell 2 sums cell 1's output on both units: 1, (masked: repeats 1), 5.
  assertClose(seq, [[[1, 1], [1, 1], [5, 5]]]);
  assertClose(s1, [[4]]);
  assertClose(s2, [[5, 5]]);
});

test("RNN config: the cell is serialized with Keras's layout and rebuilt", () => {
  const rnn = new layers.RNN(new layers.LSTMCell(3), { returnSequences: true });
  rnn.apply(ops.zeros([1, 2, 4]));
  const config = rnn.getConfig();
  const cell = config.cell as Record<string, unknown>;
  assert.equal(cell.class_name, "LSTMCell");
  assert.equal(cell.module, "keras.layers");
  assert.deepEqual(cell.build_config, { input_shape: [1, 4] });
  const rebuilt = layers.RNN.fromConfig(JSON.parse(JSON.stringify(config)));
  assert.ok((rebuilt as keras.layers.RNN).cell instanceof layers.LSTMCell);
});
