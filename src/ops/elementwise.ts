import { getBackend } from "../backend/backend.js";
import { broadcastShapes } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { unbroadcast } from "./helpers.js";
import { binaryOp, coerceOperands, toBool, toFloat, unaryOp } from "./dispatch.js";

export function add(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("add", x, y, { vjp: (g) => [g, g] });
}

export function subtract(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("subtract", x, y, { vjp: (g) => [g, negative(g)] });
}

export function multiply(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("multiply", x, y, { vjp: (g, a, b) => [multiply(g, b), multiply(g, a)] });
}

/** True division: integer inputs give float32. */
export function divide(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = coerceOperands(x, y, "divide");
  const fa = a.dtype === "float32" ? a : cast(a, "float32");
  const fb = b.dtype === "float32" ? b : cast(b, "float32");
  return binaryOp("divide", fa, fb, {
    vjp: (g, p, q, out) => [divide(g, q), negative(divide(multiply(g, out), q))],
  });
}

export function negative(x: TensorLike): Tensor {
  return unaryOp("negative", x, { vjp: (g) => negative(g) });
}

export function exp(x: TensorLike): Tensor {
  return unaryOp("exp", x, { outDtype: toFloat, vjp: (g, _x, out) => multiply(g, out) });
}

export function log(x: TensorLike): Tensor {
  return unaryOp("log", x, { outDtype: toFloat, vjp: (g, t) => divide(g, t) });
}

export function square(x: TensorLike): Tensor {
  return unaryOp("square", x, { vjp: (g, t) => multiply(g, multiply(t, 2)) });
}

export function sqrt(x: TensorLike): Tensor {
  return unaryOp("sqrt", x, { outDtype: toFloat, vjp: (g, _t, out) => divide(g, multiply(out, 2)) });
}

export function maximum(x: TensorLike, y: TensorLike): Tensor {
  // Ties send the gradient to the first operand, as JAX does for max.
  return binaryOp("maximum", x, y, {
    vjp: (g, a, b) => {
      const takeA = greaterEqual(a, b);
      return [where(takeA, g, 0), where(takeA, 0, g)];
    },
  });
}

export function equal(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("equal", x, y, { outDtype: toBool });
}

export function greater(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("greater", x, y, { outDtype: toBool });
}

export function greaterEqual(x: TensorLike, y: TensorLike): Tensor {
  return binaryOp("greaterEqual", x, y, { outDtype: toBool });
}

/** `condition ? x : y` elementwise, all three broadcast together. */
export function where(condition: TensorLike, x: TensorLike, y: TensorLike): Tensor {
  const c = toTensor(condition, "where");
  const [a, b] = coerceOperands(x, y, "where");
  const outShape = broadcastShapes(broadcastShapes(c.shape, a.shape, "where"), b.shape, "where");
  const out = makeTensor(getBackend().select(c.storage, c.shape, a.storage, a.shape, b.storage, b.shape, outShape, a.dtype), outShape, a.dtype);
  if (isRecording() && out.dtype === "float32") {
    record([a, b], out, (g) => [unbroadcast(where(c, g, 0), a.shape), unbroadcast(where(c, 0, g), b.shape)]);
  }
  return out;
}
