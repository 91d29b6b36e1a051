import type { DType } from "../dtypes.js";
import type { EpilogueActivation } from "../fused_kernels.js";
import { WORKGROUP, type StorageType } from "./context.js";
import { PRELUDE, elementwiseMain, header, load, store, type ComputeKind } from "./wgsl.js";

/*
 * WGSL sources of the kernels that are not plain elementwise expressions. Each function returns a
 * complete module; `GpuContext.run` compiles it once per key. Parameter words (`prm`) always start
 * with the thread count n, which `elementwiseMain` checks.
 */

/**
 * Strided copy: out[i] = x[base + Σ_d coord_d(i) * stride_d], coords taken over `dims` (row-major).
 * prm: n, rank, base, dims[rank], strides[rank] (i32). Transpose, broadcast, slice and reverse are all this.
 */
export function stridedCopy(type: StorageType): string {
  return `${header([["x", type]], [["out", type]])}
${PRELUDE}
${elementwiseMain(`
  let rank = prm[1];
  var rem = i;
  var src = pi(2);
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = prm[3u + u32(d)];
    let c = rem % dim;
    rem = rem / dim;
    src = src + i32(c) * pi(3u + rank + u32(d));
  }
  out[i] = x[u32(src)];
`)}`;
}

/** Constant padding. prm: n, rank, value bits, outDims[rank], before[rank], inDims[rank]. */
export function padKernel(type: StorageType): string {
  const value = type === "Float32Array" ? "bitcast<f32>(prm[2])" : type === "Int32Array" ? "bitcast<i32>(prm[2])" : "prm[2]";
  return `${header([["x", type]], [["out", type]])}
${PRELUDE}
${elementwiseMain(`
  let rank = prm[1];
  var rem = i;
  var src = 0u;
  var stride = 1u;
  var inside = true;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = prm[3u + u32(d)];
    let c = i32(rem % dim);
    rem = rem / dim;
    let before = pi(3u + rank + u32(d));
    let inDim = i32(prm[3u + 2u * rank + u32(d)]);
    let k = c - before;
    if (k < 0 || k >= inDim) { inside = false; }
    src = src + u32(max(k, 0)) * stride;
    stride = stride * u32(inDim);
  }
  if (inside) { out[i] = x[src]; } else { out[i] = ${value}; }
`)}`;
}

/** One input of a concatenation into its columns of the output. prm: n, outer, width, rowWidth, offset. */
export function concatPart(type: StorageType, kind: ComputeKind, outDtype: DType): string {
  return `${header([["x", type]], [["out", storageTypeOfDtype(outDtype)]])}
${PRELUDE}
${elementwiseMain(`
  let w = prm[2];
  let o = i / w;
  let j = i % w;
  let v = ${load(type, kind, "x[i]")};
  out[o * prm[3] + prm[4] + j] = ${store(outDtype, kind, "v", false)};
`)}`;
}

function storageTypeOfDtype(dtype: DType): StorageType {
  return dtype === "float32" ? "Float32Array" : dtype === "int32" ? "Int32Array" : "Uint8Array";
}

/*
 * Gathers and their adjoints over [outer, n, inner] arrays. `gather` takes whole slices: one index
 * per output position t along the axis (idx[t]); `gatherAlongAxis` has an index per output element
 * (idx has the output's shape, Keras's take_along_axis). prm: n_out, n, m, inner.
 */
type IndexedBy = "slice" | "element";

/** gather (one index per slice) or gatherAlongAxis (one per element): out [outer, m, inner] from x [outer, n, inner]. Out-of-range indices read 0. */
export function gatherKernel(type: StorageType, indexedBy: IndexedBy): string {
  const zero = type === "Float32Array" ? "0.0" : type === "Int32Array" ? "0" : "0u";
  return `${header([["x", type], ["idx", "Int32Array"]], [["out", type]])}
${PRELUDE}
${elementwiseMain(`
  let n = prm[1];
  let m = prm[2];
  let inner = prm[3];
  let j = i % inner;
  let o = i / (inner * m);
  let k = idx[${indexedBy === "slice" ? "(i / inner) % m" : "i"}];
  if (k < 0 || u32(k) >= n) { out[i] = ${zero}; return; }
  out[i] = x[(o * n + u32(k)) * inner + j];
`)}`;
}

