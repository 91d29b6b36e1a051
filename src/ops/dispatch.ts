import { getBackend, type BinaryOp, type UnaryOp } from "../backend/backend.js";
import { resultType, weakResultType, type DType } from "../backend/dtypes.js";
import { broadcastShapes } from "../backend/shape.js";
import { makeTensor, Tensor } from "../backend/tensor.js";
import { isRecording, record, type VJP } from "../autodiff/tape.js";
import { cast, convertToTensor, toTensor, type TensorLike } from "./core.js";
import { unbroadcast } from "./helpers.js";

/* How elementwise ops run a kernel and record their gradient; not part of `keras.ops`. */

/**
 * Brings two operands to a common dtype. JavaScript numbers are weak (see `weakResultType`), so
 * `multiply(uint8Tensor, 2)` stays uint8 and `multiply(int32Tensor, 0.5)` becomes float32.
 */
export function coerceOperands(x: TensorLike, y: TensorLike, op: string): [Tensor, Tensor] {
  if (typeof x === "number" && !(typeof y === "number")) {
    const b = toTensor(y, op);
    const dtype = weakResultType(b.dtype, x);
    return [convertToTensor(x, dtype), b.dtype === dtype ? b : cast(b, dtype)];
  }
  if (typeof y === "number" && !(typeof x === "number")) {
    const a = toTensor(x, op);
    const dtype = weakResultType(a.dtype, y);
    return [a.dtype === dtype ? a : cast(a, dtype), convertToTensor(y, dtype)];
  }
  let a = toTensor(x, op);
  let b = toTensor(y, op);
  if (typeof x === "number" && typeof y === "number" && (!Number.isInteger(x) || !Number.isInteger(y))) {
    a = cast(a, "float32");
    b = cast(b, "float32");
  }
  const dtype = resultType(a.dtype, b.dtype);
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  return [a, b];
}

/**
 * Runs a broadcasting binary kernel. `vjp(g, a, b, out)` returns the gradients at the broadcast
 * shape; they are summed back to each operand's shape here.
 */
export function binaryOp(
  op: BinaryOp,
  x: TensorLike,
  y: TensorLike,
  options: { outDtype?: (inputDType: DType) => DType; vjp?: (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null] } = {},
): Tensor {
  const [a, b] = coerceOperands(x, y, op);
  const outShape = broadcastShapes(a.shape, b.shape, op);
  const outDtype = options.outDtype ? options.outDtype(a.dtype) : a.dtype;
  const out = makeTensor(getBackend().binary(op, a.storage, a.shape, b.storage, b.shape, outShape, outDtype), outShape, outDtype);
  const vjp = options.vjp;
  if (vjp !== undefined && isRecording() && out.dtype === "float32") {
    record([a, b], out, (g) => {
      const [ga, gb] = vjp(g, a, b, out);
      return [ga && unbroadcast(ga, a.shape), gb && unbroadcast(gb, b.shape)];
    });
  }
  return out;
}

/** Runs an elementwise unary kernel; `vjp(g, x, out)` gives the input gradient. */
export function unaryOp(
  op: UnaryOp,
  x: TensorLike,
  options: { outDtype?: (inputDType: DType) => DType; vjp?: (g: Tensor, x: Tensor, out: Tensor) => Tensor } = {},
): Tensor {
  const t = toTensor(x, op);
  const outDtype = options.outDtype ? options.outDtype(t.dtype) : t.dtype;
  const out = makeTensor(getBackend().unary(op, t.storage, outDtype), t.shape, outDtype);
  const vjp = options.vjp;
  if (vjp !== undefined && isRecording() && out.dtype === "float32" && t.dtype === "float32") {
    record([t], out, ((g) => [vjp(g, t, out)]) satisfies VJP);
  }
  return out;
}

/** Float ops on integer inputs compute in float32, as Keras does for exp, log, sqrt, ... */
export const toFloat = (dtype: DType): DType => (dtype === "float32" ? dtype : "float32");
/** Predicates and comparisons give bool. */
export const toBool = (): DType => "bool";
