import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, f32 } from "../helpers.js";
import { runLayerTest } from "../harness.js";
import { checkGradients, randomTensor } from "../../helpers/gradcheck.js";

const { layers, ops } = keras;

test("SimpleRNN: the layer test", async () => {
  await runLayerTest({ make: () => new layers.SimpleRNN(3), inputShape: [2, 4, 5], expectedOutputShape: [null, 3], expectedParams: 3 * (5 + 3 + 1), supportsMasking: false });
  await runLayerTest({ make: () => new layers.SimpleRNN(3, { returnSequences: true, activation: "relu", dropout: 0.1 }), inputShape: [2, 4, 5], expectedOutputShape: [null, 4, 3], supportsMasking: true });
});

test("SimpleRNN: two steps by hand; the cell alone in RNN gives the same", () => {
  const rnn = new layers.SimpleRNN(2, { returnSequences: true });
  rnn.apply(ops.zeros([1, 2, 1]));
  rnn.setWeights([f32([[1, -1]]), f32([[0.5, 0], [0.25, 1]]), f32([0.1, 0.2])]);
  const h1 = [Math.tanh(0.5 + 0.1), Math.tanh(-0.5 + 0.2)];
  const h2 = [Math.tanh(-1 + 0.1 + h1[0] * 0.5 + h1[1] * 0.25), Math.tanh(1 + 0.2 + h1[1])];
  const x = f32([[[0.5], [-1]]]);
  assertClose(rnn.apply(x) as keras.Tensor, [[h1, h2]]);
  const wrapped = new layers.RNN(new layers.SimpleRNNCell(2), { returnSequences: true });
  wrapped.apply(x);
  wrapped.setWeights(rnn.getWeights());
  assertClose(wrapped.apply(x) as keras.Tensor, [[h1, h2]]);
});

test("SimpleRNN: gradients through time of the layer's weights match finite differences", () => {
  const rnn = new layers.SimpleRNN(2, { returnSequences: true, goBackwards: true });
  const x = randomTensor([2, 3, 2], 1);
  rnn.apply(x);
  const [k, r, b] = rnn.getWeights();
  checkGradients((kk, rr, bb, xx) => {
    rnn.setWeights([kk, rr, bb]);
    return rnn.apply(xx) as keras.Tensor;
  }, [k, r, b, x]);
});