/** The adjoint of gatherKernel: out [outer, n, inner] sums the updates [outer, m, inner] whose index is its row. */
export function scatterAddKernel(type: StorageType, indexedBy: IndexedBy): string {
  const kind: ComputeKind = type === "Float32Array" ? "f" : "i";
  const dtype: DType = type === "Float32Array" ? "float32" : type === "Int32Array" ? "int32" : "uint8";
  return `${header([["upd", type], ["idx", "Int32Array"]], [["out", type]])}
${PRELUDE}
${elementwiseMain(`
  let n = prm[1];
  let m = prm[2];
  let inner = prm[3];
  let j = i % inner;
  let r = i32((i / inner) % n);
  let o = i / (inner * n);
  var acc = ${kind === "f" ? "0.0" : "0"};
  for (var t = 0u; t < m; t++) {
    let at = (o * m + t) * inner + j;
    if (idx[${indexedBy === "slice" ? "t" : "at"}] == r) { acc = acc + ${load(type, kind, "upd[at]")}; }
  }
  out[i] = ${store(dtype, kind, "acc", false)};
`)}`;
}

export type ReduceKind = "sum" | "prod" | "max" | "min" | "any" | "all";

function reduceStep(op: ReduceKind, kind: ComputeKind, acc: string, v: string): string {
  const f = kind === "f";
  switch (op) {
    case "sum":
      return `${acc} = ${acc} + ${v};`;
    case "prod":
      return `${acc} = ${acc} * ${v};`;
    case "max":
      return f ? `${acc} = fmax_nan(${acc}, ${v});` : `${acc} = max(${acc}, ${v});`;
    case "min":
      return f ? `${acc} = fmin_nan(${acc}, ${v});` : `${acc} = min(${acc}, ${v});`;
    case "any":
      return f ? `if (nonzero(${v})) { ${acc} = 1.0; }` : `if (${v} != 0) { ${acc} = 1; }`;
    case "all":
      return f ? `if (!nonzero(${v})) { ${acc} = 0.0; }` : `if (${v} == 0) { ${acc} = 0; }`;
  }
}

function reduceInit(op: ReduceKind, kind: ComputeKind): string {
  const f = kind === "f";
  switch (op) {
    case "sum":
    case "any":
      return f ? "0.0" : "0";
    case "prod":
    case "all":
      return f ? "1.0" : "1";
    case "max":
      return f ? "-inf_f()" : "-2147483647 - 1";
    case "min":
      return f ? "inf_f()" : "2147483647";
  }
}

/** One thread per output of [outer, n, inner] reduced over n. prm: n_out, n, inner. */
export function reduceRows(op: ReduceKind, type: StorageType, kind: ComputeKind, outDtype: DType): string {
  return `${header([["x", type]], [["out", storageTypeOfDtype(outDtype)]])}
${PRELUDE}
${elementwiseMain(`
  let n = prm[1];
  let inner = prm[2];
  let o = i / inner;
  let j = i % inner;
  var acc = ${reduceInit(op, kind)};
  for (var r = 0u; r < n; r++) {
    let v = ${load(type, kind, "x[(o * n + r) * inner + j]")};
    ${reduceStep(op, kind, "acc", "v")}
  }
  out[i] = ${store(outDtype, kind, "acc", false)};
`)}`;
}

/** One workgroup per output, its threads striding over n, then a tree in workgroup memory. prm: n_out, n, inner. */
export function reduceWide(op: ReduceKind, type: StorageType, kind: ComputeKind, outDtype: DType): string {
  const scalar = kind === "f" ? "f32" : "i32";
  return `${header([["x", type]], [["out", storageTypeOfDtype(outDtype)]])}
${PRELUDE}
var<workgroup> part: array<${scalar}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  let n = prm[1];
  let inner = prm[2];
  let o = g / inner;
  let j = g % inner;
  var acc = ${reduceInit(op, kind)};
  if (g < prm[0]) {
    for (var r = lid; r < n; r += ${WORKGROUP}u) {
      let v = ${load(type, kind, "x[(o * n + r) * inner + j]")};
      ${reduceStep(op, kind, "acc", "v")}
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      var a = part[lid];
      let b = part[lid + s];
      ${reduceStep(op, kind, "a", "b")}
      part[lid] = a;
    }
    workgroupBarrier();
  }
  if (lid == 0u && g < prm[0]) { out[g] = ${store(outDtype, kind, "part[0]", false)}; }
}`;
}

