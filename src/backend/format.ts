import type { DType, Shape, TypedArray } from "./dtypes.js";
import { sizeOf, stridesOf } from "./shape.js";

/** NumPy prints everything up to this many elements, and elides the middle of larger arrays. */
const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function formatFloat(v: number, fixedDigits: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (fixedDigits === 0) return `${v.toFixed(0)}.`;
  // Trailing zeros go, as NumPy's default float formatting does.
  return v.toFixed(fixedDigits).replace(/0+$/, "").replace(/\.$/, ".");
}

/** A NumPy-like text of the elements, e.g. `[[1. 2.]\n [3. 4.]]`. */
export function formatTensor(values: TypedArray, shape: Shape, dtype: DType): string {
  const size = sizeOf(shape);
  const summarize = size > SUMMARY_THRESHOLD;
  const strides = stridesOf(shape);

  // Visit the elements that will be shown, to size the columns uniformly as NumPy does.
  const shown: number[] = [];
  const visit = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      shown.push(values[offset]);
      return;
    }
    for (const i of visibleIndices(shape[axis], summarize)) if (i >= 0) visit(axis + 1, offset + i * strides[axis]);
  };
  visit(0, 0);

  let fixedDigits = 0;
  let useExponent = false;
  if (dtype === "float32") {
    const finite = shown.filter((v) => Number.isFinite(v));
    const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const minAbs = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
    useExponent = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || (maxAbs / minAbs > 1e3 && minAbs < 1e-3);
    if (!useExponent) {
      for (const v of finite) {
        const s = Math.abs(v).toPrecision(8);
        const decimals = s.includes(".") ? s.replace(/0+$/, "").split(".")[1].length : 0;
        fixedDigits = Math.max(fixedDigits, Math.min(decimals, 8));
      }
    }
  }
  const formatOne = (v: number): string => {
    if (dtype === "bool") return v !== 0 ? "True" : "False";
    if (dtype !== "float32") return String(v);
    if (useExponent) return Number.isFinite(v) ? v.toExponential(Math.min(fixedDigits || 6, 6)) : formatFloat(v, 0);
    return formatFloat(v, fixedDigits);
  };
  const width = shown.reduce((w, v) => Math.max(w, formatOne(v).length), 0);
  const cell = (v: number): string => formatOne(v).padStart(width);

  if (shape.length === 0) return formatOne(values[0]);
  const render = (axis: number, offset: number, indent: string): string => {
    const parts: string[] = [];
    const last = axis === shape.length - 1;
    for (const i of visibleIndices(shape[axis], summarize)) {
      if (i < 0) parts.push("...");
      else parts.push(last ? cell(values[offset + i * strides[axis]]) : render(axis + 1, offset + i * strides[axis], `${indent} `));
    }
    if (last) return `[${parts.join(" ")}]`;
    const separator = `\n${"\n".repeat(shape.length - axis - 2)}${indent} `;
    return `[${parts.join(separator)}]`;
  };
  return render(0, 0, "");
}

/** Indices shown along an axis; -1 marks the elision. */
function visibleIndices(length: number, summarize: boolean): number[] {
  if (!summarize || length <= 2 * EDGE_ITEMS) return Array.from({ length }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => length - EDGE_ITEMS + i);
  return [...head, -1, ...tail];
}
