import type { ConvArgs, EpilogueActivation, PoolArgs } from "../fused_kernels.js";
import { activationExpr } from "./kernels.js";
import { PRELUDE, elementwiseMain, header } from "./wgsl.js";

/*
 * Convolution and pooling in WGSL, direct (no im2col): one thread per element of what is written.
 * Up to three spatial axes; fewer are padded with extent-1 axes, so one shader serves 1-, 2- and
 * 3-d. Geometry words (`prm`): see `convParams` / `poolParams`.
 */

function pad3(values: readonly number[], fill: number): number[] {
  return [...values, ...new Array<number>(3 - values.length).fill(fill)];
}

/** [threads, batch, cin, cout, groups, channelsFirst, in[3], out[3], kernel[3], strides[3], dilations[3], padBefore[3]]. */
export function convParams(threads: number, a: ConvArgs): number[] {
  return [
    threads, a.batch, a.inChannels, a.outChannels, a.groups, a.channelsFirst ? 1 : 0,
    ...pad3(a.inputSize, 1), ...pad3(a.outputSize, 1), ...pad3(a.kernelSize, 1), ...pad3(a.strides, 1), ...pad3(a.dilations, 1), ...pad3(a.padBefore, 0),
  ];
}

/** [threads, batch, channels, channelsFirst, in[3], out[3], window[3], strides[3], padBefore[3]]. */
export function poolParams(threads: number, a: PoolArgs): number[] {
  return [threads, a.batch, a.channels, a.channelsFirst ? 1 : 0, ...pad3(a.inputSize, 1), ...pad3(a.outputSize, 1), ...pad3(a.poolSize, 1), ...pad3(a.strides, 1), ...pad3(a.padBefore, 0)];
}

/** Flat index of element (n, position p, channel c) of a [batch, ...S, C] or [batch, C, ...S] array. */
const LAYOUT = /* wgsl */ `
fn at(n: u32, p: vec3u, c: u32, C: u32, S: vec3u, cf: bool) -> u32 {
  if (cf) { return (((n * C + c) * S.x + p.x) * S.y + p.y) * S.z + p.z; }
  return (((n * S.x + p.x) * S.y + p.y) * S.z + p.z) * C + c;
}
struct Elem { n: u32, p: vec3u, c: u32 }
// The element of a [batch, ...S, C] (or channels-first) array at flat index i.
fn elemOf(i: u32, C: u32, S: vec3u, cf: bool) -> Elem {
  var e: Elem;
  var r = i;
  if (!cf) { e.c = r % C; r = r / C; }
  e.p.z = r % S.z; r = r / S.z;
  e.p.y = r % S.y; r = r / S.y;
  e.p.x = r % S.x; r = r / S.x;
  if (cf) { e.c = r % C; r = r / C; }
  e.n = r;
  return e;
}
fn v3(k: u32) -> vec3u { return vec3u(prm[k], prm[k + 1u], prm[k + 2u]); }
fn v3i(k: u32) -> vec3i { return vec3i(pi(k), pi(k + 1u), pi(k + 2u)); }
`;

const CONV_GEOMETRY = /* wgsl */ `
  let batch = prm[1];
  let cin = prm[2];
  let cout = prm[3];
  let groups = prm[4];
  let cf = prm[5] == 1u;
  let S = v3(6u);
  let O = v3(9u);
  let K = v3(12u);
  let st = v3i(15u);
  let dl = v3i(18u);
  let pb = v3i(21u);
  let cg = cin / groups;
  let og = cout / groups;
  let Si = vec3i(S);
  let Oi = vec3i(O);`;

/** `activation(conv(x, w) + bias)`, one thread per output element. */
export function convForwardKernel(bias: boolean, activation: EpilogueActivation): string {
  const inputs: [string, "Float32Array"][] = [["x", "Float32Array"], ["w", "Float32Array"]];
  if (bias) inputs.push(["bias", "Float32Array"]);
  return `${header(inputs, [["out", "Float32Array"]])}
${PRELUDE}
${LAYOUT}
${elementwiseMain(`${CONV_GEOMETRY}
  let e = elemOf(i, cout, O, cf);
  let co = e.c;
  let g = co / og;
  let o = vec3i(e.p);
  var acc = 0.0;
  for (var k0 = 0u; k0 < K.x; k0++) {
    let i0 = o.x * st.x + i32(k0) * dl.x - pb.x;
    if (i0 < 0 || i0 >= Si.x) { continue; }
    for (var k1 = 0u; k1 < K.y; k1++) {
      let i1 = o.y * st.y + i32(k1) * dl.y - pb.y;
      if (i1 < 0 || i1 >= Si.y) { continue; }
      for (var k2 = 0u; k2 < K.z; k2++) {
        let i2 = o.z * st.z + i32(k2) * dl.z - pb.z;
        if (i2 < 0 || i2 >= Si.z) { continue; }
        let tap = ((k0 * K.y + k1) * K.z + k2) * cg;
        let p = vec3u(u32(i0), u32(i1), u32(i2));
        for (var c = 0u; c < cg; c++) {
          acc = acc + x[at(e.n, p, g * cg + c, cin, S, cf)] * w[(tap + c) * cout + co];
        }
      }
    }
  }
  let z = ${bias ? "acc + bias[co]" : "acc"};
  out[i] = ${activationExpr(activation, "z")};
`)}`;
}

