import type { MatmulArgs } from "../core_kernels.js";
import type { TypedArray } from "../dtypes.js";

/*
 * Reference GEMM. Float products use the classic blocked scheme (Goto / BLIS):
 *
 *   for each NC-wide column block of B
 *     for each KC-deep slice of the shared dimension
 *       pack B[p0:p0+KC, j0:j0+NC] into NR-wide slivers (contiguous, zero padded)
 *       for each MC-tall row block of A
 *         pack A[i0:i0+MC, p0:p0+KC] into MR-tall slivers
 *         for every (NR sliver, MR sliver) pair: MR x NR micro-kernel, accumulators in locals
 *
 * Transposes are folded into the packing, so the micro-kernel always reads both operands with
 * unit stride. Accumulation within a KC slice is in float64 (JavaScript numbers); the output is
 * float32. Small products, where packing would cost as much as the arithmetic, take a direct loop.
 * Integer products take a simple loop with int32 wrap-around, as NumPy's int32 matmul does.
 */

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 128;
const NC = 1024;
/** Below this many multiply-adds, skip packing. */
const DIRECT_FLOPS = 8 * 8 * 8;
/** Products with fewer rows or columns than this take the direct loop too. */
const MIN_DIM = 3;

// Pack buffers and scratch rows are reused across calls and grown when a larger block needs them.
let packedA = new Float32Array(MC * KC);
let packedB = new Float32Array(NR * KC);
let rowF64 = new Float64Array(64);
let rowI32 = new Int32Array(64);

export function matmul(a: TypedArray, b: TypedArray, args: MatmulArgs): TypedArray {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
  checkArgs(a, b, args);
  const isFloat = a instanceof Float32Array || b instanceof Float32Array;
  const out = isFloat ? new Float32Array(batch * m * n) : new Int32Array(batch * m * n);
  if (out.length === 0 || k === 0) return out;
  const product = isFloat ? gemmFloat : gemmInt;
  const mn = m * n;
  // A row-major batch of A against one shared B is a single (batch*m) x k by k x n product.
  if (batch > 1 && bBatchStride === 0 && !transA && aBatchStride === m * k) {
    product(a, 0, b, 0, out, 0, batch * m, n, k, false, transB);
    return out;
  }
  for (let bi = 0; bi < batch; bi++) {
    if (bi > 0 && aBatchStride === 0 && bBatchStride === 0) {
      out.copyWithin(bi * mn, 0, mn);
    } else {
      product(a, bi * aBatchStride, b, bi * bBatchStride, out, bi * mn, m, n, k, transA, transB);
    }
  }
  return out;
}

function checkArgs(a: TypedArray, b: TypedArray, args: MatmulArgs): void {
  const { batch, m, n, k, aBatchStride, bBatchStride } = args;
  for (const [name, v] of [["batch", batch], ["m", m], ["n", n], ["k", k], ["aBatchStride", aBatchStride], ["bBatchStride", bBatchStride]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`matmul kernel: ${name} must be a non-negative integer, got ${v}`);
  }
  if (batch > 0) {
    const aNeed = (batch - 1) * aBatchStride + m * k;
    const bNeed = (batch - 1) * bBatchStride + k * n;
    if (a.length < aNeed) throw new RangeError(`matmul kernel: A has ${a.length} elements, ${aNeed} needed for batch=${batch}, m=${m}, k=${k}, stride=${aBatchStride}`);
    if (b.length < bNeed) throw new RangeError(`matmul kernel: B has ${b.length} elements, ${bNeed} needed for batch=${batch}, k=${k}, n=${n}, stride=${bBatchStride}`);
  }
}

type Product = (
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: Float32Array | Int32Array, cOff: number,
  m: number, n: number, k: number, transA: boolean, transB: boolean,
) => void;

