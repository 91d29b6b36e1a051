import type { AttentionArgs, AttentionGrads } from "../sequence_kernels.js";

/*
 * Reference scaled-dot-product attention (contract in sequence_kernels.ts): per (batch, head)
 * and query row, the logits rounded to float32 as the einsum and the scale multiply store them, a
 * float64 softmax over the unmasked ones, and float64 sums for the weighted values and gradients.
 */

const fround = Math.fround;

export function checkAttentionArgs(kernel: string, args: AttentionArgs, mask: Uint8Array | null, sizes: Record<string, [ArrayLike<number>, number]>): void {
  for (const name of ["batch", "queryLength", "keyLength", "heads", "depth", "valueDepth"] as const) {
    const v = args[name];
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${kernel} kernel: ${name} must be a non-negative integer, got ${v}`);
  }
  const { batch: B, queryLength: Tq, keyLength: Tk, heads: N } = args;
  const full = [B, N, Tq, Tk];
  const maskShape = args.maskShape;
  if ((mask === null) !== (maskShape === null)) throw new Error(`${kernel} kernel: give both the mask and its shape, or neither`);
  if (maskShape !== null) {
    if (maskShape.length !== 4 || maskShape.some((d, i) => d !== 1 && d !== full[i])) {
      throw new RangeError(`${kernel} kernel: mask shape [${maskShape.join(", ")}] does not broadcast to [${full.join(", ")}]`);
    }
    sizes = { ...sizes, mask: [mask!, maskShape.reduce((a, d) => a * d, 1)] };
  }
  for (const [name, [array, expected]] of Object.entries(sizes)) {
    if (array.length !== expected) throw new RangeError(`${kernel} kernel: ${name} has ${array.length} elements, expected ${expected}`);
  }
}

/** Whether logit (b, n, i, j) takes part: the mask entry broadcast to it, and the causal bound. */
export function attentionKeep(mask: Uint8Array | null, args: AttentionArgs): (b: number, n: number, i: number, j: number) => boolean {
  const shape = args.maskShape;
  if (mask === null || shape === null) return args.causal ? (_b, _n, i, j) => j <= i : () => true;
  const [mb, mn, mq, mk] = shape;
  const sk = mk === 1 ? 0 : 1;
  const sq = mq === 1 ? 0 : mk;
  const sn = mn === 1 ? 0 : mq * mk;
  const sb = mb === 1 ? 0 : mn * mq * mk;
  return (b, n, i, j) => mask[b * sb + n * sn + i * sq + j * sk] !== 0 && (!args.causal || j <= i);
}

export function attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, args: AttentionArgs): { out: Float32Array; probabilities: Float32Array } {
  const { batch: B, queryLength: Tq, keyLength: Tk, heads: N, depth: D, valueDepth: Dv } = args;
  checkAttentionArgs("attentionForward", args, mask, { q: [q, B * Tq * N * D], k: [k, B * Tk * N * D], v: [v, B * Tk * N * Dv] });
  const keep = attentionKeep(mask, args);
  const scale = fround(args.scale);
  const out = new Float32Array(B * Tq * N * Dv);
  const probabilities = new Float32Array(B * N * Tq * Tk);
  const logits = new Float64Array(Tk);
  const kept = new Uint8Array(Tk);
  const acc = new Float64Array(Dv);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < Tq; i++) {
        const qAt = ((b * Tq + i) * N + n) * D;
        let max = -Infinity;
        let any = false;
        for (let j = 0; j < Tk; j++) {
          kept[j] = keep(b, n, i, j) ? 1 : 0;
          const kAt = ((b * Tk + j) * N + n) * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[qAt + d] * k[kAt + d];
          logits[j] = fround(fround(dot) * scale);
          if (kept[j]) {
            any = true;
            if (logits[j] > max) max = logits[j];
          }
        }
        const pAt = ((b * N + n) * Tq + i) * Tk;
        if (!any) {
          probabilities.fill(fround(1 / Tk), pAt, pAt + Tk);
        } else {
          let sum = 0;
          for (let j = 0; j < Tk; j++) {
            const e = kept[j] ? Math.exp(logits[j] - max) : 0;
            logits[j] = e;
            sum += e;
          }
          for (let j = 0; j < Tk; j++) probabilities[pAt + j] = logits[j] / sum;
        }
        acc.fill(0);
        for (let j = 0; j < Tk; j++) {
          const p = probabilities[pAt + j];
          if (p === 0) continue;
          const vAt = ((b * Tk + j) * N + n) * Dv;
          for (let e = 0; e < Dv; e++) acc[e] += p * v[vAt + e];
        }
        out.set(acc, ((b * Tq + i) * N + n) * Dv);
      }
    }
  }
  return { out, probabilities };
}

export function attentionBackward(
  dOut: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, probabilities: Float32Array, args: AttentionArgs,
): AttentionGrads {
  const { batch: B, queryLength: Tq, keyLength: Tk, heads: N, depth: D, valueDepth: Dv } = args;
  checkAttentionArgs("attentionBackward", args, mask, {
    dOut: [dOut, B * Tq * N * Dv], q: [q, B * Tq * N * D], k: [k, B * Tk * N * D], v: [v, B * Tk * N * Dv],
    probabilities: [probabilities, B * N * Tq * Tk],
  });
  const keep = attentionKeep(mask, args);
  const scale = fround(args.scale);
  const dQ = new Float64Array(B * Tq * N * D);
  const dK = new Float64Array(B * Tk * N * D);
  const dV = new Float64Array(B * Tk * N * Dv);
  const dP = new Float64Array(Tk);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < Tq; i++) {
        const oAt = ((b * Tq + i) * N + n) * Dv;
        const pAt = ((b * N + n) * Tq + i) * Tk;
        let weighted = 0;
        for (let j = 0; j < Tk; j++) {
          const vAt = ((b * Tk + j) * N + n) * Dv;
          const p = probabilities[pAt + j];
          let dot = 0;
          for (let e = 0; e < Dv; e++) {
            dot += dOut[oAt + e] * v[vAt + e];
            dV[vAt + e] += p * dOut[oAt + e];
          }
          dP[j] = dot;
          weighted += p * dot;
        }
        const qAt = ((b * Tq + i) * N + n) * D;
        for (let j = 0; j < Tk; j++) {
          if (!keep(b, n, i, j)) continue;
          const dLogit = probabilities[pAt + j] * (dP[j] - weighted) * scale;
          if (dLogit === 0) continue;
          const kAt = ((b * Tk + j) * N + n) * D;
          for (let d = 0; d < D; d++) {
            dQ[qAt + d] += dLogit * k[kAt + d];
            dK[kAt + d] += dLogit * q[qAt + d];
          }
        }
      }
    }
  }
  return { dQ: Float32Array.from(dQ), dK: Float32Array.from(dK), dV: Float32Array.from(dV) };
}
