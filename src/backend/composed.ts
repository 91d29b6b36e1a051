import type { BinaryOp, CoreKernels, UnaryOp } from "./core_kernels.js";
import type { Shape, TypedArray } from "./dtypes.js";
import type {
  AdamUpdateArgs, EpilogueActivation, FusedKernels, GradientTarget, LinearGrads, NormalizeArgs, RMSpropUpdateArgs, SGDUpdateArgs,
} from "./fused_kernels.js";

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
  };
}
