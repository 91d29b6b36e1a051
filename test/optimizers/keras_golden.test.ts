/**
 * Values from Keras 3's own optimizer tests (keras/src/optimizers/*_test.py: test_single_step,
 * test_correctness_with_golden, test_weight_decay), with Keras's tolerances. These check our rules
 * against numbers Keras produced, independently of the hand-written references.
 */
import { test } from "node:test";
import * as ops from "../../src/ops/index.js";
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, SGD, type Optimizer } from "../../src/optimizers/index.js";
import { assertClose, values, variable } from "./helpers.js";

function singleStep(opt: Optimizer, expected: number[]): void {
  const w = variable([1, 2, 3, 4], "w");
  opt.applyGradients([[ops.convertToTensor([1, 6, 7, 2], "float32"), w]]);
  assertClose(values(w), expected, 1e-4 + 1e-4 * 4, `${opt.className()} single step`);
}

const singleSteps: [string, () => Optimizer, number[]][] = [
  ["SGD", () => new SGD({ learningRate: 0.5 }), [0.5, -1.0, -0.5, 3.0]],
  ["RMSprop", () => new RMSprop({ learningRate: 0.5 }), [-0.5811, 0.4189, 1.4189, 2.4189]],
  ["Adam", () => new Adam({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
  ["AdamW", () => new AdamW({ learningRate: 0.5 }), [0.498, 1.496, 2.494, 3.492]],
  ["Adagrad", () => new Adagrad({ learningRate: 0.5 }), [0.5233, 1.5007, 2.5005, 3.5061]],
  ["Adadelta", () => new Adadelta({ learningRate: 0.5 }), [0.9993, 1.9993, 2.9993, 3.9993]],
  ["Adamax", () => new Adamax({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
  ["Nadam", () => new Nadam({ learningRate: 0.5 }), [0.4686, 1.4686, 2.4686, 3.4686]],
];

for (const [name, make, expected] of singleSteps) {
  test(`Keras golden: ${name} single step`, () => singleStep(make(), expected));
}

/** Keras's test_correctness_with_golden: x = ones(10), a first step with 0.01s, then 0.1..1.0 repeatedly. */
function golden(opt: Optimizer, rows: number[][]): void {
  const x = variable(new Array(10).fill(1), "x");
  const grads = ops.convertToTensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], "float32");
  opt.apply([ops.fullLike(grads, 0.01)], [x]);
  rows.forEach((row, i) => {
    // assertAllClose(rtol=5e-4, atol=5e-4)
    const got = values(x);
    const tol = row.map((r) => 5e-4 + 5e-4 * Math.abs(r));
    got.forEach((g, j) => assertClose([g], [row[j]], tol[j], `${opt.className()} golden row ${i}`));
    opt.apply([grads], [x]);
  });
}

const tile = (col: number[]): number[][] => col.map((v) => new Array(10).fill(v));

test("Keras golden: SGD nesterov", () => {
  golden(new SGD({ nesterov: true }), [
    [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999],
    [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
    [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
    [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
    [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599],
  ]);
});

test("Keras golden: RMSprop centered", () => {
  golden(new RMSprop({ centered: true }), tile([0.9967, 0.9933, 0.9908, 0.9885, 0.9864]));
});

test("Keras golden: Adam amsgrad", () => {
  golden(new Adam({ amsgrad: true }), tile([0.999, 0.9982, 0.9974, 0.9965, 0.9955]));
});

test("Keras golden: AdamW", () => {
  golden(new AdamW({ learningRate: 1.0, weightDecay: 0.5, epsilon: 2 }), [
    [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
    [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
    [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
    [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
    [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
  ]);
});

test("Keras golden: Adagrad", () => {
  golden(new Adagrad({ learningRate: 0.2, initialAccumulatorValue: 0.3, epsilon: 1e-6 }), [
    [0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
    [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
    [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
    [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
    [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825],
  ]);
});

test("Keras golden: Adadelta", () => {
  golden(new Adadelta({ learningRate: 1.0, rho: 0.8, epsilon: 1e-6 }), tile([0.9978, 0.9947, 0.9915, 0.9882, 0.9849]));
});

test("Keras golden: Adamax", () => {
  golden(new Adamax({ learningRate: 0.2, beta1: 0.85, beta2: 0.95, epsilon: 1e-6 }), [
    [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
    [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
    [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
    [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
    [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126],
  ]);
});

test("Keras golden: Nadam", () => {
  golden(new Nadam({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 }), [
    [0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
    [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
    [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
    [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
    [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454],
  ]);
});

/** Keras's test_weight_decay, run for every optimizer: var1 is decayed by three optimizers, the excluded ones stay. */
const makers: [string, (args: { learningRate: number; weightDecay: number }) => Optimizer][] = [
  ["SGD", (a) => new SGD(a)],
  ["RMSprop", (a) => new RMSprop(a)],
  ["Adam", (a) => new Adam(a)],
  ["AdamW", (a) => new AdamW(a)],
  ["Adagrad", (a) => new Adagrad(a)],
  ["Adadelta", (a) => new Adadelta(a)],
  ["Adamax", (a) => new Adamax(a)],
  ["Nadam", (a) => new Nadam(a)],
];

for (const [name, make] of makers) {
  test(`Keras golden: ${name} weight decay and excludeFromWeightDecay`, () => {
    const zero = ops.zeros([]);
    const var1 = variable([2], "var1");
    const var2 = variable([2], "exclude");
    const var3 = variable([2], "var3");
    const o1 = make({ learningRate: 1.0, weightDecay: 0.004 });
    o1.apply([zero], [var1]);
    const o2 = make({ learningRate: 1.0, weightDecay: 0.004 });
    o2.excludeFromWeightDecay({ varNames: ["exclude"] });
    o2.apply([zero, zero], [var1, var2]);
    const o3 = make({ learningRate: 1.0, weightDecay: 0.004 });
    o3.excludeFromWeightDecay({ varList: [var3] });
    o3.apply([zero, zero], [var1, var3]);
    assertClose(values(var1), [1.9760959], 1e-6, "var1");
    assertClose(values(var2), [2.0], 1e-6, "var2");
    assertClose(values(var3), [2.0], 1e-6, "var3");
  });
}
