import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { convCases, convGeometry, oracleConv, oracleConvTranspose, type ConvPadding, type OracleConv } from "../helpers/conv_oracle.js";
import { convBiasActivation } from "../../src/ops/conv.js";
import { computeConvOutputShape, computeConvTransposeOutputShape } from "../../src/ops/operation_utils.js";
import { getBackend, setBackend } from "../../src/backend/backend.js";
import { Variable } from "../../src/backend/variable.js";
import { GradientBuffers } from "../../src/autodiff/gradient_buffers.js";
import { batchNormalizationTraining } from "../../src/ops/batch_normalization.js";
import { fallbacks, resetFallbacks, setStrictKernels } from "../../src/backend/fallbacks.js";
import { ReferenceBackend } from "../../src/backend/reference/index.js";
import { coreOnly } from "../helpers/backends.js";
import { assertAllClose as assertClose } from "../helpers/close.js";
import { withKernelSpy } from "../helpers/backends.js";

const { ops } = keras;
type Tensor = keras.Tensor;

/** The kernels whose calls these tests count. */
const SPIED = ["convForward", "convBackward"];

const values = (t: Tensor) => Array.from(t.dataSync());
const f32 = (v: unknown) => ops.convertToTensor(v as number[], "float32");

test("conv: hand-computed values (valid, same, strides, dilation, groups, channels first, 3-d)", () => {
  const x = ops.reshape(ops.arange(16, null, 1, "float32"), [1, 4, 4, 1]);
  const ones = ops.ones([3, 3, 1, 1]);
  assert.deepEqual(values(ops.conv(x, ones)), [45, 54, 81, 90]);
  assert.deepEqual(values(ops.conv(x, ones, 1, "same")), [10, 18, 24, 18, 27, 45, 54, 39, 51, 81, 90, 63, 42, 66, 72, 50]);
  // Stride 2 "same" on 4x4: windows start at 0 and 2, one row and column of padding after.
  assert.deepEqual(values(ops.conv(x, ones, 2, "same")), [45, 39, 66, 50]);
  // 1-d: strides and dilation.
  const line = f32([[[1], [2], [3], [4], [5]]]);
  assert.deepEqual(values(ops.conv(line, f32([[[1]], [[0]], [[-1]]]), 2)), [-2, -2]);
  assert.deepEqual(values(ops.conv(line, f32([[[1]], [[1]]]), 1, "valid", null, 2)), [4, 6, 8]);
  assert.deepEqual(values(ops.conv(line, f32([[[1]], [[1]]]), 1, "causal", null, 2)), [1, 2, 4, 6, 8], "causal: (k-1)*d zeros before");
  assert.deepEqual(values(ops.conv(line, f32([[[1]], [[10]]]), 1, "same")), [21, 32, 43, 54, 5], "same with an even kernel pads after");
  // Groups: 2 input channels, a kernel with 1 input channel and 2 outputs = 2 groups.
  assert.deepEqual(values(ops.conv(f32([[[3, 5]]]), f32([[[2, 10]]]))), [6, 50]);
  // 4 input channels in 2 groups of 2, 4 outputs (2 per group).
  const grouped = ops.conv(f32([[[1, 2, 3, 4]]]), f32([[[1, 10, 0, 0], [100, 1000, 0, 0]]]));
  assert.deepEqual(values(grouped), [201, 2010, 0, 0], "group 0 reads channels 0-1");
  assert.deepEqual(values(ops.conv(f32([[[1, 2, 3, 4]]]), f32([[[0, 0, 1, 10], [0, 0, 100, 1000]]]))), [0, 0, 403, 4030], "group 1 reads channels 2-3");
  // Channels first: the same numbers as channels last, transposed.
  const xcf = ops.reshape(ops.arange(32, null, 1, "float32"), [1, 2, 4, 4]);
  const kcf = randomTensor([3, 3, 2, 3], 5);
  const cl = ops.conv(ops.transpose(xcf, [0, 2, 3, 1]), kcf, 1, "same");
  assertClose(ops.conv(xcf, kcf, 1, "same", "channels_first"), values(ops.transpose(cl, [0, 3, 1, 2])), "channels_first");
  // 3-d.
  assert.deepEqual(values(ops.conv(ops.ones([1, 2, 2, 2, 1]), ops.ones([2, 2, 2, 1, 1]))), [8]);
  assert.deepEqual([...ops.conv(ops.ones([2, 5, 6, 7, 3]), ops.ones([3, 2, 3, 3, 4]), [1, 2, 2], "same").shape], [2, 5, 3, 4, 4]);
});