/** c[cOff:] (m x n, zero on entry) = op(a) @ op(b) in float arithmetic. */
const gemmFloat: Product = (a, aOff, b, bOff, c, cOff, m, n, k, transA, transB) => {
  if (m < MIN_DIM || n < MIN_DIM || m * n * k < DIRECT_FLOPS) {
    directFloat(a, aOff, b, bOff, c as Float32Array, cOff, m, n, k, transA, transB);
    return;
  }
  const mcMax = Math.min(MC, roundUp(m, MR));
  const kcMax = Math.min(KC, k);
  const ncMax = Math.min(NC, roundUp(n, NR));
  if (packedA.length < mcMax * kcMax) packedA = new Float32Array(mcMax * kcMax);
  if (packedB.length < ncMax * kcMax) packedB = new Float32Array(ncMax * kcMax);
  const pa = packedA;
  const pb = packedB;
  const out = c as Float32Array;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      if (transB) packBTransposed(b, bOff, k, p0, kc, j0, nc, pb);
      else packB(b, bOff, n, p0, kc, j0, nc, pb);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        if (transA) packATransposed(a, aOff, m, i0, mc, p0, kc, pa);
        else packA(a, aOff, k, i0, mc, p0, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bi = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            kernel4x4(kc, pa, ir * kc, pb, bi, out, cOff + (i0 + ir) * n + j0 + jr, n, mr, nr);
          }
        }
      }
    }
  }
};

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

/** A is m x k row-major: sliver s holds rows i0+4s..i0+4s+3, laid out p-major (4 values per p). */
function packA(a: TypedArray, aOff: number, k: number, i0: number, mc: number, p0: number, kc: number, dst: Float32Array): void {
  let d = 0;
  for (let i = 0; i < mc; i += MR) {
    const rows = mc - i;
    const r0 = aOff + (i0 + i) * k + p0;
    if (rows >= MR) {
      const r1 = r0 + k;
      const r2 = r1 + k;
      const r3 = r2 + k;
      for (let p = 0; p < kc; p++) {
        dst[d] = a[r0 + p];
        dst[d + 1] = a[r1 + p];
        dst[d + 2] = a[r2 + p];
        dst[d + 3] = a[r3 + p];
        d += 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) dst[d + ii] = ii < rows ? a[r0 + ii * k + p] : 0;
        d += 4;
      }
    }
  }
}

/** A is stored k x m (element (i, p) at p*m + i). */
function packATransposed(a: TypedArray, aOff: number, m: number, i0: number, mc: number, p0: number, kc: number, dst: Float32Array): void {
  let d = 0;
  for (let i = 0; i < mc; i += MR) {
    const rows = mc - i;
    let src = aOff + p0 * m + i0 + i;
    if (rows >= MR) {
      for (let p = 0; p < kc; p++) {
        dst[d] = a[src];
        dst[d + 1] = a[src + 1];
        dst[d + 2] = a[src + 2];
        dst[d + 3] = a[src + 3];
        d += 4;
        src += m;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) dst[d + ii] = ii < rows ? a[src + ii] : 0;
        d += 4;
        src += m;
      }
    }
  }
}

/** B is k x n row-major: sliver s holds columns j0+4s..j0+4s+3, laid out p-major. */
function packB(b: TypedArray, bOff: number, n: number, p0: number, kc: number, j0: number, nc: number, dst: Float32Array): void {
  let d = 0;
  for (let j = 0; j < nc; j += NR) {
    const cols = nc - j;
    let src = bOff + p0 * n + j0 + j;
    if (cols >= NR) {
      for (let p = 0; p < kc; p++) {
        dst[d] = b[src];
        dst[d + 1] = b[src + 1];
        dst[d + 2] = b[src + 2];
        dst[d + 3] = b[src + 3];
        d += 4;
        src += n;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let jj = 0; jj < NR; jj++) dst[d + jj] = jj < cols ? b[src + jj] : 0;
        d += 4;
        src += n;
      }
    }
  }
}

/** B is stored n x k (element (p, j) at j*k + p). */
function packBTransposed(b: TypedArray, bOff: number, k: number, p0: number, kc: number, j0: number, nc: number, dst: Float32Array): void {
  let d = 0;
  for (let j = 0; j < nc; j += NR) {
    const cols = nc - j;
    const c0 = bOff + (j0 + j) * k + p0;
    if (cols >= NR) {
      const c1 = c0 + k;
      const c2 = c1 + k;
      const c3 = c2 + k;
      for (let p = 0; p < kc; p++) {
        dst[d] = b[c0 + p];
        dst[d + 1] = b[c1 + p];
        dst[d + 2] = b[c2 + p];
        dst[d + 3] = b[c3 + p];
        d += 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let jj = 0; jj < NR; jj++) dst[d + jj] = jj < cols ? b[c0 + jj * k + p] : 0;
        d += 4;
      }
    }
  }
}