/** dX of a convolution from dZ: one thread per input element, summing the windows that read it. */
export function convInputGradKernel(): string {
  return `${header([["dz", "Float32Array"], ["w", "Float32Array"]], [["dx", "Float32Array"]])}
${PRELUDE}
${LAYOUT}
${elementwiseMain(`${CONV_GEOMETRY}
  let e = elemOf(i, cin, S, cf);
  let g = e.c / cg;
  let cl = e.c % cg;
  let p = vec3i(e.p);
  var acc = 0.0;
  for (var k0 = 0u; k0 < K.x; k0++) {
    let t0 = p.x + pb.x - i32(k0) * dl.x;
    if (t0 < 0 || t0 % st.x != 0 || t0 / st.x >= Oi.x) { continue; }
    for (var k1 = 0u; k1 < K.y; k1++) {
      let t1 = p.y + pb.y - i32(k1) * dl.y;
      if (t1 < 0 || t1 % st.y != 0 || t1 / st.y >= Oi.y) { continue; }
      for (var k2 = 0u; k2 < K.z; k2++) {
        let t2 = p.z + pb.z - i32(k2) * dl.z;
        if (t2 < 0 || t2 % st.z != 0 || t2 / st.z >= Oi.z) { continue; }
        let o = vec3u(u32(t0 / st.x), u32(t1 / st.y), u32(t2 / st.z));
        let wrow = (((k0 * K.y + k1) * K.z + k2) * cg + cl) * cout;
        for (var co = g * og; co < (g + 1u) * og; co++) {
          acc = acc + dz[at(e.n, o, co, cout, O, cf)] * w[wrow + co];
        }
      }
    }
  }
  dx[i] = acc;
`)}`;
}

/** dW of a convolution: one thread per kernel element, summing over images and output positions. */
export function convKernelGradKernel(): string {
  return `${header([["dz", "Float32Array"], ["x", "Float32Array"]], [["dw", "Float32Array"]])}
${PRELUDE}
${LAYOUT}
${elementwiseMain(`${CONV_GEOMETRY}
  let co = i % cout;
  var r = i / cout;
  let c = r % cg; r = r / cg;
  let k2 = i32(r % K.z); r = r / K.z;
  let k1 = i32(r % K.y);
  let k0 = i32(r / K.y);
  let g = co / og;
  var acc = 0.0;
  for (var n = 0u; n < batch; n++) {
    for (var o0 = 0; o0 < Oi.x; o0++) {
      let i0 = o0 * st.x + k0 * dl.x - pb.x;
      if (i0 < 0 || i0 >= Si.x) { continue; }
      for (var o1 = 0; o1 < Oi.y; o1++) {
        let i1 = o1 * st.y + k1 * dl.y - pb.y;
        if (i1 < 0 || i1 >= Si.y) { continue; }
        for (var o2 = 0; o2 < Oi.z; o2++) {
          let i2 = o2 * st.z + k2 * dl.z - pb.z;
          if (i2 < 0 || i2 >= Si.z) { continue; }
          acc = acc + x[at(n, vec3u(u32(i0), u32(i1), u32(i2)), g * cg + c, cin, S, cf)] * dz[at(n, vec3u(u32(o0), u32(o1), u32(o2)), co, cout, O, cf)];
        }
      }
    }
  }
  dw[i] = acc;
`)}`;
}

const POOL_GEOMETRY = /* wgsl */ `
  let C = prm[2];
  let cf = prm[3] == 1u;
  let S = v3(4u);
  let O = v3(7u);
  let K = v3(10u);
  let st = v3i(13u);
  let pb = v3i(16u);
  let Si = vec3i(S);
  let Oi = vec3i(O);`;

/** The in-bounds taps of output window o along each axis: [first input position, last + 1). */
const WINDOW = /* wgsl */ `
fn lo3(o: vec3i, st: vec3i, pb: vec3i) -> vec3i { return max(o * st - pb, vec3i(0)); }
fn hi3(o: vec3i, st: vec3i, pb: vec3i, K: vec3u, Si: vec3i) -> vec3i { return min(o * st - pb + vec3i(K), Si); }
`;