interface Case {
  spatial: number[];
  kernel: number[];
  cin: number;
  cout: number;
  groups: number;
  strides: number[];
  dilations: number[];
  padding: ConvPadding;
  channelsFirst: boolean;
}

const geometryOf = (c: Case, batch: number): OracleConv =>
  convGeometry(batch, c.spatial, c.kernel, c.cin, c.cout, c.groups, c.strides, c.dilations, c.padding, c.channelsFirst);

function caseTensors(c: Case, seed: number): { x: Tensor; w: Tensor; g: OracleConv } {
  const batch = 1 + (seed % 2);
  const g = geometryOf(c, batch);
  const xShape = c.channelsFirst ? [batch, c.cin, ...c.spatial] : [batch, ...c.spatial, c.cin];
  return { x: randomTensor(xShape, seed), w: randomTensor([...c.kernel, c.cin / c.groups, c.cout], seed + 1000), g };
}

test("conv equals the definition on seeded cases (1-3 spatial axes, paddings, strides, dilation, groups, both formats)", () => {
  convCases(36, 12345).forEach((g, i) => {
    const c: Case = {
      spatial: g.inputSize, kernel: g.kernelSize, cin: g.inChannels, cout: g.outChannels, groups: g.groups, strides: g.strides, dilations: g.dilations,
      padding: g.padding, channelsFirst: g.channelsFirst,
    };
    const x = randomTensor(c.channelsFirst ? [g.batch, c.cin, ...c.spatial] : [g.batch, ...c.spatial, c.cin], i + 1);
    const w = randomTensor([...c.kernel, c.cin / c.groups, c.cout], i + 1001);
    const format = c.channelsFirst ? "channels_first" : "channels_last";
    const out = ops.conv(x, w, c.strides, c.padding, format, c.dilations);
    const what = `case ${i} ${JSON.stringify(c)}`;
    assert.deepEqual([...out.shape], c.channelsFirst ? [g.batch, c.cout, ...g.outputSize] : [g.batch, ...g.outputSize, c.cout], `${what}: shape`);
    assert.deepEqual([...out.shape], computeConvOutputShape(x.shape, c.cout, c.kernel, c.strides, c.padding, format, c.dilations), `${what}: computeConvOutputShape`);
    assertClose(out, oracleConv(x.dataSync(), w.dataSync(), null, g), what);
  });
});

test("convBiasActivation equals activation(conv + bias) for every epilogue activation, and runs an unknown activation after", () => {
  const c: Case = { spatial: [6, 5], kernel: [3, 2], cin: 4, cout: 6, groups: 2, strides: [2, 1], dilations: [1, 2], padding: "same", channelsFirst: false };
  const { x, w, g } = caseTensors(c, 3);
  const bias = randomTensor([6], 9);
  const z = oracleConv(x.dataSync(), w.dataSync(), bias.dataSync(), g);
  const acts: Record<string, (v: number) => number> = {
    linear: (v) => v, relu: (v) => Math.max(v, 0), sigmoid: (v) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh,
  };
  for (const [name, fn] of Object.entries(acts)) {
    const out = convBiasActivation(x, w, bias, name, { strides: [2, 1], padding: "same", dilationRate: [1, 2], groups: 2 });
    assertClose(out, z.map(fn), name);
  }
  assertClose(convBiasActivation(x, w, bias, keras.activations.get("relu"), { strides: [2, 1], padding: "same", dilationRate: [1, 2] }), z.map(acts.relu), "relu function");
  const elu = convBiasActivation(x, w, null, keras.activations.get("elu"), { strides: [2, 1], padding: "same", dilationRate: [1, 2] });
  assertClose(elu, oracleConv(x.dataSync(), w.dataSync(), null, g).map((v) => (v > 0 ? v : Math.expm1(v))), "elu after the conv");
  assert.throws(() => convBiasActivation(x, w, bias, "relu", { groups: 4 }), /groups=4 does not match inputs with 4 channels and a kernel with 2 input channels/);
  assert.throws(() => convBiasActivation(x, w, randomTensor([5]), "relu"), /bias must have shape \(6,\)/);
  assert.throws(() => convBiasActivation(x, w, bias, "softmax"), /unknown epilogue activation 'softmax'/);
});

