/** The element types a tensor can hold. `bool` is stored one byte per element (0 or 1). */
export type DType = "float32" | "int32" | "uint8" | "bool";

export type TypedArray = Float32Array | Int32Array | Uint8Array;

export type Shape = readonly number[];

export const DTYPES: readonly DType[] = ["float32", "int32", "uint8", "bool"];

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && (DTYPES as readonly string[]).includes(value);
}

export function checkDType(value: unknown, where: string): DType {
  if (!isDType(value)) {
    throw new TypeError(`${where}: unsupported dtype ${JSON.stringify(value)}; expected one of ${DTYPES.join(", ")}`);
  }
  return value;
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === "float32";
}

export function isIntDType(dtype: DType): boolean {
  return dtype === "int32" || dtype === "uint8";
}

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "int32":
      return new Int32Array(size);
    case "uint8":
    case "bool":
      return new Uint8Array(size);
  }
}

/** Stores JavaScript numbers as `dtype`: integers truncate toward zero, bool is value !== 0. */
export function fromValues(values: ArrayLike<number>, dtype: DType): TypedArray {
  const out = allocate(dtype, values.length);
  if (dtype === "bool") for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  else if (dtype === "float32") out.set(values);
  else for (let i = 0; i < values.length; i++) out[i] = Math.trunc(values[i]);
  return out;
}

/** The dtype a typed array holds when nothing else is said (a Uint8Array is uint8, not bool). */
export function dtypeOfTypedArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return "float32";
  if (values instanceof Int32Array) return "int32";
  return "uint8";
}

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3 };

/**
 * Result dtype of an op combining tensors of these dtypes, on the lattice
 * bool < uint8 < int32 < float32 (what Keras 3's `result_type` gives for these four types).
 */
export function resultType(first: DType, ...rest: DType[]): DType {
  let out = checkDType(first, "resultType");
  for (const d of rest) {
    checkDType(d, "resultType");
    if (RANK[d] > RANK[out]) out = d;
  }
  return out;
}

/**
 * Result dtype when a tensor meets a JavaScript number. Numbers are "weak" as Python scalars are in
 * Keras: they take the tensor's dtype unless they cannot be represented in it (a fraction meeting
 * an integer tensor gives float32; an integer meeting bool gives int32).
 */
export function weakResultType(tensorDType: DType, value: number): DType {
  if (!Number.isInteger(value) && tensorDType !== "float32") return "float32";
  if (tensorDType === "bool") return "int32";
  return tensorDType;
}

/** Inclusive range of the integer dtypes. */
export const INT_RANGES: Readonly<Record<"int32" | "uint8", readonly [number, number]>> = {
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
};

/** The typed-array class that stores each dtype. */
export function storageClassName(dtype: DType): "Float32Array" | "Int32Array" | "Uint8Array" {
  return dtype === "float32" ? "Float32Array" : dtype === "int32" ? "Int32Array" : "Uint8Array";
}

/** True when `values` is the typed array that stores `dtype` (a Uint8Array stores uint8 and bool). */
export function storageMatches(values: TypedArray, dtype: DType): boolean {
  switch (dtype) {
    case "float32":
      return values instanceof Float32Array;
    case "int32":
      return values instanceof Int32Array;
    case "uint8":
    case "bool":
      return values instanceof Uint8Array;
    default:
      return false;
  }
}
