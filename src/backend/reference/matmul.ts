import type { MatmulArgs } from "../backend.js";
import { allocate, dtypeOfTypedArray, type TypedArray } from "../dtypes.js";

/** Plain i-k-j product with transposes folded into the indexing. */
export function matmul(a: TypedArray, b: TypedArray, args: MatmulArgs): TypedArray {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
  const out = allocate(dtypeOfTypedArray(a), batch * m * n);
  const row = new Float64Array(n);
  for (let bi = 0; bi < batch; bi++) {
    const aOff = bi * aBatchStride;
    const bOff = bi * bBatchStride;
    const oOff = bi * m * n;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[aOff + (transA ? p * m + i : i * k + p)];
        if (av === 0) continue;
        if (transB) for (let j = 0; j < n; j++) row[j] += av * b[bOff + j * k + p];
        else {
          const bRow = bOff + p * n;
          for (let j = 0; j < n; j++) row[j] += av * b[bRow + j];
        }
      }
      out.set(row, oOff + i * n);
    }
  }
  return out;
}
