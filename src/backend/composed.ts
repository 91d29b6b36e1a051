import type { BinaryOp, CoreKernels, UnaryOp } from "./core_kernels.js";
import type { Shape, TypedArray } from "./dtypes.js";
import type {
  AdamUpdateArgs, BatchNormArgs, ConvArgs, EpilogueActivation, FusedKernels, GradientTarget, LinearGrads, NormalizeArgs, PoolArgs, RMSpropUpdateArgs, SGDUpdateArgs,
} from "./fused_kernels.js";
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