test("conv gradients match finite differences (x and kernel; strides, dilation, groups, padding, both formats)", () => {
  const cases: Case[] = [
    { spatial: [5, 4], kernel: [3, 2], cin: 2, cout: 3, groups: 1, strides: [2, 1], dilations: [1, 1], padding: "same", channelsFirst: false },
    { spatial: [6, 5], kernel: [2, 2], cin: 4, cout: 2, groups: 2, strides: [1, 2], dilations: [2, 1], padding: "valid", channelsFirst: true },
    { spatial: [7], kernel: [3], cin: 3, cout: 3, groups: 3, strides: [1], dilations: [2], padding: "causal", channelsFirst: false },
    { spatial: [3, 4, 3], kernel: [2, 2, 2], cin: 2, cout: 2, groups: 1, strides: [1, 2, 1], dilations: [1, 1, 1], padding: "same", channelsFirst: true },
  ];
  cases.forEach((c, i) => {
    const { x, w } = caseTensors(c, 40 + i);
    const format = c.channelsFirst ? "channels_first" : "channels_last";
    checkGradients((xi, wi) => ops.conv(xi, wi, c.strides, c.padding, format, c.dilations), [x, w]);
  });
});

test("convBiasActivation gradients match finite differences (x, kernel, bias) for each epilogue activation", () => {
  const c: Case = { spatial: [4, 5], kernel: [3, 3], cin: 2, cout: 3, groups: 1, strides: [1, 1], dilations: [1, 1], padding: "same", channelsFirst: false };
  let seed = 60;
  for (const act of ["linear", "relu", "sigmoid", "tanh"]) {
    const { x, w } = caseTensors(c, seed++);
    const b = randomTensor([3], seed++, -0.5, 0.5);
    checkGradients((xi, wi, bi) => convBiasActivation(xi, wi, bi, act, { padding: "same" }), [x, w, b], { eps: act === "relu" ? 1e-3 : 1e-2 });
  }
});

test("convBiasActivation is one forward and one backward kernel call, weight gradients into the buffers given, no input gradient for a first layer", () => {
  const x = randomTensor([2, 5, 5, 1], 1);
  const w = new Variable(randomTensor([3, 3, 1, 4], 2), { name: "w" });
  const b = new Variable(randomTensor([4], 3), { name: "b" });
  const buffers = new GradientBuffers();
  withKernelSpy(SPIED, (calls) => {
    const [, grads] = keras.valueAndGrad(() => ops.sum(convBiasActivation(x, w.value, b.value, "relu", { padding: "same" })), { variables: [w, b], gradientBuffers: buffers })();
    assert.deepEqual(calls.map((c) => c.name), ["convForward", "convBackward"]);
    assert.equal(calls[0].args[4], "relu");
    const backward = calls[1].args;
    assert.equal(backward[6], false, "needDX");
    assert.equal(backward[7], buffers.bufferFor(w), "dW into its buffer");
    assert.equal(backward[8], buffers.bufferFor(b), "db into its buffer");
    assert.equal(grads[0].storage, buffers.bufferFor(w));
  });
});

test("convTranspose: hand-computed values and Keras's output sizes", () => {
  const x = f32([[[1], [2]]]);
  assert.deepEqual(values(ops.convTranspose(x, f32([[[1]], [[2]], [[3]]]), 2)), [1, 2, 5, 4, 6]);
  assert.deepEqual(values(ops.convTranspose(x, f32([[[1]], [[2]], [[3]]]), 2, "same")), [1, 2, 5, 4]);
  assert.deepEqual(values(ops.convTranspose(x, f32([[[1]], [[2]], [[3]]]), 1)), [1, 4, 7, 6]);
  assert.deepEqual(values(ops.convTranspose(x, f32([[[1]], [[2]], [[3]]]), 1, "same")), [4, 7]);
  assert.deepEqual(values(ops.convTranspose(x, f32([[[1]], [[2]]]), 3)), [1, 2, 0, 2, 4, 0], "valid: (in - 1) * stride + max(kernel, stride)");
  assert.deepEqual(values(ops.convTranspose(x, f32([[[1]], [[2]], [[3]]]), 2, "valid", 1)), [1, 2, 5, 4, 6, 0], "output padding adds zeros");
  // Shapes: Keras's rules, and the 2-d example of Keras's docs.
  const shape = (...args: Parameters<typeof ops.convTranspose>) => [...ops.convTranspose(...args).shape];
  assert.deepEqual(shape(ops.ones([2, 5, 5, 3]), ops.ones([3, 3, 4, 3]), 2, "same"), [2, 10, 10, 4]);
  assert.deepEqual(shape(ops.ones([2, 5, 5, 3]), ops.ones([3, 3, 4, 3]), 2, "valid"), [2, 11, 11, 4]);
  assert.deepEqual(shape(ops.ones([2, 5, 5, 3]), ops.ones([3, 3, 4, 3]), 2, "same", 1), [2, 10, 10, 4]);
  assert.deepEqual(shape(ops.ones([2, 5, 5, 3]), ops.ones([2, 2, 4, 3]), 2, "same", 0), [2, 8, 8, 4]);
  assert.deepEqual(shape(ops.ones([2, 3, 5, 5]), ops.ones([3, 3, 4, 3]), [1, 2], "valid", null, "channels_first", [2, 1]), [2, 4, 9, 11]);
  assert.deepEqual(computeConvTransposeOutputShape([null, 5, 5, 3], [3, 3], 4, 2, "same"), [null, 10, 10, 4]);
  assert.throws(() => ops.convTranspose(ops.ones([1, 4, 4, 2]), ops.ones([3, 3, 4, 3])), /input channels=2, kernel input channels=3/);
});

