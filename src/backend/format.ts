import type { DType, Shape, TypedArray } from "./dtypes.js";
import { sizeOf, stridesOf } from "./shape.js";

/*
 * NumPy's `str(array)`, which is what Keras prints for a tensor: the same float formatting
 * (shortest round-trip digits of float32, uniform columns, scientific notation when magnitudes
 * call for it), elision of large arrays and wrapping at 75 characters.
 */

/** NumPy prints everything up to this many elements, and elides the middle of larger arrays. */
export const SUMMARY_THRESHOLD = 1000;
/** Elements kept at each end of an elided axis. */
export const EDGE_ITEMS = 3;
/** NumPy's default line width. */
export const LINE_WIDTH = 75;
/** Fraction digits of the fixed-point float format. */
const PRECISION = 8;

/** The shortest decimal that reads back as the same float32: `d.ddd × 10^exp`. */
interface Decimal {
  negative: boolean;
  /** Significant digits without the point, no trailing zeros ("0" for zero). */
  digits: string;
  exp: number;
}

function shortestFloat32(v: number): Decimal {
  const negative = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  if (a === 0) return { negative, digits: "0", exp: 0 };
  let text = a.toExponential(8);
  for (let p = 0; p < 8; p++) {
    const candidate = a.toExponential(p);
    if (Math.fround(Number(candidate)) === a) {
      text = candidate;
      break;
    }
  }
  const [mantissa, exponent] = text.split("e");
  const digits = mantissa.replace(".", "").replace(/0+$/, "") || "0";
  return { negative, digits, exp: Number(exponent) };
}

/** Integer and fraction digits of a decimal in positional notation. */
function positionalParts(d: Decimal): [string, string] {
  if (d.exp >= 0) {
    const int = d.digits.slice(0, d.exp + 1).padEnd(d.exp + 1, "0");
    return [int, d.digits.slice(d.exp + 1)];
  }
  return ["0", "0".repeat(-d.exp - 1) + d.digits];
}

/** Fixed-point parts of `v` with at most PRECISION fraction digits (NumPy's maxprec mode). */
function fixedParts(v: number): [string, string] {
  const d = shortestFloat32(v);
  let [int, frac] = positionalParts(d);
  if (frac.length > PRECISION) {
    [int, frac] = Math.abs(v).toFixed(PRECISION).split(".");
    frac = frac.replace(/0+$/, "");
  }
  return [(d.negative ? "-" : "") + int, frac];
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

/** How NumPy prints a 0-d float32 array: `3.0`, `0.1`, `1e-05`, `1.5e+20`. */
function formatFloatScalar(v: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const a = Math.abs(v);
  const d = shortestFloat32(v);
  const sign = d.negative ? "-" : "";
  if (a === 0 || (a >= 1e-4 && a < 1e16)) {
    const [int, frac] = positionalParts(d);
    return `${sign}${int}.${frac || "0"}`;
  }
  const frac = d.digits.slice(1);
  return `${sign}${d.digits[0]}${frac ? `.${frac}` : ""}e${d.exp < 0 ? "-" : "+"}${String(Math.abs(d.exp)).padStart(2, "0")}`;
}

/** Builds the element formatter from the elements that will be shown, as NumPy sizes its columns. */
function elementFormatter(shown: ArrayLike<number>, dtype: DType): (v: number) => string {
  if (dtype === "bool") return (v) => (v !== 0 ? " True" : "False");
  if (dtype !== "float32") {
    let width = 0;
    for (let i = 0; i < shown.length; i++) width = Math.max(width, String(shown[i]).length);
    return (v) => String(v).padStart(width);
  }

  const finite: number[] = [];
  let hasNegInf = false;
  let hasNonFinite = false;
  for (let i = 0; i < shown.length; i++) {
    const v = shown[i];
    if (Number.isFinite(v)) finite.push(v);
    else {
      hasNonFinite = true;
      if (v === -Infinity) hasNegInf = true;
    }
  }

  let maxAbs = 0;
  let minAbs = Infinity;
  for (const v of finite) {
    const a = Math.abs(v);
    if (a === 0) continue;
    if (a > maxAbs) maxAbs = a;
    if (a < minAbs) minAbs = a;
  }
  const scientific = minAbs !== Infinity && (maxAbs >= 1e8 || minAbs < 1e-4 || maxAbs / minAbs > 1e3);

  let padLeft = 0;
  let padRight = 0;
  let cell: (v: number) => string;
  if (finite.length === 0) {
    cell = () => "";
  } else if (scientific) {
    const decimals = finite.map(shortestFloat32);
    let precision = 0;
    let expSize = 2;
    for (const d of decimals) {
      precision = Math.max(precision, d.digits.length - 1);
      expSize = Math.max(expSize, String(Math.abs(d.exp)).length);
      padLeft = Math.max(padLeft, d.negative ? 2 : 1);
    }
    padRight = expSize + 2 + precision;
    cell = (v) => {
      const d = shortestFloat32(v);
      const int = (d.negative ? "-" : "") + d.digits[0];
      const frac = d.digits.slice(1).padEnd(precision, "0");
      return `${int.padStart(padLeft)}.${frac}e${d.exp < 0 ? "-" : "+"}${String(Math.abs(d.exp)).padStart(expSize, "0")}`;
    };
  } else {
    for (const v of finite) {
      const [int, frac] = fixedParts(v);
      padLeft = Math.max(padLeft, int.length);
      padRight = Math.max(padRight, frac.length);
    }
    cell = (v) => {
      const [int, frac] = fixedParts(v);
      return `${int.padStart(padLeft)}.${frac.padEnd(padRight)}`;
    };
  }
  if (hasNonFinite) {
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + (hasNegInf ? 1 : 0) - offset);
  }
  const width = padLeft + padRight + 1;
  return (v) => (Number.isFinite(v) ? cell(v) : nonFinite(v).padStart(width));
}

