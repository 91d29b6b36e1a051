import type { Shape } from "./dtypes.js";

/**
 * Each input's strides against `outShape` after merging neighbouring axes that broadcast alike and
 * dropping size-1 axes, as the reference kernels iterate: `dims` the merged output axes (none for
 * a one-element output), `strides[i]` input i's stride along each (0 where it broadcasts). The
 * compiled backends hand this plan to their elementwise kernels.
 */
export function mergedBroadcastStrides(inputs: readonly Shape[], outShape: Shape): { dims: number[]; strides: number[][] } {
  const rank = outShape.length;
  const padded = inputs.map((s) => [...new Array<number>(rank - s.length).fill(1), ...s]);
  const dims: number[] = [];
  const flags: boolean[][] = [];
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const varies = padded.map((s) => s[d] !== 1);
    const last = flags.length - 1;
    if (last >= 0 && varies.every((v, i) => v === flags[last][i])) dims[last] *= outShape[d];
    else {
      dims.push(outShape[d]);
      flags.push(varies);
    }
  }
  const strides = inputs.map((_, i) => {
    const s = new Array<number>(dims.length);
    let stride = 1;
    for (let d = dims.length - 1; d >= 0; d--) {
      s[d] = flags[d][i] ? stride : 0;
      if (flags[d][i]) stride *= dims[d];
    }
    return s;
  });
  return { dims, strides };
}