test("convTranspose is the adjoint of conv (seeded cases, both formats) and its gradients match finite differences", () => {
  const cases: [number[], number[], number[], string, number[] | null, number[]][] = [
    [[3, 4], [3, 3], [2, 2], "same", null, [1, 1]],
    [[3, 4], [3, 2], [2, 3], "valid", null, [1, 1]],
    [[4, 3], [3, 3], [2, 2], "valid", [1, 0], [1, 1]],
    [[5], [3], [2], "same", [1], [1]],
    [[2, 3, 2], [2, 2, 2], [2, 1, 2], "same", null, [1, 1, 1]],
    [[4, 4], [3, 3], [1, 1], "valid", null, [2, 2]],
  ];
  cases.forEach(([spatial, kernel, strides, padding, outputPadding, dilation], i) => {
    for (const channelsFirst of [false, true]) {
      const format = channelsFirst ? "channels_first" : "channels_last";
      const x = randomTensor(channelsFirst ? [2, 3, ...spatial] : [2, ...spatial, 3], 70 + i);
      const w = randomTensor([...kernel, 2, 3], 80 + i);
      const out = ops.convTranspose(x, w, strides, padding, outputPadding, format, dilation);
      const outSpatial = channelsFirst ? out.shape.slice(2) : out.shape.slice(1, -1);
      // The conv from the output back to x: with the padding that makes its output x's size.
      const g: OracleConv = {
        batch: 2, inputSize: outSpatial, kernelSize: kernel, inChannels: 2, outChannels: 3, groups: 1, strides, dilations: dilation,
        padBefore: [], outputSize: spatial, channelsFirst,
      };
      // Keras (JAX) pads the dilated input by (effective - 1 - before) on the left; find `before` from the sizes.
      g.padBefore = kernel.map((k, d) => {
        const effective = (k - 1) * dilation[d] + 1;
        if (padding === "valid") return 0;
        const total = outputPadding === null ? strides[d] + effective - 2 : effective + (effective % 2) - 2 + outputPadding[d];
        return effective - 1 - Math.min(Math.floor(total / 2) + (total % 2), effective - 1);
      });
      assertClose(out, oracleConvTranspose(x.dataSync(), w.dataSync(), g), `case ${i} ${format}`);
      if (!channelsFirst || i < 2) checkGradients((xi, wi) => ops.convTranspose(xi, wi, strides, padding, outputPadding, format, dilation), [x, w]);
    }
  });
});

test("depthwiseConv and separableConv: values from the definition, shapes, gradients", () => {
  // Depthwise: channel c with its own filters (multiplier 2): output channel c*2+m.
  const x = randomTensor([2, 5, 4, 3], 90);
  const dw = randomTensor([3, 2, 3, 2], 91);
  const out = ops.depthwiseConv(x, dw, [1, 2], "same");
  assert.deepEqual([...out.shape], [2, 5, 2, 6]);
  const grouped: OracleConv = {
    batch: 2, inputSize: [5, 4], kernelSize: [3, 2], inChannels: 3, outChannels: 6, groups: 3, strides: [1, 2], dilations: [1, 1],
    padBefore: [1, 0], outputSize: [5, 2], channelsFirst: false,
  };
  assertClose(out, oracleConv(x.dataSync(), dw.dataSync(), null, grouped), "depthwise");
  // Hand-computed: 1 position, 2 channels [3, 5], multiplier 1 -> [3 * 2, 5 * 10].
  assert.deepEqual(values(ops.depthwiseConv(f32([[[3, 5]]]), f32([[[2], [10]]]))), [6, 50]);
  const pw = randomTensor([1, 1, 6, 4], 92);
  const sep = ops.separableConv(x, dw, pw, [1, 2], "same");
  assert.deepEqual([...sep.shape], [2, 5, 2, 4]);
  assertClose(sep, values(ops.conv(out, pw)), "separable = depthwise then pointwise");
  checkGradients((xi, ki) => ops.depthwiseConv(xi, ki, 1, "valid", "channels_first"), [randomTensor([1, 2, 4, 3], 93), randomTensor([2, 2, 2, 2], 94)]);
  checkGradients((xi, di, pi) => ops.separableConv(xi, di, pi, 1, "same"), [randomTensor([1, 4, 3, 2], 95), randomTensor([2, 2, 2, 1], 96), randomTensor([1, 1, 2, 3], 97)]);
  assert.throws(() => ops.depthwiseConv(x, randomTensor([3, 3, 2, 1], 1)), /input channels=3, kernel input channels=2/);
});

