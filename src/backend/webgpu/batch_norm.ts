import { WORKGROUP } from "./context.js";
import { PRELUDE, elementwiseMain, header } from "./wgsl.js";

/*
 * Batch normalization over x viewed as [outer, channels, inner] (fused_kernels.ts's
 * `BatchNormArgs`). Per-channel sums: one workgroup per channel, its threads striding over the
 * channel's outer * inner elements, then a tree in workgroup memory. prm: threads (or channels),
 * outer, channels, inner, epsilon (f32 bits).
 */

/** Element j of channel c. */
const CHANNEL = /* wgsl */ `
fn channelAt(c: u32, j: u32) -> u32 {
  let inner = prm[3];
  return ((j / inner) * prm[2] + c) * inner + j % inner;
}
var<workgroup> part: array<f32, ${WORKGROUP}>;
// The workgroup's sum of the threads' values (every thread gets it).
fn workgroupSum(lid: u32, value: f32) -> f32 {
  part[lid] = value;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { part[lid] = part[lid] + part[lid + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}
`;

function perChannel(body: string): string {
  return `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.y * nwg.x + wid.x;
  let m = prm[1] * prm[3];
  let valid = c < prm[2];
  ${body}
}`;
}

/** mean[c] and variance[c] (biased) of each channel. */
export function bnStatsKernel(): string {
  return `${header([["x", "Float32Array"]], [["mean", "Float32Array"], ["variance", "Float32Array"]])}
${PRELUDE}
${CHANNEL}
${perChannel(`
  var s = 0.0;
  if (valid) { for (var j = lid; j < m; j += ${WORKGROUP}u) { s = s + x[channelAt(c, j)]; } }
  let mu = workgroupSum(lid, s) / f32(m);
  var q = 0.0;
  if (valid) { for (var j = lid; j < m; j += ${WORKGROUP}u) { let d = x[channelAt(c, j)] - mu; q = q + d * d; } }
  let v = workgroupSum(lid, q) / f32(m);
  if (valid && lid == 0u) { mean[c] = mu; variance[c] = v; }
`)}`;
}

/** out = x * inv + (beta - mean * inv), inv = rsqrt(variance + epsilon) * gamma. */
export function bnApplyKernel(gamma: boolean, beta: boolean): string {
  const inputs: [string, "Float32Array"][] = [["x", "Float32Array"], ["mean", "Float32Array"], ["variance", "Float32Array"]];
  if (gamma) inputs.push(["gamma", "Float32Array"]);
  if (beta) inputs.push(["beta", "Float32Array"]);
  return `${header(inputs, [["out", "Float32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let c = (i / prm[3]) % prm[2];
  var s = 1.0 / sqrt(variance[c] + pf(4));
  ${gamma ? "s = s * gamma[c];" : ""}
  let shift = ${beta ? "-mean[c] * s + beta[c]" : "-mean[c] * s"};
  out[i] = x[i] * s + shift;
`)}`;
}

/** Per channel: dBeta = Σ dOut, dGamma = Σ dOut * xhat. */
export function bnGradSumsKernel(): string {
  return `${header([["dOut", "Float32Array"], ["x", "Float32Array"], ["mean", "Float32Array"], ["variance", "Float32Array"]], [["dGamma", "Float32Array"], ["dBeta", "Float32Array"]])}
${PRELUDE}
${CHANNEL}
${perChannel(`
  var sdy = 0.0;
  var sdyx = 0.0;
  if (valid) {
    let mu = mean[c];
    let rstd = 1.0 / sqrt(variance[c] + pf(4));
    for (var j = lid; j < m; j += ${WORKGROUP}u) {
      let at = channelAt(c, j);
      sdy = sdy + dOut[at];
      sdyx = sdyx + dOut[at] * (x[at] - mu) * rstd;
    }
  }
  let totalDy = workgroupSum(lid, sdy);
  let totalDyXhat = workgroupSum(lid, sdyx);
  if (valid && lid == 0u) { dBeta[c] = totalDy; dGamma[c] = totalDyXhat; }
`)}`;
}

/** dX = gamma * rstd * (dOut - dBeta / m - xhat * dGamma / m). */
export function bnInputGradKernel(gamma: boolean): string {
  const inputs: [string, "Float32Array"][] = [["dOut", "Float32Array"], ["x", "Float32Array"], ["mean", "Float32Array"], ["variance", "Float32Array"], ["sumDyXhat", "Float32Array"], ["sumDy", "Float32Array"]];
  if (gamma) inputs.push(["gamma", "Float32Array"]);
  return `${header(inputs, [["dx", "Float32Array"]])}
${PRELUDE}
${elementwiseMain(`
  let c = (i / prm[3]) % prm[2];
  let m = f32(prm[1] * prm[3]);
  let rstd = 1.0 / sqrt(variance[c] + pf(4));
  let scale = ${gamma ? "gamma[c] * rstd" : "rstd"};
  let xhat = (x[i] - mean[c]) * rstd;
  dx[i] = scale * (dOut[i] - sumDy[c] / m - xhat * (sumDyXhat[c] / m));
`)}`;
}
