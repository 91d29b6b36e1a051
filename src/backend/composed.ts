import type { BinaryOp, CoreKernels, UnaryOp } from "./core_kernels.js";
import type { Shape, TypedArray } from "./dtypes.js";
import type {
  AdamUpdateArgs, BatchNormArgs, ConvArgs, EpilogueActivation, FusedKernels, GradientTarget, LinearGrads, NormalizeArgs, PoolArgs, RMSpropUpdateArgs, SGDUpdateArgs,
} from "./fused_kernels.js";
import type { AttentionArgs, RecurrentArgs, SequenceKernels } from "./sequence_kernels.js";
import { convSizes, convSpatial, poolSizes, poolSpatial, product, windowIndices, type Spatial3 } from "./conv_geometry.js";

/*
 * The composed defaults of the fused kernels, written with the core kernels alone: what a backend
 * that lacks a fused kernel runs instead (the engine counts each such call as a fallback), and the
 * definition the fused kernels are tested against. They allocate intermediates freely; only the
 * fused kernels promise to be lean.
 */

const SCALAR: Shape = [];

function scalar(value: number): Float32Array {
  return Float32Array.of(value);
}

function checkArgs(kernel: string, sizes: Record<string, [ArrayLike<number> | null, number]>): void {
  for (const [name, [array, expected]] of Object.entries(sizes)) {
    if (array !== null && array.length !== expected) throw new RangeError(`${kernel} kernel: ${name} has ${array.length} elements, expected ${expected}`);
  }
}

