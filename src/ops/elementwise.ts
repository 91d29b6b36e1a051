import { getBackend } from "../backend/backend.js";
import type { DType } from "../backend/dtypes.js";
import { broadcastShapes, formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { unbroadcast } from "./helpers.js";
import { binaryOp, boolToInt, coerceOperands, toBool, toFloat, unaryOp } from "./dispatch.js";

/*
 * Elementwise `keras.ops`, with NumPy broadcasting and Keras 3 (JAX backend) dtype rules. A
 * JavaScript number is a weak scalar: it takes the tensor's dtype when it fits (see
 * `coerceOperands`). Ops that are piecewise constant (floor, sign, comparisons, ...) record no
 * gradient, so they contribute zero.
 */

function rejectBool(op: string, hint: string): (dtype: DType) => DType {
  return (dtype) => {
    if (dtype === "bool") throw new TypeError(`${op}: not supported for bool tensors; ${hint}`);
    return dtype;
  };
}

/* ------------------------------------------------------------------ arithmetic */

export function add(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("add", x, y, { vjp: (g) => [g, g] });
}

/** Bool tensors are rejected, as in NumPy and JAX. */
export function subtract(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("subtract", x, y, {
    operandDType: rejectBool("subtract", "use logicalXor, or cast to int32 first"),
    vjp: (g) => [g, negative(g)],
  });
}

export function multiply(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("multiply", x, y, { vjp: (g, a, b) => [multiply(g, b), multiply(g, a)] });
}

/** True division: integer and bool inputs give float32. */
export function divide(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("divide", x, y, {
    outDtype: toFloat,
    vjp: (g, _a, b, out) => [divide(g, b), negative(divide(multiply(g, out), b))],
  });
}

/**
 * Python's `//`: the floor of the quotient. Integers stay integers (bool computes in int32);
 * integer division by zero gives 0, as NumPy does; float division by zero gives +-inf or NaN.
 * Piecewise constant, so no gradient.
 */
export function floorDivide(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("floorDivide", x, y, { operandDType: boolToInt });
}

/**
 * Python's `%`: the remainder has the sign of the divisor, `x - floorDivide(x, y) * y`. Integer
 * modulo by zero gives 0 (as NumPy); float modulo by zero gives NaN.
 */
export function mod(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("mod", x, y, {
    operandDType: boolToInt,
    vjp: (g, a, b) => [g, negative(multiply(g, floorDivide(a, b)))],
  });
}

/**
 * `x ** y`. Integers stay integers and wrap like NumPy's; a negative integer exponent gives
 * trunc(1 / x ** -y) (1 for x = 1, +-1 for x = -1, otherwise 0) instead of NumPy's error.
 * The gradient with respect to the exponent is `out * log(x)` where x > 0 and 0 elsewhere.
 */
export function power(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("power", x, y, {
    operandDType: boolToInt,
    vjp: (g, a, b, out) => {
      // d/da = b * a^(b-1), taken as 0 where b == 0 (so 0^0 gives 0, not 0 * inf = NaN).
      const ga = where(equal(b, 0), 0, multiply(g, multiply(b, power(a, subtract(b, 1)))));
      const gb = where(greater(a, 0), multiply(g, multiply(out, log(a))), 0);
      return [ga, gb];
    },
  });
}

/** Bool tensors are rejected, as in NumPy and JAX. */
export function negative(x: TensorLike): Tensor {
  return unaryOp("negative", x, {
    operandDType: rejectBool("negative", "use logicalNot instead"),
    vjp: (g) => negative(g),
  });
}

/** Integers stay integers (int32 wraps at -2^31, as NumPy does). The gradient at 0 is 0. */
export function abs(x: TensorLike): Tensor {
  return unaryOp("abs", x, { vjp: (g, t) => multiply(g, sign(t)) });
}

/** -1, 0 or 1 (NaN stays NaN), in the input's dtype. No gradient. */
export function sign(x: TensorLike): Tensor {
  return unaryOp("sign", x);
}

/** `x * x`; bool computes in int32. */
export function square(x: TensorLike): Tensor {
  return unaryOp("square", x, { outDtype: boolToInt, vjp: (g, t) => multiply(g, multiply(t, 2)) });
}

export function sqrt(x: TensorLike): Tensor {
  return unaryOp("sqrt", x, { outDtype: toFloat, vjp: (g, _t, out) => divide(g, multiply(out, 2)) });
}

/** `1 / x`, in float32 for integer inputs. */
export function reciprocal(x: TensorLike): Tensor {
  return unaryOp("reciprocal", x, { outDtype: toFloat, vjp: (g, _t, out) => negative(multiply(g, square(out))) });
}

/* ------------------------------------------------------------ exponentials, logs */

export function exp(x: TensorLike): Tensor {
  return unaryOp("exp", x, { outDtype: toFloat, vjp: (g, _x, out) => multiply(g, out) });
}

/** `exp(x) - 1`, accurate for small x. */
export function expm1(x: TensorLike): Tensor {
  return unaryOp("expm1", x, { outDtype: toFloat, vjp: (g, _x, out) => multiply(g, add(out, 1)) });
}

export function log(x: TensorLike): Tensor {
  return unaryOp("log", x, { outDtype: toFloat, vjp: (g, t) => divide(g, t) });
}

/** `log(1 + x)`, accurate for small x. */
export function log1p(x: TensorLike): Tensor {
  return unaryOp("log1p", x, { outDtype: toFloat, vjp: (g, t) => divide(g, add(t, 1)) });
}

/* ---------------------------------------------------------------- trigonometry */

export function sin(x: TensorLike): Tensor {
  return unaryOp("sin", x, { outDtype: toFloat, vjp: (g, t) => multiply(g, cos(t)) });
}

export function cos(x: TensorLike): Tensor {
  return unaryOp("cos", x, { outDtype: toFloat, vjp: (g, t) => negative(multiply(g, sin(t))) });
}

export function tan(x: TensorLike): Tensor {
  return unaryOp("tan", x, { outDtype: toFloat, vjp: (g, _t, out) => multiply(g, add(square(out), 1)) });
}

export function arcsin(x: TensorLike): Tensor {
  return unaryOp("asin", x, { name: "arcsin", outDtype: toFloat, vjp: (g, t) => multiply(g, unaryOp("rsqrt", subtract(1, square(t)))) });
}

export function arccos(x: TensorLike): Tensor {
  return unaryOp("acos", x, { name: "arccos", outDtype: toFloat, vjp: (g, t) => negative(multiply(g, unaryOp("rsqrt", subtract(1, square(t))))) });
}

export function arctan(x: TensorLike): Tensor {
  return unaryOp("atan", x, { name: "arctan", outDtype: toFloat, vjp: (g, t) => divide(g, add(square(t), 1)) });
}

/** The angle of the point (x2, x1), in (-pi, pi]; float32 for any input dtypes. */
export function arctan2(x1: TensorLike, x2: TensorLike): Tensor {
  return binaryOp("atan2", x1, x2, {
    name: "arctan2",
    outDtype: toFloat,
    vjp: (g, y, x) => {
      const scale = divide(g, add(square(x), square(y)));
      return [multiply(scale, x), negative(multiply(scale, y))];
    },
  });
}

export function sinh(x: TensorLike): Tensor {
  return unaryOp("sinh", x, { outDtype: toFloat, vjp: (g, t) => multiply(g, cosh(t)) });
}

export function cosh(x: TensorLike): Tensor {
  return unaryOp("cosh", x, { outDtype: toFloat, vjp: (g, t) => multiply(g, sinh(t)) });
}

export function tanh(x: TensorLike): Tensor {
  return unaryOp("tanh", x, { outDtype: toFloat, vjp: (g, _t, out) => multiply(g, subtract(1, square(out))) });
}

export function arcsinh(x: TensorLike): Tensor {
  return unaryOp("arcsinh", x, { outDtype: toFloat, vjp: (g, t) => multiply(g, unaryOp("rsqrt", add(square(t), 1))) });
}

export function arccosh(x: TensorLike): Tensor {
  return unaryOp("arccosh", x, { outDtype: toFloat, vjp: (g, t) => multiply(g, unaryOp("rsqrt", subtract(square(t), 1))) });
}

export function arctanh(x: TensorLike): Tensor {
  return unaryOp("arctanh", x, { outDtype: toFloat, vjp: (g, t) => divide(g, subtract(1, square(t))) });
}

/* ------------------------------------------------------------------ activations */

/** `1 / (1 + exp(-x))`, computed without overflow; float32 for integer inputs. */
export function sigmoid(x: TensorLike): Tensor {
  return unaryOp("sigmoid", x, { outDtype: toFloat, vjp: (g, _t, out) => multiply(g, multiply(out, subtract(1, out))) });
}

/** `max(x, 0)` in the input's dtype; the gradient at 0 is 0. NaN stays NaN. */
export function relu(x: TensorLike): Tensor {
  return unaryOp("relu", x, { vjp: (g, t) => where(greater(t, 0), g, 0) });
}

/** `log(1 + exp(x))`, computed without overflow; float32 for integer inputs. */
export function softplus(x: TensorLike): Tensor {
  return unaryOp("softplus", x, { outDtype: toFloat, vjp: (g, t) => multiply(g, sigmoid(t)) });
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The Gauss error function; float32 for integer inputs. */
export function erf(x: TensorLike): Tensor {
  return unaryOp("erf", x, {
    outDtype: toFloat,
    vjp: (g, t) => multiply(g, multiply(exp(negative(square(t))), TWO_OVER_SQRT_PI)),
  });
}

/* ------------------------------------------------------------ rounding (no gradient) */

/** Keras computes floor of integers in float32. */
export function floor(x: TensorLike): Tensor {
  return unaryOp("floor", x, { outDtype: toFloat });
}

/** Keras computes ceil of integers in float32. */
export function ceil(x: TensorLike): Tensor {
  return unaryOp("ceil", x, { outDtype: toFloat });
}

/**
 * Rounds half to even (NumPy's rule: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2), to `decimals` places
 * (negative: to tens, hundreds, ...). Integers stay integers. No gradient.
 */
export function round(x: TensorLike, decimals = 0): Tensor {
  if (!Number.isInteger(decimals)) throw new TypeError(`round: decimals must be an integer, got ${String(decimals)}`);
  const t = toTensor(x, "round");
  if (t.dtype !== "float32") {
    if (decimals >= 0 || t.dtype === "bool") return t;
    // As Keras does: scale in float32, round, scale back, cast to the integer dtype.
    return cast(round(cast(t, "float32"), decimals), t.dtype);
  }
  if (decimals === 0) return unaryOp("round", t);
  const factor = 10 ** decimals;
  return divide(unaryOp("round", multiply(t, factor)), factor);
}

/* --------------------------------------------------------------- min, max, clip */

// Ties send the gradient to the first operand, as JAX does.
function maximumVjp(g: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const takeA = greaterEqual(a, b);
  return [where(takeA, g, 0), where(takeA, 0, g)];
}

function minimumVjp(g: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const takeA = lessEqual(a, b);
  return [where(takeA, g, 0), where(takeA, 0, g)];
}

/** Elementwise maximum; NaN propagates. On ties the gradient goes to `x` (as JAX does). */
export function maximum(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("maximum", x, y, { vjp: maximumVjp });
}

/** Elementwise minimum; NaN propagates. On ties the gradient goes to `x` (as JAX does). */
export function minimum(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("minimum", x, y, { vjp: minimumVjp });
}

/**
 * Limits values to [xMin, xMax] (`minimum(maximum(x, xMin), xMax)`). The result keeps x's dtype
 * (bool becomes int32), as Keras does, even for fractional bounds. The gradient passes where
 * xMin <= x <= xMax.
 */
export function clip(x: TensorLike, xMin: TensorLike, xMax: TensorLike): Tensor {
  let t = toTensor(x, "clip");
  if (t.dtype === "bool") t = cast(t, "int32");
  // Bounds that the dtype cannot hold (clip(uint8, 0, 300)) compute in a wider dtype, then cast back.
  const [lowA, lowB] = coerceOperands(t, xMin, "clip", { outOfRange: "widen" });
  const low = binaryOp("maximum", lowA, lowB, { name: "clip", vjp: maximumVjp });
  const [highA, highB] = coerceOperands(low, xMax, "clip", { outOfRange: "widen" });
  const out = binaryOp("minimum", highA, highB, { name: "clip", vjp: minimumVjp });
  return out.dtype === t.dtype ? out : cast(out, t.dtype);
}

/* ------------------------------------------------------------------- where */

/** `condition ? x : y` elementwise (any nonzero condition is true), all three broadcast together. */
export function where(condition: TensorLike, x: TensorLike, y: TensorLike): Tensor {
  const c = toTensor(condition, "where");
  const [a, b] = coerceOperands(x, y, "where");
  let outShape: number[];
  try {
    outShape = broadcastShapes(broadcastShapes(c.shape, a.shape, "where"), b.shape, "where");
  } catch {
    throw new Error(`where: shapes cannot be broadcast together: condition ${formatShape(c.shape)}, x ${formatShape(a.shape)}, y ${formatShape(b.shape)}`);
  }
  const out = makeTensor(getBackend().select(c.storage, c.shape, a.storage, a.shape, b.storage, b.shape, outShape, a.dtype), outShape, a.dtype);
  if (out.dtype === "float32" && isRecording()) {
    record([a, b], out, (g) => [unbroadcast(where(c, g, 0), a.shape), unbroadcast(where(c, 0, g), b.shape)]);
  }
  return out;
}

/* ------------------------------------------------------- comparisons (bool out) */

// A number the tensor's dtype cannot hold is compared exactly: greater(uint8Tensor, 300) is all false.
const comparison = { outDtype: toBool, outOfRange: "widen" } as const;

export function equal(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("equal", x, y, comparison);
}

export function notEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("notEqual", x, y, comparison);
}

export function less(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("less", x, y, comparison);
}

export function lessEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("lessEqual", x, y, comparison);
}

export function greater(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("greater", x, y, comparison);
}

export function greaterEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("greaterEqual", x, y, comparison);
}

/* ------------------------------------------------- logical and predicates (bool out) */

/** Nonzero (including NaN) is true. */
export function logicalAnd(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("logicalAnd", x, y, comparison);
}

export function logicalOr(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("logicalOr", x, y, comparison);
}

export function logicalXor(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("logicalXor", x, y, comparison);
}

export function logicalNot(x: TensorLike): Tensor {
  return unaryOp("logicalNot", x, { outDtype: toBool });
}

export function isnan(x: TensorLike): Tensor {
  return unaryOp("isnan", x, { outDtype: toBool });
}

export function isinf(x: TensorLike): Tensor {
  return unaryOp("isinf", x, { outDtype: toBool });
}

export function isfinite(x: TensorLike): Tensor {
  return unaryOp("isfinite", x, { outDtype: toBool });
}