test("conv errors name the argument and the values, as Keras's do", () => {
  const x = ops.ones([1, 4, 4, 3]);
  assert.throws(() => ops.conv(x, ops.ones([3, 3, 2, 4])), /input channels must be evenly divisible by kernel's in_channels. Received input channels 3 and kernel in_channels 2/);
  assert.throws(() => ops.conv(x, ops.ones([5, 5, 3, 4])), /empty output/);
  assert.throws(() => ops.conv(x, ops.ones([3, 3, 3, 4]), 1, "full"), /`padding` must be one of 'valid', 'same', 'causal'/);
  assert.throws(() => ops.conv(x, ops.ones([3, 3, 3, 4]), 1, "causal"), /causal padding is only supported for 1 spatial axis/);
  assert.throws(() => ops.conv(x, ops.ones([3, 3, 3, 4]), 0), /the `strides` argument must be a tuple of 2 integers. Received strides=0, including values \{0\} that do not satisfy `value > 0`/);
  assert.throws(() => ops.conv(x, ops.ones([3, 3, 3, 4]), [1, 1, 1]), /the `strides` argument must be a tuple of 2 integers. Received strides=\[1,1,1\]/);
  assert.throws(() => ops.conv(x, ops.ones([3, 3, 3, 4]), 1, "valid", "channels_middle" as never), /data_format/);
  assert.throws(() => ops.conv(x, ops.ones([3, 3, 4])), /kernel must have the inputs' rank 4/);
  assert.throws(() => ops.conv(ops.ones([4, 3]), ops.ones([3, 3, 4])), /rank 3, 4 or 5/);
  assert.throws(() => computeConvOutputShape([null, 2, 2, 3], 4, [3, 3]), /Computed output size would be zero or negative/);
  assert.deepEqual(computeConvOutputShape([null, null, 7, 3], 4, [3, 3], 2, "same"), [null, null, 4, 4]);
});

test("conv computes integer inputs in float32", () => {
  const out = ops.conv(ops.convertToTensor([[[1], [2], [3]]], "int32"), f32([[[1]], [[1]]]));
  assert.equal(out.dtype, "float32");
  assert.deepEqual(values(out), [3, 5]);
});

test("on a backend with only the core kernels, conv, pooling and batch norm run their composed defaults (counted), with the same numbers and gradients", () => {
  const x = randomTensor([2, 5, 4, 3], 120);
  const w = randomTensor([3, 2, 3, 4], 121);
  const b = randomTensor([4], 122);
  const gamma = randomTensor([4], 123, 0.5, 1.5);
  const model = (xi: Tensor, wi: Tensor, bi: Tensor, gi: Tensor) => {
    const y = convBiasActivation(xi, wi, bi, "tanh", { padding: "same", strides: [1, 2] });
    const n = batchNormalizationTraining(y, -1, gi, null, 1e-3).output;
    return ops.sum(ops.multiply(ops.averagePool(ops.maxPool(n, [2, 1], 1, "same"), 2, 1), 0.5));
  };
  const grads = keras.valueAndGrad(model, { argnums: [0, 1, 2, 3] });
  const [want, wantGrads] = grads(x, w, b, gamma);
  const previous = getBackend();
  const strict = setStrictKernels(false);
  resetFallbacks();
  setBackend(coreOnly(new ReferenceBackend()));
  try {
    const [got, gotGrads] = grads(x, w, b, gamma);
    assertClose(got, want.dataSync(), "value");
    gotGrads.forEach((g, i) => assertClose(g, wantGrads[i].dataSync(), `gradient ${i}`, 1e-4));
  } finally {
    setBackend(previous);
    setStrictKernels(strict);
  }
  const composed = fallbacks().filter((f) => f.ranOn === "composed").map((f) => f.kernel).sort();
  for (const kernel of ["convForward", "convBackward", "batchNormTraining", "batchNormTrainingBackward", "maxPoolForward", "maxPoolBackward", "avgPoolForward", "avgPoolBackward"]) {
    assert.ok(composed.includes(kernel), `${kernel} ran its composed default`);
  }
});
