import { getBackend, type BinaryOp, type UnaryOp } from "../backend/backend.js";
import { resultType, weakResultType, type DType, type TypedArray } from "../backend/dtypes.js";
import { broadcastShapes } from "../backend/shape.js";
import { makeTensor, Tensor } from "../backend/tensor.js";
import { isRecording, record, type VJP } from "../autodiff/tape.js";
import { cast, convertToTensor, toTensor, type TensorLike } from "./core.js";
import { unbroadcast } from "./helpers.js";

/* How elementwise ops run a kernel and record their gradient; not part of `keras.ops`. */

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int32: [-2147483648, 2147483647],
};

function fitsIn(value: number, dtype: DType): boolean {
  const range = INT_RANGE[dtype];
  return range === undefined || (value >= range[0] && value <= range[1]);
}

export interface CoerceOptions {
  /**
   * What to do with an integer JavaScript number that the integer tensor's dtype cannot hold
   * (`add(uint8Tensor, 300)`): "error" (the default) throws, as NumPy 2 does; "widen" computes in
   * a dtype that holds it (int32, else float32), which is right for comparisons and `clip`.
   */
  outOfRange?: "error" | "widen";
}

/** The dtype a weak number meets a tensor of `dtype` in; throws or widens when it does not fit. */
function weakDType(dtype: DType, value: number, op: string, options: CoerceOptions): DType {
  const d = weakResultType(dtype, value);
  if (fitsIn(value, d)) return d;
  if (options.outOfRange === "widen") return fitsIn(value, "int32") ? "int32" : "float32";
  throw new RangeError(
    `${op}: the number ${value} is out of range for a tensor of dtype ${d}; cast the tensor first (e.g. x.astype("${d === "uint8" ? "int32" : "float32"}"))`,
  );
}

/**
 * Brings two operands to a common dtype. JavaScript numbers are weak (see `weakResultType`), so
 * `multiply(uint8Tensor, 2)` stays uint8 and `multiply(int32Tensor, 0.5)` becomes float32.
 */
export function coerceOperands(x: TensorLike, y: TensorLike, op: string, options: CoerceOptions = {}): [Tensor, Tensor] {
  if (typeof x === "number" && typeof y !== "number") {
    const b = toTensor(y, op);
    const dtype = weakDType(b.dtype, x, op, options);
    return [convertToTensor(x, dtype), b.dtype === dtype ? b : cast(b, dtype)];
  }
  if (typeof y === "number" && typeof x !== "number") {
    const a = toTensor(x, op);
    const dtype = weakDType(a.dtype, y, op, options);
    return [a.dtype === dtype ? a : cast(a, dtype), convertToTensor(y, dtype)];
  }
  if (typeof x === "number" && typeof y === "number") {
    // Two numbers: int32 when both are integers that fit, float32 otherwise.
    const dtype = Number.isInteger(x) && Number.isInteger(y) && fitsIn(x, "int32") && fitsIn(y, "int32") ? "int32" : "float32";
    return [convertToTensor(x, dtype), convertToTensor(y, dtype)];
  }
  let a = toTensor(x, op);
  let b = toTensor(y, op);
  const dtype = resultType(a.dtype, b.dtype);
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  return [a, b];
}

export interface BinaryOptions extends CoerceOptions {
  /** The op's `keras.ops` name for error messages, when it differs from the kernel's (arctan2 runs atan2). */
  name?: string;
  /**
   * Casts both (already coerced) operands to this dtype before the kernel runs, or throws for
   * dtypes the op rejects: `floorDivide` computes bool in int32, `subtract` rejects bool.
   */
  operandDType?: (dtype: DType) => DType;
  /** The kernel's output dtype from the operands' dtype (default: the same). */
  outDtype?: (inputDType: DType) => DType;
  /** `vjp(g, a, b, out)` gives both gradients at the broadcast shape (null for none). */
  vjp?: (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null];
}