/** argmax / argmin over n of [outer, n, inner]; the first NaN counts as the extreme. prm: n_out, n, inner, sign (f32). */
export function argReduceKernel(type: StorageType): string {
  const kind: ComputeKind = type === "Float32Array" ? "f" : "i";
  const body = kind === "f"
    ? `
  let s = pf(3);
  var best = s * x[o * n * inner + j];
  var index = 0u;
  if (!is_nan(best)) {
    for (var r = 1u; r < n; r++) {
      let v = s * x[(o * n + r) * inner + j];
      if (is_nan(v)) { index = r; break; }
      if (v > best) { best = v; index = r; }
    }
  }
  out[i] = i32(index);`
    : `
  let s = pf(3) > 0.0;
  var best = ${load(type, "i", "x[o * n * inner + j]")};
  var index = 0u;
  for (var r = 1u; r < n; r++) {
    let v = ${load(type, "i", "x[(o * n + r) * inner + j]")};
    if ((s && v > best) || (!s && v < best)) { best = v; index = r; }
  }
  out[i] = i32(index);`;
  return `${header([["x", type]], [["out", "Int32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let n = prm[1];
  let inner = prm[2];
  let o = i / inner;
  let j = i % inner;
  ${body}
`)}`;
}

/** Inclusive running sum / product along n of [outer, n, inner], one thread per (outer, inner). prm: n_lines, n, inner. */
export function cumulativeKernel(op: "sum" | "prod", type: StorageType, kind: ComputeKind, outDtype: DType): string {
  return `${header([["x", type]], [["out", storageTypeOfDtype(outDtype)]])}