/**
 * Max pooling: each output's value (`mode` "value") or the flat input index the forward chose
 * ("index": the first NaN, else the first maximum in row-major window order; -1 for a window
 * with no element inside the input).
 */
export function maxPoolKernel(mode: "value" | "index"): string {
  return `${header([["x", "Float32Array"]], [["out", mode === "value" ? "Float32Array" : "Int32Array"]])}
${PRELUDE}
${LAYOUT}
${WINDOW}
${elementwiseMain(`${POOL_GEOMETRY}
  let e = elemOf(i, C, O, cf);
  let o = vec3i(e.p);
  let lo = lo3(o, st, pb);
  let hi = hi3(o, st, pb, K, Si);
  var best = -inf_f();
  var chosen = -1;
  var done = false;
  for (var a = lo.x; a < hi.x && !done; a++) {
    for (var b = lo.y; b < hi.y && !done; b++) {
      for (var c = lo.z; c < hi.z && !done; c++) {
        let idx = at(e.n, vec3u(u32(a), u32(b), u32(c)), e.c, C, S, cf);
        let v = x[idx];
        if (is_nan(v)) { best = v; chosen = i32(idx); done = true; }
        else if (chosen < 0 || v > best) { best = v; chosen = i32(idx); }
      }
    }
  }
  out[i] = ${mode === "value" ? "best" : "chosen"};
`)}`;
}

/** Max pooling's dX: one thread per input element, adding dOut of each window that chose it. */
export function maxPoolBackwardKernel(): string {
  return `${header([["dOut", "Float32Array"], ["chosen", "Int32Array"]], [["dx", "Float32Array"]])}
${PRELUDE}
${LAYOUT}
${elementwiseMain(`${POOL_GEOMETRY}
  let e = elemOf(i, C, S, cf);
  let p = vec3i(e.p);
  // Windows o with o * st - pb <= p < o * st - pb + K.
  let first = max((p + pb - vec3i(K) + st) / st, vec3i(0));
  let last = min((p + pb) / st, Oi - vec3i(1));
  var acc = 0.0;
  for (var a = first.x; a <= last.x; a++) {
    for (var b = first.y; b <= last.y; b++) {
      for (var c = first.z; c <= last.z; c++) {
        let oi = at(e.n, vec3u(u32(a), u32(b), u32(c)), e.c, C, O, cf);
        if (chosen[oi] == i32(i)) { acc = acc + dOut[oi]; }
      }
    }
  }
  dx[i] = acc;
`)}`;
}

/** Average pooling over the in-bounds elements of each window. */
export function avgPoolKernel(): string {
  return `${header([["x", "Float32Array"]], [["out", "Float32Array"]])}
${PRELUDE}
${LAYOUT}
${WINDOW}
${elementwiseMain(`${POOL_GEOMETRY}
  let e = elemOf(i, C, O, cf);
  let o = vec3i(e.p);
  let lo = lo3(o, st, pb);
  let hi = hi3(o, st, pb, K, Si);
  var acc = 0.0;
  for (var a = lo.x; a < hi.x; a++) {
    for (var b = lo.y; b < hi.y; b++) {
      for (var c = lo.z; c < hi.z; c++) {
        acc = acc + x[at(e.n, vec3u(u32(a), u32(b), u32(c)), e.c, C, S, cf)];
      }
    }
  }
  let span = max(hi - lo, vec3i(0));
  out[i] = acc / f32(span.x * span.y * span.z);
`)}`;
}

/** Average pooling's dX: one thread per input element, adding dOut / count of each window over it. */
export function avgPoolBackwardKernel(): string {
  return `${header([["dOut", "Float32Array"]], [["dx", "Float32Array"]])}
${PRELUDE}
${LAYOUT}
${WINDOW}
${elementwiseMain(`${POOL_GEOMETRY}
  let e = elemOf(i, C, S, cf);
  let p = vec3i(e.p);
  let first = max((p + pb - vec3i(K) + st) / st, vec3i(0));
  let last = min((p + pb) / st, Oi - vec3i(1));
  var acc = 0.0;
  for (var a = first.x; a <= last.x; a++) {
    for (var b = first.y; b <= last.y; b++) {
      for (var c = first.z; c <= last.z; c++) {
        let o = vec3i(a, b, c);
        let span = max(hi3(o, st, pb, K, Si) - lo3(o, st, pb), vec3i(0));
        acc = acc + dOut[at(e.n, vec3u(o), e.c, C, O, cf)] / f32(span.x * span.y * span.z);
      }
    }
  }
  dx[i] = acc;
`)}`;
}