/** Indices shown along an axis of length `length`; -1 marks the elision. */
function visibleIndices(length: number, summarize: boolean): number[] {
  if (!summarize || length <= 2 * EDGE_ITEMS) return Array.from({ length }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < EDGE_ITEMS; i++) out.push(i);
  out.push(-1);
  for (let i = length - EDGE_ITEMS; i < length; i++) out.push(i);
  return out;
}

/** Appends `word` to `line`, wrapping first when it would pass `width` (NumPy's `_extendLine`). */
function extendLine(state: { s: string; line: string }, word: string, width: number, indent: string): void {
  if (state.line.length + word.length > width && state.line.length > indent.length) {
    state.s += `${state.line.trimEnd()}\n`;
    state.line = indent;
  }
  state.line += word;
}

/**
 * NumPy-like text of the elements, e.g. `[[1. 2.]\n [3. 4.]]`; a rank-0 tensor prints as its value
 * (`3.0`, `7`, `True`), an empty one as `[]`.
 */
export function formatTensor(values: TypedArray, shape: Shape, dtype: DType): string {
  const rank = shape.length;
  if (rank === 0) {
    const v = values[0];
    if (dtype === "bool") return v !== 0 ? "True" : "False";
    return dtype === "float32" ? formatFloatScalar(v) : String(v);
  }
  if (sizeOf(shape) === 0) return "[]";
  const summarize = sizeOf(shape) > SUMMARY_THRESHOLD;
  const strides = stridesOf(shape);
  const visible = shape.map((d) => visibleIndices(d, summarize));

  // The shown elements size the columns, as NumPy's `_leading_trailing` does.
  const shown: number[] = [];
  const collect = (axis: number, offset: number): void => {
    if (axis === rank) {
      shown.push(values[offset]);
      return;
    }
    for (const i of visible[axis]) if (i >= 0) collect(axis + 1, offset + i * strides[axis]);
  };
  collect(0, 0);
  const format = elementFormatter(shown, dtype);

  const recurse = (axis: number, offset: number, indent: string, width: number): string => {
    const axesLeft = rank - axis;
    const nextIndent = `${indent} `;
    const nextWidth = width - 1;
    const indices = visible[axis];
    let s = "";
    if (axesLeft === 1) {
      const state = { s: "", line: indent };
      const elemWidth = width - 1;
      indices.forEach((i, k) => {
        const word = i < 0 ? "..." : format(values[offset + i * strides[axis]]);
        extendLine(state, word, elemWidth, indent);
        if (k < indices.length - 1) state.line += " ";
      });
      s = state.s + state.line;
    } else {
      const lineSep = "\n".repeat(axesLeft - 1);
      indices.forEach((i, k) => {
        s += indent + (i < 0 ? "..." : recurse(axis + 1, offset + i * strides[axis], nextIndent, nextWidth));
        if (k < indices.length - 1) s += lineSep;
      });
    }
    return `[${s.slice(indent.length)}]`;
  };
  return recurse(0, 0, " ", LINE_WIDTH);
}

/** A shape as Python prints a tuple: `(2, 3)`, `(3,)`, `()`. */
export function formatShapeTuple(shape: Shape): string {
  return `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
}

/**
 * The text of a tensor as TensorFlow prints one:
 * `Tensor([1. 2.], shape=(2,), dtype=float32)`, with the values on their own lines when they
 * span several.
 */
export function describeTensor(values: TypedArray, shape: Shape, dtype: DType, name = "Tensor"): string {
  const text = formatTensor(values, shape, dtype);
  return `${name}(${text.includes("\n") ? "\n" : ""}${text}, shape=${formatShapeTuple(shape)}, dtype=${dtype})`;
}