${PRELUDE}
${elementwiseMain(`
  let n = prm[1];
  let inner = prm[2];
  let o = i / inner;
  let j = i % inner;
  var acc = ${op === "sum" ? (kind === "f" ? "0.0" : "0") : kind === "f" ? "1.0" : "1"};
  for (var r = 0u; r < n; r++) {
    let at = (o * n + r) * inner + j;
    acc = acc ${op === "sum" ? "+" : "*"} ${load(type, kind, "x[at]")};
    out[at] = ${store(outDtype, kind, "acc", false)};
  }
`)}`;
}

/** Softmax or log-softmax of each row of [rows, cols], one thread per row. prm: rows, cols. */
export function softmaxKernel(log: boolean): string {
  return `${header([["x", "Float32Array"]], [["out", "Float32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let cols = prm[1];
  let base = i * cols;
  var mx = -inf_f();
  for (var j = 0u; j < cols; j++) { let v = x[base + j]; if (v > mx || is_nan(v)) { mx = select(v, mx, is_nan(mx)); } }
  var sum = 0.0;
  for (var j = 0u; j < cols; j++) { sum = sum + exp(x[base + j] - mx); }
  ${log
    ? "let lse = mx + log_f(sum);\n  for (var j = 0u; j < cols; j++) { out[base + j] = x[base + j] - lse; }"
    : "let inv = 1.0 / sum;\n  for (var j = 0u; j < cols; j++) { out[base + j] = exp(x[base + j] - mx) * inv; }"}
`)}`;
}

/** Per row of logits: max and Σ exp(z - max). prm: rows, cols. */
export function rowStatsKernel(): string {
  return `${header([["z", "Float32Array"]], [["stats", "Float32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let cols = prm[1];
  let base = i * cols;
  var mx = -inf_f();
  for (var j = 0u; j < cols; j++) { let v = z[base + j]; if (v > mx || is_nan(v)) { mx = select(v, mx, is_nan(mx)); } }
  var sum = 0.0;
  for (var j = 0u; j < cols; j++) { sum = sum + exp(z[base + j] - mx); }
  stats[2u * i] = mx;
  stats[2u * i + 1u] = sum;
`)}`;
}

/** Softmax cross-entropy per row, sparse (t: Int32 labels) or dense (t: [rows, cols]). prm: rows, cols. */
export function xentKernel(sparse: boolean): string {
  const loss = sparse
    ? `let label = t[i];
  var loss = 0.0;
  if (label >= 0 && u32(label) < cols) { loss = lse - z[base + u32(label)]; }`
    : `var loss = 0.0;
  for (var j = 0u; j < cols; j++) { loss = loss + t[base + j] * (lse - z[base + j]); }`;
  return `${header([["z", "Float32Array"], ["t", sparse ? "Int32Array" : "Float32Array"], ["stats", "Float32Array"]], [["out", "Float32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let cols = prm[1];
  let base = i * cols;
  let lse = stats[2u * i] + log_f(stats[2u * i + 1u]);
  ${loss}
  out[i] = loss;
`)}`;
}

/** dz[r, j] = scale[r] * (softmax * T_r - t[r, j]). prm: n, cols. */
export function xentBackwardKernel(sparse: boolean): string {
  const targets = sparse
    ? `let label = t[r];
  let valid = label >= 0 && u32(label) < cols;
  let tr = select(0.0, 1.0, valid);
  let tj = select(0.0, 1.0, valid && u32(label) == j);`
    : `var tr = 0.0;
  for (var q = 0u; q < cols; q++) { tr = tr + t[r * cols + q]; }
  let tj = t[i];`;
  return `${header([["z", "Float32Array"], ["t", sparse ? "Int32Array" : "Float32Array"], ["stats", "Float32Array"], ["scale", "Float32Array"]], [["out", "Float32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let cols = prm[1];
  let r = i / cols;
  let j = i % cols;
  ${targets}
  let p = exp(z[i] - stats[2u * r]) / stats[2u * r + 1u];
  out[i] = scale[r] * (p * tr - tj);
`)}`;
}

/** The epilogue activation of a fused kernel, on its linear result v (f32). */
export function activationExpr(activation: EpilogueActivation, v: string): string {
  switch (activation) {
    case "linear":
      return v;
    case "relu":
      return `select(0.0, ${v}, ${v} > 0.0 || is_nan(${v}))`;
    case "sigmoid":
      return `sigmoid_f(${v})`;
    case "tanh":
      return `tanh_f(${v})`;
  }
}

/** dZ = dOut * act'(out), act' taken from the output. prm: n. */
export function activationGradKernel(activation: EpilogueActivation): string {
  const grad =
    activation === "relu" ? "select(0.0, g, y > 0.0)"
    : activation === "sigmoid" ? "g * (y * (1.0 - y))"
    : activation === "tanh" ? "g * (1.0 - y * y)"
    : "g";
  return `${header([["dOut", "Float32Array"], ["outv", "Float32Array"]], [["dz", "Float32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let g = dOut[i];
  let y = outv[i];
  dz[i] = ${grad};
`)}`;
}

export const TILE = 32;
const TILE_K = 16;

/**
 * Tiled GEMM: each 16x16 workgroup computes a 32x32 block of C (2x2 per thread), staging 32x16
 * and 16x32 tiles of A and B in workgroup memory. Workgroups are laid out (n blocks, m blocks,
 * batch). With `epilogue`, a bias (binding `bias`) and an activation are applied as C is stored.
 * prm: m, n, k, transA, transB, aBatchStride, bBatchStride.
 */
export function matmulKernel(aType: StorageType, bType: StorageType, epilogue?: { bias: boolean; activation: EpilogueActivation }): string {
  const isFloat = aType === "Float32Array" || bType === "Float32Array";
  const kind: ComputeKind = isFloat ? "f" : "i";
  const scalar = isFloat ? "f32" : "i32";
  const zero = isFloat ? "0.0" : "0";
  const inputs: [string, StorageType][] = [["a", aType], ["b", bType]];
  if (epilogue?.bias) inputs.push(["bias", "Float32Array"]);
  let result = "acc[r][c]";
  if (epilogue !== undefined) result = activationExpr(epilogue.activation, epilogue.bias ? "(acc[r][c] + bias[col])" : "acc[r][c]");
  return `${header(inputs, [["out", isFloat ? "Float32Array" : "Int32Array"]])}
${PRELUDE}
var<workgroup> tileA: array<array<${scalar}, ${TILE_K}>, ${TILE}>;
var<workgroup> tileB: array<array<${scalar}, ${TILE}>, ${TILE_K}>;
fn loadA(batch: u32, row: u32, p: u32) -> ${scalar} {
  let m = prm[0];
  let k = prm[2];
  if (row >= m || p >= k) { return ${zero}; }
  let base = batch * prm[5];
  if (prm[3] == 1u) { return ${load(aType, kind, "a[base + p * m + row]")}; }
  return ${load(aType, kind, "a[base + row * k + p]")};
}
fn loadB(batch: u32, p: u32, col: u32) -> ${scalar} {
  let n = prm[1];
  let k = prm[2];
  if (col >= n || p >= k) { return ${zero}; }
  let base = batch * prm[6];
  if (prm[4] == 1u) { return ${load(bType, kind, "b[base + col * k + p]")}; }
  return ${load(bType, kind, "b[base + p * n + col]")};
}
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m = prm[0];
  let n = prm[1];
  let k = prm[2];
  let batch = wid.z;
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  let t = lid.y * 16u + lid.x;
  var acc: array<array<${scalar}, 2>, 2>;
  for (var p0 = 0u; p0 < k; p0 += ${TILE_K}u) {
    // 512 elements of each tile, two per thread.
    for (var e = 0u; e < 2u; e++) {
      let q = t + e * 256u;
      let ar = q / ${TILE_K}u;
      let ac = q % ${TILE_K}u;
      tileA[ar][ac] = loadA(batch, row0 + ar, p0 + ac);
      let br = q / ${TILE}u;
      let bc = q % ${TILE}u;
      tileB[br][bc] = loadB(batch, p0 + br, col0 + bc);
    }
    workgroupBarrier();
    for (var p = 0u; p < ${TILE_K}u; p++) {
      let a0 = tileA[lid.y * 2u][p];
      let a1 = tileA[lid.y * 2u + 1u][p];
      let b0 = tileB[p][lid.x * 2u];
      let b1 = tileB[p][lid.x * 2u + 1u];
      acc[0][0] = acc[0][0] + a0 * b0;
      acc[0][1] = acc[0][1] + a0 * b1;
      acc[1][0] = acc[1][0] + a1 * b0;
      acc[1][1] = acc[1][1] + a1 * b1;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 2u; r++) {
    for (var c = 0u; c < 2u; c++) {
      let row = row0 + lid.y * 2u + r;
      let col = col0 + lid.x * 2u + c;
      if (row < m && col < n) { out[batch * m * n + row * n + col] = ${result}; }
    }
  }
}`;
}

/** Optimizer update rules (fused_kernels.ts), elementwise in place. */
export function sgdKernel(momentum: boolean, nesterov: boolean): string {
  const outputs: [string, StorageType][] = [["w", "Float32Array"]];
  if (momentum) outputs.push(["mo", "Float32Array"]);
  const body = !momentum
    ? "w[i] = w[i] - g[i] * lr;"
    : `let step = g[i] * lr;
  let m2 = mo[i] * mu - step;
  mo[i] = m2;
  ${nesterov ? "w[i] = w[i] + (m2 * mu - step);" : "w[i] = w[i] + m2;"}`;
  return `${header([["g", "Float32Array"]], outputs)}
${PRELUDE}
${elementwiseMain(`
  let lr = pf(1);
  let mu = pf(2);
  ${body}
`)}`;
}

export function rmspropKernel(momentum: boolean, centered: boolean): string {
  const outputs: [string, StorageType][] = [["w", "Float32Array"], ["vel", "Float32Array"]];
  if (momentum) outputs.push(["mo", "Float32Array"]);
  if (centered) outputs.push(["avg", "Float32Array"]);
  return `${header([["g", "Float32Array"]], outputs)}
${PRELUDE}
${elementwiseMain(`
  let lr = pf(1);
  let rho = pf(2);
  let mu = pf(3);
  let eps = pf(4);
  let oneMinusRho = pf(5);
  let gi = g[i];
  let v2 = vel[i] * rho + (gi * gi) * oneMinusRho;
  vel[i] = v2;
  ${centered ? "let a2 = avg[i] * rho + gi * oneMinusRho;\n  avg[i] = a2;\n  let denom = (v2 - a2 * a2) + eps;" : "let denom = v2 + eps;"}
  let inc = (gi * lr) / sqrt(denom);
  ${momentum ? "let m2 = mo[i] * mu + inc;\n  mo[i] = m2;\n  w[i] = w[i] - m2;" : "w[i] = w[i] - inc;"}
`)}`;
}

export function adamKernel(amsgrad: boolean): string {
  const outputs: [string, StorageType][] = [["w", "Float32Array"], ["mo", "Float32Array"], ["vel", "Float32Array"]];
  if (amsgrad) outputs.push(["vh", "Float32Array"]);
  return `${header([["g", "Float32Array"]], outputs)}
${PRELUDE}
${elementwiseMain(`
  let alpha = pf(1);
  let oneMinusB1 = pf(2);
  let oneMinusB2 = pf(3);
  let eps = pf(4);
  let gi = g[i];
  let m2 = mo[i] + (gi - mo[i]) * oneMinusB1;
  mo[i] = m2;
  let v2 = vel[i] + (gi * gi - vel[i]) * oneMinusB2;
  vel[i] = v2;
  ${amsgrad ? "let vmax = fmax_nan(vh[i], v2);\n  vh[i] = vmax;\n  w[i] = w[i] - (m2 * alpha) / (sqrt(vmax) + eps);" : "w[i] = w[i] - (m2 * alpha) / (sqrt(v2) + eps);"}
`)}`;
}

/** Fill with one stored value. prm: n, value bits. */
export function fillKernel(type: StorageType): string {
  const value = type === "Float32Array" ? "bitcast<f32>(prm[1])" : type === "Int32Array" ? "bitcast<i32>(prm[1])" : "prm[1]";
  return `${header([], [["out", type]])}
${PRELUDE}
${elementwiseMain(`out[i] = ${value};`)}`;
}