function checkCounts(kernel: string, counts: Record<string, number>): void {
  for (const [name, v] of Object.entries(counts)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${kernel} kernel: ${name} must be a non-negative integer, got ${v}`);
  }
}

/** A computed gradient, written into its target when the caller gave one. */
function intoTarget(target: GradientTarget, values: Float32Array): Float32Array {
  if (typeof target === "boolean") return values;
  target.set(values);
  return target;
}

const EPILOGUE_OP: Record<Exclude<EpilogueActivation, "linear">, UnaryOp> = { relu: "relu", sigmoid: "sigmoid", tanh: "tanh" };

/** The fused kernels as compositions of `core`'s kernels. */
export function composedKernels(core: CoreKernels): FusedKernels {
  /** Elementwise on float32 arrays of one shape, or one of them a scalar. */
  const bin = (op: BinaryOp, a: TypedArray, b: TypedArray, shape: Shape): Float32Array =>
    core.binary(op, a, a.length === 1 && shape.length > 0 && b.length !== 1 ? SCALAR : shape, b, b.length === 1 && shape.length > 0 ? SCALAR : shape, shape, "float32") as Float32Array;
  const un = (op: UnaryOp, a: TypedArray): Float32Array => core.unary(op, a, "float32") as Float32Array;

  /** dOut * act'(out), act' taken from the output (see `EpilogueActivation`). */
  const activationGrad = (dOut: Float32Array, out: Float32Array, activation: EpilogueActivation, shape: Shape): Float32Array => {
    switch (activation) {
      case "linear":
        return dOut;
      case "relu": {
        const positive = core.binary("greater", out, shape, scalar(0), SCALAR, shape, "bool");
        return core.select(positive, shape, dOut, shape, scalar(0), SCALAR, shape, "float32") as Float32Array;
      }
      case "sigmoid":
        return bin("multiply", dOut, bin("multiply", out, bin("subtract", scalar(1), out, shape), shape), shape);
      case "tanh":
        return bin("multiply", dOut, bin("subtract", scalar(1), un("square", out), shape), shape);
      default:
        throw new Error(`linearBackward kernel: unknown activation '${activation as string}'`);
    }
  };

  /** The one-hot rows of sparse labels (all zeros for a label outside [0, cols)), or the dense targets. */
  const targetsOf = (rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array => {
    if ((labels === null) === (dense === null)) throw new Error("softmaxCrossEntropy kernel: give exactly one of labels (sparse) and dense targets");
    if (dense !== null) return dense;
    const classes = Int32Array.from({ length: cols }, (_, j) => j);
    return core.cast(core.binary("equal", labels!, [rows, 1], classes, [1, cols], [rows, cols], "bool"), "float32") as Float32Array;
  };

  /*
   * Windows (conv patches, pooling windows) as a gather: each image [spatial, channels] gets one
   * extra position holding the padding value, and every (output position, tap) reads the position
   * `windowIndices` gives, the extra one where that falls in the padding. scatterAdd is the adjoint.
   */
  const windowPlan = (s: Spatial3) => {
    const reads = windowIndices(s);
    const spatial = product(s.input);
    const indices = Int32Array.from(reads, (r) => (r < 0 ? spatial : r));
    return { reads, indices, spatial, positions: product(s.output), taps: product(s.window) };
  };
  type WindowPlan = ReturnType<typeof windowPlan>;
  /** [batch, spatial, channels] <-> [batch, channels, spatial]. */
  const toChannelsLast = (a: TypedArray, batch: number, spatial: number, channels: number, channelsFirst: boolean): TypedArray =>
    channelsFirst ? core.transpose(a, [batch, channels, spatial], [0, 2, 1]) : a;
  const fromChannelsLast = (a: TypedArray, batch: number, spatial: number, channels: number, channelsFirst: boolean): TypedArray =>
    channelsFirst ? core.transpose(a, [batch, spatial, channels], [0, 2, 1]) : a;
  /** [batch, positions * taps, channels]: every window's taps, `padValue` in the padding. */
  const gatherWindows = (xl: TypedArray, batch: number, channels: number, plan: WindowPlan, padValue: number): TypedArray => {
    const padded = core.pad(xl, [batch, plan.spatial, channels], [[0, 0], [0, 1], [0, 0]], padValue);
    return core.gather(padded, [batch, plan.spatial + 1, channels], plan.indices, 1);
  };
  /** Adjoint of `gatherWindows`: [batch, positions * taps, channels] summed into [batch, spatial, channels]. */
  const scatterWindows = (updates: TypedArray, batch: number, channels: number, plan: WindowPlan): TypedArray => {
    const summed = core.scatterAdd(updates, plan.indices, 1, [batch, plan.spatial + 1, channels]);
    return core.slice(summed, [batch, plan.spatial + 1, channels], [0, 0, 0], [batch, plan.spatial, channels]);
  };
  /** How many taps of each output position's window are in bounds: [positions, 1]. */
  const windowCounts = (plan: WindowPlan): Float32Array => {
    const counts = new Float32Array(plan.positions);
    for (let q = 0; q < plan.positions; q++) for (let t = 0; t < plan.taps; t++) if (plan.reads[q * plan.taps + t] >= 0) counts[q]++;
    return counts;
  };

  /** The conv's patches grouped: [groups, batch * positions, taps * cg]. */
  const convPatches = (x: Float32Array, args: ConvArgs, plan: WindowPlan): Float32Array => {
    const { batch, inChannels: cin, groups } = args;
    const xl = toChannelsLast(x, batch, plan.spatial, cin, args.channelsFirst);
    const windows = gatherWindows(xl, batch, cin, plan, 0);
    if (groups === 1) return windows as Float32Array;
    return core.transpose(windows, [batch * plan.positions, plan.taps, groups, cin / groups], [2, 0, 1, 3]) as Float32Array;
  };
  /** The kernel grouped: [groups, taps * cg, og]. */
  const groupedKernel = (w: Float32Array, args: ConvArgs, taps: number): Float32Array => {
    const { groups, inChannels, outChannels } = args;
    if (groups === 1) return w;
    return core.transpose(w, [taps * (inChannels / groups), groups, outChannels / groups], [1, 0, 2]) as Float32Array;
  };
  const convMatmul = (a: Float32Array, b: Float32Array, groups: number, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array =>
    core.matmul(a, b, { batch: groups, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: k * n }) as Float32Array;

  /** BatchNormArgs as shapes: x [outer, channels, inner], a per-channel vector [1, channels, 1]. */
  const bnShapes = (args: BatchNormArgs) => ({ x: [args.outer, args.channels, args.inner], c: [1, args.channels, 1], axes: [0, 2] });
  const bnAffine = (mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, epsilon: number): [Float32Array, Float32Array] => {
    const c = [mean.length];
    let inv = un("rsqrt", bin("add", variance, scalar(epsilon), c));
    if (gamma !== null) inv = bin("multiply", inv, gamma, c);
    let shift = bin("multiply", un("negative", mean), inv, c);
    if (beta !== null) shift = bin("add", shift, beta, c);
    return [inv, shift];
  };
  const bnApply = (x: Float32Array, inv: Float32Array, shift: Float32Array, args: BatchNormArgs): Float32Array => {
    const sh = bnShapes(args);
    const scaled = core.binary("multiply", x, sh.x, inv, sh.c, sh.x, "float32");
    return core.binary("add", scaled, sh.x, shift, sh.c, sh.x, "float32") as Float32Array;
  };
  const checkBn = (kernel: string, args: BatchNormArgs) => checkCounts(kernel, { outer: args.outer, channels: args.channels, inner: args.inner });

  return {
    ...composedSequenceKernels(core),

    linearForward(x, w, bias, m, k, n, activation) {
      checkCounts("linearForward", { m, k, n });
      checkArgs("linearForward", { x: [x, m * k], w: [w, k * n], bias: [bias, n] });
      let z = core.matmul(x, w, { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }) as Float32Array;
      if (bias !== null) z = core.binary("add", z, [m, n], bias, [n], [m, n], "float32") as Float32Array;
      if (activation === "linear") return z;
      const op = EPILOGUE_OP[activation];
      if (op === undefined) throw new Error(`linearForward kernel: unknown activation '${activation as string}'`);
      return un(op, z);
    },

    linearBackward(dOut, out, x, w, m, k, n, activation, needDX, needDW, needDB): LinearGrads {
      checkCounts("linearBackward", { m, k, n });
      checkArgs("linearBackward", {
        dOut: [dOut, m * n], out: [activation === "linear" ? null : out, m * n], x: [x, m * k], w: [w, k * n],
        "dW target": [needDW instanceof Float32Array ? needDW : null, k * n], "db target": [needDB instanceof Float32Array ? needDB : null, n],
      });
      const dz = activationGrad(dOut, out, activation, [m, n]);
      const dW = needDW ? intoTarget(needDW, core.matmul(x, dz, { batch: 1, m: k, n, k: m, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 }) as Float32Array) : null;
      const dX = needDX ? (core.matmul(dz, w, { batch: 1, m, n: k, k: n, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 }) as Float32Array) : null;
      const db = needDB ? intoTarget(needDB, core.reduce("sum", dz, [m, n], [0], "float32") as Float32Array) : null;
      return { dX, dW, db };
    },

    softmaxCrossEntropy(logits, rows, cols, labels, dense) {
      checkCounts("softmaxCrossEntropy", { rows, cols });
      checkArgs("softmaxCrossEntropy", { logits: [logits, rows * cols], labels: [labels, rows], "dense targets": [dense, rows * cols] });
      const t = targetsOf(rows, cols, labels, dense);
      const products = bin("multiply", t, core.logSoftmax(logits, rows, cols), [rows, cols]);
      return un("negative", core.reduce("sum", products, [rows, cols], [1], "float32"));
    },

    softmaxCrossEntropyBackward(logits, rows, cols, labels, dense, rowScale) {
      checkCounts("softmaxCrossEntropyBackward", { rows, cols });
      checkArgs("softmaxCrossEntropyBackward", {
        logits: [logits, rows * cols], labels: [labels, rows], "dense targets": [dense, rows * cols], rowScale: [rowScale, rows],
      });
      const shape = [rows, cols];
      const t = targetsOf(rows, cols, labels, dense);
      const totals = core.reduce("sum", t, shape, [1], "float32");
      const scaled = core.binary("multiply", core.softmax(logits, rows, cols), shape, totals, [rows, 1], shape, "float32");
      const diff = bin("subtract", scaled, t, shape);
      return core.binary("multiply", diff, shape, rowScale, [rows, 1], shape, "float32") as Float32Array;
    },

    countArgmaxMatches(pred, rows, cols, labels, oneHot) {
      if ((labels === null) === (oneHot === null)) throw new Error("countArgmaxMatches: give exactly one of labels and oneHot");
      checkArgs("countArgmaxMatches", { pred: [pred, rows * cols], labels: [labels, rows], oneHot: [oneHot, rows * cols] });
      if (cols === 0 || rows === 0) return 0;
      const predicted = core.argReduce("argmax", pred, [rows, cols], 1);
      const expected = labels ?? core.argReduce("argmax", oneHot!, [rows, cols], 1);
      const matches = core.cast(core.binary("equal", predicted, [rows], expected, [rows], [rows], "bool"), "int32");
      return core.reduce("sum", matches, [rows], [0], "int32")[0];
    },

    normalize(x, shape, axes, args: NormalizeArgs) {
      const { order, mode } = args;
      const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const a = x instanceof Float32Array ? x : (core.cast(x, "float32") as Float32Array);
      const sumOver = (values: Float32Array, op: "sum" | "max" = "sum") => core.reduce(op, values, shape, axes, "float32") as Float32Array;
      const byNorm = (op: BinaryOp, factor: Float32Array) => core.binary(op, a, shape, factor, keptShape, shape, "float32") as Float32Array;
      const q = Math.fround(1 / Math.fround(order));
      let norm: Float32Array;
      if (order === 2) {
        const s = sumOver(un("square", a));
        if (mode === "epsilon") return byNorm("multiply", bin("minimum", un("rsqrt", s), scalar(1 / args.epsilon), [s.length]));
        norm = un("sqrt", s);
      } else if (order === 1) {
        norm = sumOver(un("abs", a));
      } else if (order === Infinity) {
        norm = sumOver(un("abs", a), "max");
      } else {
        const s = sumOver(bin("power", un("abs", a), scalar(order), shape));
        norm = bin("power", s, scalar(q), [s.length]);
      }
      if (mode === "epsilon") return byNorm("divide", bin("maximum", norm, scalar(args.epsilon), [norm.length]));
      const isZero = core.binary("equal", norm, [norm.length], scalar(0), SCALAR, [norm.length], "bool");
      const divisor = core.select(isZero, [norm.length], scalar(1), SCALAR, norm, [norm.length], [norm.length], "float32") as Float32Array;
      return byNorm("divide", divisor);
    },

    sgdUpdate(variable, grad, momentum, args: SGDUpdateArgs) {
      checkArgs("sgdUpdate", { grad: [grad, variable.length], momentum: [momentum, variable.length] });
      const shape = [variable.length];
      const step = bin("multiply", grad, scalar(args.lr), shape);
      if (momentum === null) {
        variable.set(bin("subtract", variable, step, shape));
        return;
      }
      const next = bin("subtract", bin("multiply", momentum, scalar(args.momentum), shape), step, shape);
      momentum.set(next);
      const delta = args.nesterov ? bin("subtract", bin("multiply", next, scalar(args.momentum), shape), step, shape) : next;
      variable.set(bin("add", variable, delta, shape));
    },

    rmspropUpdate(variable, grad, velocity, momentum, averageGradient, args: RMSpropUpdateArgs) {
      checkArgs("rmspropUpdate", {
        grad: [grad, variable.length], velocity: [velocity, variable.length], momentum: [momentum, variable.length], averageGradient: [averageGradient, variable.length],
      });
      const shape = [variable.length];
      const oneMinusRho = scalar(1 - args.rho);
      const v = bin("add", bin("multiply", velocity, scalar(args.rho), shape), bin("multiply", un("square", grad), oneMinusRho, shape), shape);
      velocity.set(v);
      let denominator: Float32Array;
      if (averageGradient !== null) {
        const avg = bin("add", bin("multiply", averageGradient, scalar(args.rho), shape), bin("multiply", grad, oneMinusRho, shape), shape);
        averageGradient.set(avg);
        denominator = bin("add", bin("subtract", v, un("square", avg), shape), scalar(args.epsilon), shape);
      } else {
        denominator = bin("add", v, scalar(args.epsilon), shape);
      }
      const increment = bin("divide", bin("multiply", grad, scalar(args.lr), shape), un("sqrt", denominator), shape);
      if (momentum !== null) {
        const m = bin("add", bin("multiply", momentum, scalar(args.momentum), shape), increment, shape);
        momentum.set(m);
        variable.set(bin("subtract", variable, m, shape));
      } else {
        variable.set(bin("subtract", variable, increment, shape));
      }
    },

    adamUpdate(variable, grad, momentum, velocity, velocityHat, args: AdamUpdateArgs) {
      checkArgs("adamUpdate", {
        grad: [grad, variable.length], momentum: [momentum, variable.length], velocity: [velocity, variable.length], velocityHat: [velocityHat, variable.length],
      });
      const shape = [variable.length];
      const m = bin("add", momentum, bin("multiply", bin("subtract", grad, momentum, shape), scalar(1 - args.beta1), shape), shape);
      let v = bin("add", velocity, bin("multiply", bin("subtract", un("square", grad), velocity, shape), scalar(1 - args.beta2), shape), shape);
      momentum.set(m);
      velocity.set(v);
      if (velocityHat !== null) {
        v = bin("maximum", velocityHat, v, shape);
        velocityHat.set(v);
      }
      const step = bin("divide", bin("multiply", m, scalar(args.alpha), shape), bin("add", un("sqrt", v), scalar(args.epsilon), shape), shape);
      variable.set(bin("subtract", variable, step, shape));
    },

    convForward(x, w, bias, args: ConvArgs, activation) {
      const s = convSpatial("convForward", args);
      const sizes = convSizes(args);
      checkArgs("convForward", { x: [x, sizes.x], w: [w, sizes.w], bias: [bias, args.outChannels] });
      const plan = windowPlan(s);
      const { batch, groups, outChannels: cout } = args;
      const m = batch * plan.positions;
      const k = plan.taps * (args.inChannels / groups);
      const og = cout / groups;
      let z = convMatmul(convPatches(x, args, plan), groupedKernel(w, args, plan.taps), groups, m, k, og, false, false);
      if (groups > 1) z = core.transpose(z, [groups, m, og], [1, 0, 2]) as Float32Array;
      if (bias !== null) z = core.binary("add", z, [m, cout], bias, [cout], [m, cout], "float32") as Float32Array;
      if (activation !== "linear") {
        const op = EPILOGUE_OP[activation];
        if (op === undefined) throw new Error(`convForward kernel: unknown activation '${activation as string}'`);
        z = un(op, z);
      }
      return fromChannelsLast(z, batch, plan.positions, cout, args.channelsFirst) as Float32Array;
    },

    convBackward(dOut, out, x, w, args: ConvArgs, activation, needDX, needDW, needDB) {
      const s = convSpatial("convBackward", args);
      const sizes = convSizes(args);
      checkArgs("convBackward", {
        dOut: [dOut, sizes.out], out: [activation === "linear" ? null : out, sizes.out], x: [x, sizes.x], w: [w, sizes.w],
        "dW target": [needDW instanceof Float32Array ? needDW : null, sizes.w], "db target": [needDB instanceof Float32Array ? needDB : null, args.outChannels],
      });
      if (needDW !== false && x === null) throw new RangeError("convBackward kernel: x is needed for the kernel gradient");
      if (needDX && w === null) throw new RangeError("convBackward kernel: the kernel is needed for the input gradient");
      if (activation !== "linear" && out === null) throw new RangeError(`convBackward kernel: the forward output is needed for activation '${activation}'`);
      const plan = windowPlan(s);
      const { batch, groups, inChannels: cin, outChannels: cout } = args;
      const m = batch * plan.positions;
      const cg = cin / groups;
      const k = plan.taps * cg;
      const og = cout / groups;
      const dz = toChannelsLast(activationGrad(dOut, out!, activation, [sizes.out]), batch, plan.positions, cout, args.channelsFirst) as Float32Array;
      const db = needDB ? intoTarget(needDB, core.reduce("sum", dz, [m, cout], [0], "float32") as Float32Array) : null;
      const dzg = groups === 1 ? dz : (core.transpose(dz, [m, groups, og], [1, 0, 2]) as Float32Array);
      let dW: Float32Array | null = null;
      if (needDW) {
        let grad = convMatmul(convPatches(x!, args, plan), dzg, groups, k, m, og, true, false);
        if (groups > 1) grad = core.transpose(grad, [groups, k, og], [1, 0, 2]) as Float32Array;
        dW = intoTarget(needDW, grad);
      }
      let dX: Float32Array | null = null;
      if (needDX) {
        let dPatches = convMatmul(dzg, groupedKernel(w!, args, plan.taps), groups, m, og, k, false, true);
        if (groups > 1) dPatches = core.transpose(dPatches, [groups, m, plan.taps, cg], [1, 2, 0, 3]) as Float32Array;
        const dxl = scatterWindows(dPatches, batch, cin, plan);
        dX = fromChannelsLast(dxl, batch, plan.spatial, cin, args.channelsFirst) as Float32Array;
      }
      return { dX, dW, db };
    },

    maxPoolForward(x, args: PoolArgs) {
      const plan = windowPlan(poolSpatial("maxPoolForward", args));
      checkArgs("maxPoolForward", { x: [x, poolSizes(args).x] });
      const { batch, channels } = args;
      const windows = gatherWindows(toChannelsLast(x, batch, plan.spatial, channels, args.channelsFirst), batch, channels, plan, -Infinity);
      const pooled = core.reduce("max", windows, [batch, plan.positions, plan.taps, channels], [2], "float32");
      return fromChannelsLast(pooled, batch, plan.positions, channels, args.channelsFirst) as Float32Array;
    },

    maxPoolBackward(dOut, x, args: PoolArgs) {
      const plan = windowPlan(poolSpatial("maxPoolBackward", args));
      const sizes = poolSizes(args);
      checkArgs("maxPoolBackward", { x: [x, sizes.x], dOut: [dOut, sizes.out] });
      const { batch, channels } = args;
      const windowShape = [batch, plan.positions, plan.taps, channels];
      const windows = gatherWindows(toChannelsLast(x, batch, plan.spatial, channels, args.channelsFirst), batch, channels, plan, -Infinity);
      // The first maximum of the window with its padding at -Infinity: the reference's choice,
      // except in a window whose in-bounds elements are all -Infinity (the gradient then goes to
      // the padding and is dropped, where the reference gives it to the first such element).
      const chosen = core.argReduce("argmax", windows, windowShape, 2);
      const taps = Int32Array.from({ length: plan.taps }, (_, t) => t);
      const mask = core.binary("equal", chosen, [batch, plan.positions, 1, channels], taps, [1, 1, plan.taps, 1], windowShape, "bool");
      const g = toChannelsLast(dOut, batch, plan.positions, channels, args.channelsFirst);
      const dWindows = core.select(mask, windowShape, g, [batch, plan.positions, 1, channels], scalar(0), SCALAR, windowShape, "float32");
      const dxl = scatterWindows(dWindows, batch, channels, plan);
      return fromChannelsLast(dxl, batch, plan.spatial, channels, args.channelsFirst) as Float32Array;
    },

    avgPoolForward(x, args: PoolArgs) {
      const plan = windowPlan(poolSpatial("avgPoolForward", args));
      checkArgs("avgPoolForward", { x: [x, poolSizes(args).x] });
      const { batch, channels } = args;
      const windows = gatherWindows(toChannelsLast(x, batch, plan.spatial, channels, args.channelsFirst), batch, channels, plan, 0);
      const sums = core.reduce("sum", windows, [batch, plan.positions, plan.taps, channels], [2], "float32");
      const shape = [batch, plan.positions, channels];
      const averages = core.binary("divide", sums, shape, windowCounts(plan), [plan.positions, 1], shape, "float32");
      return fromChannelsLast(averages, batch, plan.positions, channels, args.channelsFirst) as Float32Array;
    },

    avgPoolBackward(dOut, args: PoolArgs) {
      const plan = windowPlan(poolSpatial("avgPoolBackward", args));
      checkArgs("avgPoolBackward", { dOut: [dOut, poolSizes(args).out] });
      const { batch, channels } = args;
      const shape = [batch, plan.positions, 1, channels];
      const g = toChannelsLast(dOut, batch, plan.positions, channels, args.channelsFirst);
      const shares = core.binary("divide", g, shape, windowCounts(plan), [plan.positions, 1, 1], shape, "float32");
      const dWindows = core.broadcastTo(shares, shape, [batch, plan.positions, plan.taps, channels]);
      const dxl = scatterWindows(dWindows, batch, channels, plan);
      return fromChannelsLast(dxl, batch, plan.spatial, channels, args.channelsFirst) as Float32Array;
    },

    batchNormTraining(x, gamma, beta, args: BatchNormArgs) {
      checkBn("batchNormTraining", args);
      checkArgs("batchNormTraining", { x: [x, args.outer * args.channels * args.inner], gamma: [gamma, args.channels], beta: [beta, args.channels] });
      const sh = bnShapes(args);
      const count = scalar(args.outer * args.inner);
      const c = [args.channels];
      const mean = bin("divide", core.reduce("sum", x, sh.x, sh.axes, "float32"), count, c);
      const centered = core.binary("subtract", x, sh.x, mean, sh.c, sh.x, "float32");
      const variance = bin("divide", core.reduce("sum", un("square", centered), sh.x, sh.axes, "float32"), count, c);
      const [inv, shift] = bnAffine(mean, variance, gamma, beta, args.epsilon);
      return { out: bnApply(x, inv, shift, args), mean, variance };
    },

    batchNormTrainingBackward(dOut, x, mean, variance, gamma, args: BatchNormArgs, needDX, needDGamma, needDBeta) {
      checkBn("batchNormTrainingBackward", args);
      const size = args.outer * args.channels * args.inner;
      checkArgs("batchNormTrainingBackward", {
        dOut: [dOut, size], x: [x, size], mean: [mean, args.channels], variance: [variance, args.channels], gamma: [gamma, args.channels],
        "dGamma target": [needDGamma instanceof Float32Array ? needDGamma : null, args.channels], "dBeta target": [needDBeta instanceof Float32Array ? needDBeta : null, args.channels],
      });
      const sh = bnShapes(args);
      const c = [args.channels];
      const rstd = un("rsqrt", bin("add", variance, scalar(args.epsilon), c));
      const centered = core.binary("subtract", x, sh.x, mean, sh.c, sh.x, "float32");
      const xhat = core.binary("multiply", centered, sh.x, rstd, sh.c, sh.x, "float32") as Float32Array;
      const sumDy = core.reduce("sum", dOut, sh.x, sh.axes, "float32") as Float32Array;
      const sumDyXhat = core.reduce("sum", bin("multiply", dOut, xhat, sh.x), sh.x, sh.axes, "float32") as Float32Array;
      let dX: Float32Array | null = null;
      if (needDX) {
        const count = scalar(args.outer * args.inner);
        const meanDy = bin("divide", sumDy, count, c);
        const meanDyXhat = bin("divide", sumDyXhat, count, c);
        const centeredDy = core.binary("subtract", dOut, sh.x, meanDy, sh.c, sh.x, "float32");
        const correction = core.binary("multiply", xhat, sh.x, meanDyXhat, sh.c, sh.x, "float32");
        const scale = gamma === null ? rstd : bin("multiply", gamma, rstd, c);
        dX = core.binary("multiply", bin("subtract", centeredDy as Float32Array, correction as Float32Array, sh.x), sh.x, scale, sh.c, sh.x, "float32") as Float32Array;
      }
      return {
        dX,
        dGamma: needDGamma ? intoTarget(needDGamma, sumDyXhat) : null,
        dBeta: needDBeta ? intoTarget(needDBeta, sumDy) : null,
      };
    },

    batchNormInference(x, mean, variance, gamma, beta, args: BatchNormArgs) {
      checkBn("batchNormInference", args);
      checkArgs("batchNormInference", {
        x: [x, args.outer * args.channels * args.inner], mean: [mean, args.channels], variance: [variance, args.channels], gamma: [gamma, args.channels], beta: [beta, args.channels],
      });
      const [inv, shift] = bnAffine(mean, variance, gamma, beta, args.epsilon);
      return bnApply(x, inv, shift, args);
    },
  };
}

/**
 * The recurrences and attention as compositions of core kernels: the recurrence is the cell's step
 * written as separate ops and run once per timestep; attention is Keras's einsum / softmax path.
 */
function composedSequenceKernels(core: CoreKernels): SequenceKernels {
  const bin = (op: BinaryOp, a: TypedArray, b: TypedArray, shape: Shape): Float32Array =>
    core.binary(op, a, a.length === 1 && b.length !== 1 ? SCALAR : shape, b, b.length === 1 && a.length !== 1 ? SCALAR : shape, shape, "float32") as Float32Array;
  const un = (op: UnaryOp, a: TypedArray): Float32Array => core.unary(op, a, "float32") as Float32Array;
  const one = scalar(1);
  const product = (a: Float32Array, b: Float32Array, m: number, n: number, k: number, transA = false, transB = false, batch = 1): Float32Array =>
    core.matmul(a, b, { batch, m, n, k, transA, transB, aBatchStride: batch > 1 ? m * k : 0, bBatchStride: batch > 1 ? k * n : 0 }) as Float32Array;
  /** Step t ([batch, width]) of a [batch, timesteps, width] array. */
  const stepOf = (x: TypedArray, batch: number, timesteps: number, width: number, t: number): TypedArray =>
    core.slice(x, [batch, timesteps, width], [0, t, 0], [batch, 1, width]);
  /** Columns [from, from + width) of a [rows, cols] array. */
  const columns = (x: Float32Array, rows: number, cols: number, from: number, width: number): Float32Array =>
    core.slice(x, [rows, cols], [0, from], [rows, width]) as Float32Array;
  /** Steps [batch, width] stacked on a new time axis: [batch, steps.length, width]. */
  const stackSteps = (steps: readonly TypedArray[], batch: number, width: number): Float32Array =>
    core.concat(steps, steps.map(() => [batch, 1, width]), 1, "float32") as Float32Array;
  const joinColumns = (parts: readonly Float32Array[], rows: number, widths: readonly number[]): Float32Array =>
    core.concat(parts, widths.map((w) => [rows, w]), 1, "float32") as Float32Array;
  /** keep ? a : b for a [batch, 1] bool column and [batch, width] arrays. */
  const where = (keep: TypedArray | null, a: Float32Array, b: Float32Array, batch: number, width: number): Float32Array =>
    keep === null ? a : (core.select(keep, [batch, 1], a, [batch, width], b, b.length === 1 ? SCALAR : [batch, width], [batch, width], "float32") as Float32Array);
  const keepAt = (mask: Uint8Array | null, batch: number, timesteps: number, t: number): TypedArray | null =>
    mask === null ? null : core.slice(mask, [batch, timesteps], [0, t], [batch, 1]);
  const sigmoidGrad = (y: Float32Array, shape: Shape) => bin("multiply", y, bin("subtract", one, y, shape), shape);
  const tanhGrad = (y: Float32Array, shape: Shape) => bin("subtract", one, un("square", y), shape);
  const walk = (args: RecurrentArgs) => Array.from({ length: args.timesteps }, (_, s) => (args.goBackwards ? args.timesteps - 1 - s : s));

  /** The kept logits [B, N, Tq, Tk] (bool), or null when all are kept. */
  const keptLogits = (mask: Uint8Array | null, args: AttentionArgs): TypedArray | null => {
    const { batch: B, queryLength: Tq, keyLength: Tk, heads: N } = args;
    const full = [B, N, Tq, Tk];
    let keep: TypedArray | null = null;
    if (mask !== null && args.maskShape !== null) keep = core.broadcastTo(mask, args.maskShape, full);
    if (args.causal) {
      // Keras's causal mask: row index >= column index, from running sums of ones.
      const ones = core.fill(Tq * Tk, 1, "int32");
      const rowIndex = core.cumulative("sum", ones, [Tq, Tk], 0, "int32");
      const colIndex = core.cumulative("sum", ones, [Tq, Tk], 1, "int32");
      const causal = core.binary("greaterEqual", rowIndex, [1, 1, Tq, Tk], colIndex, [1, 1, Tq, Tk], [1, 1, Tq, Tk], "bool");
      keep = keep === null ? core.broadcastTo(causal, [1, 1, Tq, Tk], full) : core.binary("logicalAnd", keep, full, causal, [1, 1, Tq, Tk], full, "bool");
    }
    return keep;
  };
  return {
    lstmForward(x, h0, c0, recurrentKernel, mask, args) {
      const { batch: B, timesteps: T, units: U } = args;
      const G = 4 * U;
      checkArgs("lstmForward", { x: [x, B * T * G], h0: [h0, B * U], c0: [c0, B * U], recurrentKernel: [recurrentKernel, U * G], mask: [mask, B * T] });
      const state = [B, U];
      let h = h0;
      let c = c0;
      const outs: Float32Array[] = [];
      const gates: Float32Array[] = new Array(T);
      const tanhC: Float32Array[] = new Array(T);
      const hPrev: Float32Array[] = new Array(T);
      const cPrev: Float32Array[] = new Array(T);
      for (const t of walk(args)) {
        const z = bin("add", stepOf(x, B, T, G, t) as Float32Array, product(h, recurrentKernel, B, G, U), [B, G]);
        const i = un("sigmoid", columns(z, B, G, 0, U));
        const f = un("sigmoid", columns(z, B, G, U, U));
        const g = un("tanh", columns(z, B, G, 2 * U, U));
        const o = un("sigmoid", columns(z, B, G, 3 * U, U));
        const cNew = bin("add", bin("multiply", f, c, state), bin("multiply", i, g, state), state);
        const tc = un("tanh", cNew);
        const hNew = bin("multiply", o, tc, state);
        gates[t] = joinColumns([i, f, g, o], B, [U, U, U, U]);
        tanhC[t] = tc;
        hPrev[t] = h;
        cPrev[t] = c;
        const keep = keepAt(mask, B, T, t);
        outs.push(where(keep, hNew, args.zeroOutputForMask ? scalar(0) : h, B, U));
        h = where(keep, hNew, h, B, U);
        c = where(keep, cNew, c, B, U);
      }
      const workspace = args.training && T > 0
        ? (core.concat([stackSteps(gates, B, G), stackSteps(tanhC, B, U), stackSteps(hPrev, B, U), stackSteps(cPrev, B, U)], [[B * T * G], [B * T * U], [B * T * U], [B * T * U]], 0, "float32") as Float32Array)
        : args.training ? new Float32Array(0) : null;
      return {
        outputs: args.returnSequences ? (T > 0 ? stackSteps(outs, B, U) : new Float32Array(0)) : null,
        h: h === h0 ? h0.slice() : h,
        c: c === c0 ? c0.slice() : c,
        workspace,
      };
    },

    lstmBackward(dOutputs, dH, dC, recurrentKernel, mask, workspace, args, needDRecurrentKernel) {
      const { batch: B, timesteps: T, units: U } = args;
      const G = 4 * U;
      checkArgs("lstmBackward", { dOutputs: [dOutputs, B * T * U], dH: [dH, B * U], dC: [dC, B * U], recurrentKernel: [recurrentKernel, U * G], mask: [mask, B * T], workspace: [workspace, B * T * 7 * U] });
      const state = [B, U];
      const gatesAll = core.slice(workspace, [workspace.length], [0], [B * T * G]);
      const tanhCAll = core.slice(workspace, [workspace.length], [B * T * G], [B * T * U]);
      const hPrevAll = core.slice(workspace, [workspace.length], [B * T * (G + U)], [B * T * U]) as Float32Array;
      const cPrevAll = core.slice(workspace, [workspace.length], [B * T * (G + 2 * U)], [B * T * U]);
      let dh: Float32Array = dH ?? (core.fill(B * U, 0, "float32") as Float32Array);
      let dc: Float32Array = dC ?? (core.fill(B * U, 0, "float32") as Float32Array);
      const dXSteps: Float32Array[] = new Array(T);
      const steps = walk(args);
      for (let s = T - 1; s >= 0; s--) {
        const t = steps[s];
        const keep = keepAt(mask, B, T, t);
        if (dOutputs !== null) {
          let dOut = stepOf(dOutputs, B, T, U, s) as Float32Array;
          if (args.zeroOutputForMask) dOut = where(keep, dOut, scalar(0), B, U);
          dh = bin("add", dh, dOut, state);
        }
        const gatesT = stepOf(gatesAll, B, T, G, t) as Float32Array;
        const i = columns(gatesT, B, G, 0, U);
        const f = columns(gatesT, B, G, U, U);
        const g = columns(gatesT, B, G, 2 * U, U);
        const o = columns(gatesT, B, G, 3 * U, U);
        const tc = stepOf(tanhCAll, B, T, U, t) as Float32Array;
        const cPrev = stepOf(cPrevAll, B, T, U, t) as Float32Array;
        const dO = bin("multiply", bin("multiply", dh, tc, state), sigmoidGrad(o, state), state);
        const dcTotal = bin("add", dc, bin("multiply", bin("multiply", dh, o, state), tanhGrad(tc, state), state), state);
        const dI = bin("multiply", bin("multiply", dcTotal, g, state), sigmoidGrad(i, state), state);
        const dF = bin("multiply", bin("multiply", dcTotal, cPrev, state), sigmoidGrad(f, state), state);
        const dG = bin("multiply", bin("multiply", dcTotal, i, state), tanhGrad(g, state), state);
        const dZ = where(keep, joinColumns([dI, dF, dG, dO], B, [U, U, U, U]), scalar(0), B, G);
        dXSteps[t] = dZ;
        dh = where(keep, product(dZ, recurrentKernel, B, U, G, false, true), dh, B, U);
        dc = where(keep, bin("multiply", dcTotal, f, state), dc, B, U);
      }
      const dX = T > 0 ? stackSteps(dXSteps, B, G) : new Float32Array(0);
      const dRecurrentKernel = needDRecurrentKernel ? intoTarget(needDRecurrentKernel, product(hPrevAll, dX, U, G, B * T, true)) : null;
      return { dX, dH0: dh === dH ? dh.slice() : dh, dC0: dc === dC ? dc.slice() : dc, dRecurrentKernel };
    },

    gruForward(x, h0, recurrentKernel, recurrentBias, mask, args) {
      const { batch: B, timesteps: T, units: U } = args;
      const G = 3 * U;
      checkArgs("gruForward", { x: [x, B * T * G], h0: [h0, B * U], recurrentKernel: [recurrentKernel, U * G], recurrentBias: [recurrentBias, G], mask: [mask, B * T] });
      const state = [B, U];
      let h = h0;
      const outs: Float32Array[] = [];
      const gates: Float32Array[] = new Array(T);
      const innerH: Float32Array[] = new Array(T);
      const hPrev: Float32Array[] = new Array(T);
      for (const t of walk(args)) {
        let inner = product(h, recurrentKernel, B, G, U);
        if (recurrentBias !== null) inner = core.binary("add", inner, [B, G], recurrentBias, [G], [B, G], "float32") as Float32Array;
        const xt = stepOf(x, B, T, G, t) as Float32Array;
        const z = un("sigmoid", bin("add", columns(xt, B, G, 0, U), columns(inner, B, G, 0, U), state));
        const r = un("sigmoid", bin("add", columns(xt, B, G, U, U), columns(inner, B, G, U, U), state));
        const ih = columns(inner, B, G, 2 * U, U);
        const hh = un("tanh", bin("add", columns(xt, B, G, 2 * U, U), bin("multiply", r, ih, state), state));
        const hNew = bin("add", bin("multiply", z, h, state), bin("multiply", bin("subtract", one, z, state), hh, state), state);
        gates[t] = joinColumns([z, r, hh], B, [U, U, U]);
        innerH[t] = ih;
        hPrev[t] = h;
        const keep = keepAt(mask, B, T, t);
        outs.push(where(keep, hNew, args.zeroOutputForMask ? scalar(0) : h, B, U));
        h = where(keep, hNew, h, B, U);
      }
      const workspace = args.training && T > 0
        ? (core.concat([stackSteps(gates, B, G), stackSteps(innerH, B, U), stackSteps(hPrev, B, U)], [[B * T * G], [B * T * U], [B * T * U]], 0, "float32") as Float32Array)
        : args.training ? new Float32Array(0) : null;
      return { outputs: args.returnSequences ? (T > 0 ? stackSteps(outs, B, U) : new Float32Array(0)) : null, h: h === h0 ? h0.slice() : h, workspace };
    },

    gruBackward(dOutputs, dH, recurrentKernel, hasRecurrentBias, mask, workspace, args, needDRecurrentKernel, needDRecurrentBias) {
      const { batch: B, timesteps: T, units: U } = args;
      const G = 3 * U;
      checkArgs("gruBackward", { dOutputs: [dOutputs, B * T * U], dH: [dH, B * U], recurrentKernel: [recurrentKernel, U * G], mask: [mask, B * T], workspace: [workspace, B * T * 5 * U] });
      const state = [B, U];
      const gatesAll = core.slice(workspace, [workspace.length], [0], [B * T * G]);
      const innerHAll = core.slice(workspace, [workspace.length], [B * T * G], [B * T * U]);
      const hPrevAll = core.slice(workspace, [workspace.length], [B * T * (G + U)], [B * T * U]) as Float32Array;
      let dh: Float32Array = dH ?? (core.fill(B * U, 0, "float32") as Float32Array);
      const dXSteps: Float32Array[] = new Array(T);
      const dInnerSteps: Float32Array[] = new Array(T);
      const steps = walk(args);
      for (let s = T - 1; s >= 0; s--) {
        const t = steps[s];
        const keep = keepAt(mask, B, T, t);
        if (dOutputs !== null) {
          let dOut = stepOf(dOutputs, B, T, U, s) as Float32Array;
          if (args.zeroOutputForMask) dOut = where(keep, dOut, scalar(0), B, U);
          dh = bin("add", dh, dOut, state);
        }
        const gatesT = stepOf(gatesAll, B, T, G, t) as Float32Array;
        const z = columns(gatesT, B, G, 0, U);
        const r = columns(gatesT, B, G, U, U);
        const hh = columns(gatesT, B, G, 2 * U, U);
        const ih = stepOf(innerHAll, B, T, U, t) as Float32Array;
        const hp = stepOf(hPrevAll, B, T, U, t) as Float32Array;
        const dZ = bin("multiply", bin("multiply", dh, bin("subtract", hp, hh, state), state), sigmoidGrad(z, state), state);
        const dPreH = bin("multiply", bin("multiply", dh, bin("subtract", one, z, state), state), tanhGrad(hh, state), state);
        const dR = bin("multiply", bin("multiply", dPreH, ih, state), sigmoidGrad(r, state), state);
        dXSteps[t] = where(keep, joinColumns([dZ, dR, dPreH], B, [U, U, U]), scalar(0), B, G);
        const dInner = where(keep, joinColumns([dZ, dR, bin("multiply", dPreH, r, state)], B, [U, U, U]), scalar(0), B, G);
        dInnerSteps[t] = dInner;
        const dhPrev = bin("add", product(dInner, recurrentKernel, B, U, G, false, true), bin("multiply", dh, z, state), state);
        dh = where(keep, dhPrev, dh, B, U);
      }
      const dX = T > 0 ? stackSteps(dXSteps, B, G) : new Float32Array(0);
      const dInnerAll = T > 0 ? stackSteps(dInnerSteps, B, G) : new Float32Array(0);
      const dRecurrentKernel = needDRecurrentKernel ? intoTarget(needDRecurrentKernel, product(hPrevAll, dInnerAll, U, G, B * T, true)) : null;
      const dRecurrentBias = needDRecurrentBias && hasRecurrentBias
        ? intoTarget(needDRecurrentBias, core.reduce("sum", dInnerAll, [B * T, G], [0], "float32") as Float32Array)
        : null;
      return { dX, dH0: dh === dH ? dh.slice() : dh, dRecurrentKernel, dRecurrentBias };
    },

    attentionForward(q, k, v, mask, args) {
      const { batch: B, queryLength: Tq, keyLength: Tk, heads: N, depth: D, valueDepth: Dv } = args;
      checkArgs("attentionForward", { q: [q, B * Tq * N * D], k: [k, B * Tk * N * D], v: [v, B * Tk * N * Dv] });
      const heads = (x: Float32Array, T: number, X: number) => core.transpose(x, [B, T, N, X], [0, 2, 1, 3]) as Float32Array;
      const full = [B, N, Tq, Tk];
      const logits = bin("multiply", product(heads(q, Tq, D), heads(k, Tk, D), Tq, Tk, D, false, true, B * N), scalar(args.scale), full);
      const keep = keptLogits(mask, args);
      // Keras's large negative fill: masked logits vanish from the softmax, a fully masked row is uniform.
      const filled = keep === null ? logits : (core.select(keep, full, logits, full, scalar(-0.7 * 3.4028234663852886e38), SCALAR, full, "float32") as Float32Array);
      const probabilities = core.softmax(filled, B * N * Tq, Tk);
      const outHeads = product(probabilities, heads(v, Tk, Dv), Tq, Dv, Tk, false, false, B * N);
      return { out: core.transpose(outHeads, [B, N, Tq, Dv], [0, 2, 1, 3]) as Float32Array, probabilities };
    },

    attentionBackward(dOut, q, k, v, mask, probabilities, args) {
      const { batch: B, queryLength: Tq, keyLength: Tk, heads: N, depth: D, valueDepth: Dv } = args;
      checkArgs("attentionBackward", { dOut: [dOut, B * Tq * N * Dv], q: [q, B * Tq * N * D], k: [k, B * Tk * N * D], v: [v, B * Tk * N * Dv], probabilities: [probabilities, B * N * Tq * Tk] });
      const heads = (x: Float32Array, T: number, X: number) => core.transpose(x, [B, T, N, X], [0, 2, 1, 3]) as Float32Array;
      const back = (x: Float32Array, T: number, X: number) => core.transpose(x, [B, N, T, X], [0, 2, 1, 3]) as Float32Array;
      const full = [B, N, Tq, Tk];
      const dOutH = heads(dOut, Tq, Dv);
      const dV = back(product(probabilities, dOutH, Tk, Dv, Tq, true, false, B * N), Tk, Dv);
      const dP = product(dOutH, heads(v, Tk, Dv), Tq, Tk, Dv, false, true, B * N);
      const weighted = core.reduce("sum", bin("multiply", probabilities, dP, full), full, [3], "float32");
      let dLogits = bin("multiply", probabilities, core.binary("subtract", dP, full, weighted, [B, N, Tq, 1], full, "float32") as Float32Array, full);
      const keep = keptLogits(mask, args);
      if (keep !== null) dLogits = core.select(keep, full, dLogits, full, scalar(0), SCALAR, full, "float32") as Float32Array;
      dLogits = bin("multiply", dLogits, scalar(args.scale), full);
      const dQ = back(product(dLogits, heads(k, Tk, D), Tq, D, Tk, false, false, B * N), Tq, D);
      const dK = back(product(dLogits, heads(q, Tq, D), Tk, D, Tq, true, false, B * N), Tk, D);
      return { dQ, dK, dV };
    },
  };
}