/**
 * C[ci.., 4 x 4 block, row stride ldc] += packed A sliver @ packed B sliver, over kc steps. Only
 * the top-left mr x nr of the block is stored (edge tiles; the padding computed zeros).
 */
function kernel4x4(kc: number, pa: Float32Array, ai: number, pb: Float32Array, bi: number, c: Float32Array, ci: number, ldc: number, mr: number, nr: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
    const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ai += 4;
    bi += 4;
  }
  if (mr === 4 && nr === 4) {
    c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02; c[ci + 3] += c03;
    ci += ldc;
    c[ci] += c10; c[ci + 1] += c11; c[ci + 2] += c12; c[ci + 3] += c13;
    ci += ldc;
    c[ci] += c20; c[ci + 1] += c21; c[ci + 2] += c22; c[ci + 3] += c23;
    ci += ldc;
    c[ci] += c30; c[ci + 1] += c31; c[ci + 2] += c32; c[ci + 3] += c33;
    return;
  }
  storeEdgeRow(c, ci, nr, c00, c01, c02, c03);
  if (mr > 1) storeEdgeRow(c, ci + ldc, nr, c10, c11, c12, c13);
  if (mr > 2) storeEdgeRow(c, ci + 2 * ldc, nr, c20, c21, c22, c23);
  if (mr > 3) storeEdgeRow(c, ci + 3 * ldc, nr, c30, c31, c32, c33);
}

function storeEdgeRow(c: Float32Array, ci: number, nr: number, v0: number, v1: number, v2: number, v3: number): void {
  c[ci] += v0;
  if (nr > 1) c[ci + 1] += v1;
  if (nr > 2) c[ci + 2] += v2;
  if (nr > 3) c[ci + 3] += v3;
}

/** Unpacked product for small or skinny shapes: one float64 row accumulator (or dot products). */
function directFloat(a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: Float32Array, cOff: number, m: number, n: number, k: number, transA: boolean, transB: boolean): void {
  // Stride between consecutive p for a fixed row i of op(A), and between consecutive i.
  const aP = transA ? m : 1;
  const aI = transA ? 1 : k;
  if (transB) {
    // Dot products of a row of op(A) with a row of the stored B.
    for (let i = 0; i < m; i++) {
      const aRow = aOff + i * aI;
      for (let j = 0; j < n; j++) {
        const bRow = bOff + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aRow + p * aP] * b[bRow + p];
        c[cOff + i * n + j] = s;
      }
    }
    return;
  }
  if (n <= 2) {
    // One or two output columns: dot products reading B's column with stride n beat a tiny row.
    for (let i = 0; i < m; i++) {
      const aRow = aOff + i * aI;
      for (let j = 0; j < n; j++) {
        const bCol = bOff + j;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aRow + p * aP] * b[bCol + p * n];
        c[cOff + i * n + j] = s;
      }
    }
    return;
  }
  if (rowF64.length < n) rowF64 = new Float64Array(n);
  const row = rowF64;
  for (let i = 0; i < m; i++) {
    row.fill(0, 0, n);
    const aRow = aOff + i * aI;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p * aP];
      const bRow = bOff + p * n;
      for (let j = 0; j < n; j++) row[j] += av * b[bRow + j];
    }
    const o = cOff + i * n;
    for (let j = 0; j < n; j++) c[o + j] = row[j];
  }
}

/** Integer product with int32 wrap-around (Math.imul and `| 0`), like NumPy's int32 matmul. */
const gemmInt: Product = (a, aOff, b, bOff, c, cOff, m, n, k, transA, transB) => {
  const aP = transA ? m : 1;
  const aI = transA ? 1 : k;
  if (transB) {
    for (let i = 0; i < m; i++) {
      const aRow = aOff + i * aI;
      for (let j = 0; j < n; j++) {
        const bRow = bOff + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s = (s + Math.imul(a[aRow + p * aP], b[bRow + p])) | 0;
        c[cOff + i * n + j] = s;
      }
    }
    return;
  }
  if (rowI32.length < n) rowI32 = new Int32Array(n);
  const row = rowI32;
  for (let i = 0; i < m; i++) {
    row.fill(0, 0, n);
    const aRow = aOff + i * aI;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p * aP];
      const bRow = bOff + p * n;
      for (let j = 0; j < n; j++) row[j] = (row[j] + Math.imul(av, b[bRow + j])) | 0;
    }
    c.set(row.subarray(0, n), cOff + i * n);
  }
};