/**
 * Ops that may read a deferred cast's uint8 / bool source instead of its float32 result: the
 * binary kernel converts mixed inputs on read and computes in float64 before rounding to float32,
 * which for these four ops (exact operands, one rounding of a result wide enough to make the double
 * rounding harmless) gives the float32 result bit for bit. So `divide(x.astype("float32"), 255)`
 * reads the images once and allocates only its output.
 */
const CONVERTING_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(["add", "subtract", "multiply", "divide"]);

/**
 * Runs a broadcasting binary kernel. `vjp(g, a, b, out)` returns the gradients at the broadcast
 * shape; they are summed back to each operand's shape here.
 */
export function binaryOp(op: BinaryOp, x: TensorLike, y: TensorLike, options: BinaryOptions = {}): Tensor {
  const name = options.name ?? op;
  let [a, b] = coerceOperands(x, y, name, options);
  if (options.operandDType !== undefined) {
    const dtype = options.operandDType(a.dtype);
    if (a.dtype !== dtype) a = cast(a, dtype);
    if (b.dtype !== dtype) b = cast(b, dtype);
  }
  const outShape = broadcastShapes(a.shape, b.shape, name);
  const outDtype = options.outDtype ? options.outDtype(a.dtype) : a.dtype;
  let sa: TypedArray;
  let sb: TypedArray;
  if (outDtype === "float32" && CONVERTING_OPS.has(op)) {
    sa = a.storageForConversion();
    sb = b.storageForConversion();
  } else {
    sa = a.storage;
    sb = b.storage;
  }
  const out = makeTensor(getBackend().binary(op, sa, a.shape, sb, b.shape, outShape, outDtype), outShape, outDtype);
  const vjp = options.vjp;
  if (vjp !== undefined && out.dtype === "float32" && a.dtype === "float32" && isRecording()) {
    const ta = a;
    const tb = b;
    record([ta, tb], out, (g) => {
      const [ga, gb] = vjp(g, ta, tb, out);
      return [ga && unbroadcast(ga, ta.shape), gb && unbroadcast(gb, tb.shape)];
    });
  }
  return out;
}

export interface UnaryOptions {
  /** The op's `keras.ops` name for error messages, when it differs from the kernel's (arcsin runs asin). */
  name?: string;
  /** Casts the input to this dtype first, or throws for dtypes the op rejects. */
  operandDType?: (dtype: DType) => DType;
  /** The kernel's output dtype from the input dtype (default: the same); the kernel converts on read. */
  outDtype?: (inputDType: DType) => DType;
  /** `vjp(g, x, out)` gives the input gradient. */
  vjp?: (g: Tensor, x: Tensor, out: Tensor) => Tensor;
}

/** Runs an elementwise unary kernel; `vjp(g, x, out)` gives the input gradient. */
export function unaryOp(op: UnaryOp, x: TensorLike, options: UnaryOptions = {}): Tensor {
  let t = toTensor(x, options.name ?? op);
  if (options.operandDType !== undefined) {
    const dtype = options.operandDType(t.dtype);
    if (t.dtype !== dtype) t = cast(t, dtype);
  }
  const outDtype = options.outDtype ? options.outDtype(t.dtype) : t.dtype;
  const out = makeTensor(getBackend().unary(op, t.storage, outDtype), t.shape, outDtype);
  const vjp = options.vjp;
  if (vjp !== undefined && out.dtype === "float32" && t.dtype === "float32" && isRecording()) {
    const input = t;
    record([input], out, ((g) => [vjp(g, input, out)]) satisfies VJP);
  }
  return out;
}

/** Float ops on integer inputs compute in float32, as Keras does for exp, log, sqrt, ... */
export const toFloat = (dtype: DType): DType => (dtype === "float32" ? dtype : "float32");
/** Predicates and comparisons give bool. */
export const toBool = (): DType => "bool";
/** NumPy/JAX "numeric" promotion: arithmetic that has no bool meaning computes bool in int32. */
export const boolToInt = (dtype: DType): DType => (dtype === "bool" ? "int32" : dtype);
