import { fusedKernels } from "../backend/backend.js";
import type { AttentionArgs } from "../backend/sequence_kernels.js";
import { formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, isTracked } from "../autodiff/tape.js";
import { dropout as randomDropout } from "../random/random.js";
import type { Seed } from "../random/seed_generator.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { tri } from "./creation.js";
import { add, logicalAnd, multiply, where } from "./elementwise.js";
import { matmul } from "./linalg.js";
import { recordMultiOutput } from "./multi_output.js";
import { softmax } from "./nn.js";
import { broadcastTo, reshape, transpose } from "./shape.js";

/*
 * Scaled-dot-product attention over [batch, seq, heads, depth] tensors: Keras's
 * `ops.dot_product_attention` and the core of `MultiHeadAttention`. float32 inputs without an
 * additive bias or dropout run the fused kernel (logits, masked softmax and the weighted sum in one
 * pass per head); anything else runs as Keras's einsum / softmax ops.
 */

/** Keras's large negative logit for masked positions (-0.7 times float32's max): 0 after the softmax. */
const LARGE_NEGATIVE = -0.7 * 3.4028234663852886e38;

export interface DotProductAttentionOptions {
  /** Added to the logits, broadcast to [batch, heads, queryLength, keyLength]. */
  bias?: TensorLike | null;
  /** bool, broadcast to [batch, heads, queryLength, keyLength]: false positions are not attended to. */
  mask?: TensorLike | null;
  /** Multiplies the logits; default 1 / sqrt(depth). */
  scale?: number | null;
  /** Mask positions after the query's own (a lower-triangular mask). */
  isCausal?: boolean;
  /** Accepted for Keras compatibility; the fused CPU kernel already never stores the full logits in memory twice. */
  flashAttention?: boolean | null;
}

export interface AttentionOptions {
  mask?: Tensor | null;
  bias?: Tensor | null;
  scale: number;
  causal?: boolean;
  /** Also return the attention probabilities [batch, heads, queryLength, keyLength]. */
  returnProbabilities?: boolean;
  /** Dropout on the probabilities before they weight the values (training only). */
  dropout?: { rate: number; seed?: Seed } | null;
}

function checkShapes(op: string, q: Tensor, k: Tensor, v: Tensor): void {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) {
    throw new Error(`\`${op}\` only supports 4D inputs. Received: query.shape=${formatShape(q.shape)}, key.shape=${formatShape(k.shape)}, value.shape=${formatShape(v.shape)}.`);
  }
  const [B, , N, D] = q.shape;
  if (k.shape[0] !== B || v.shape[0] !== B || k.shape[2] !== N || v.shape[2] !== N || k.shape[3] !== D || k.shape[1] !== v.shape[1]) {
    throw new Error(
      `${op}: query [batch, T, heads, depth], key [batch, S, heads, depth] and value [batch, S, heads, value depth] must agree; got query ${formatShape(q.shape)}, key ${formatShape(k.shape)}, value ${formatShape(v.shape)}`,
    );
  }
}

/** The mask as bool of rank 4 whose sizes are each 1 or the full [B, N, T, S] size. */
function maskOf(op: string, mask: Tensor, full: readonly number[]): Tensor {
  let m = mask.dtype === "bool" ? mask : cast(mask, "bool");
  if (m.rank > 4) throw new Error(`${op}: the mask must have rank <= 4 (it broadcasts to [batch, heads, T, S] = ${formatShape(full)}), got ${formatShape(m.shape)}`);
  if (m.rank < 4) m = reshape(m, [...Array<number>(4 - m.rank).fill(1), ...m.shape]);
  const ok = m.shape.every((d, i) => d === 1 || d === full[i]);
  if (!ok) throw new Error(`${op}: a mask of shape ${formatShape(mask.shape)} does not broadcast to [batch, heads, T, S] = ${formatShape(full)}`);
  return m;
}

/**
 * Attention of `query` [B, T, N, D] over `key` [B, S, N, D] and `value` [B, S, N, Dv]:
 * softmax(scale * Q Kᵀ + bias, masked) V, as [B, T, N, Dv], and the probabilities when asked for.
 */
export function attention(query: Tensor, key: Tensor, value: Tensor, options: AttentionOptions): { output: Tensor; probabilities: Tensor | null } {
  checkShapes("attention", query, key, value);
  const [B, T, N, D] = query.shape;
  const S = key.shape[1];
  const Dv = value.shape[3];
  const full = [B, N, T, S];
  const mask = options.mask === null || options.mask === undefined ? null : maskOf("attention", options.mask, full);
  const recording = isRecording() && [query, key, value].some(isTracked);
  const dropping = options.dropout !== null && options.dropout !== undefined && options.dropout.rate > 0;
  const fused = [query, key, value].every((t) => t.dtype === "float32") && (options.bias === null || options.bias === undefined) && !dropping &&
    !(options.returnProbabilities && recording);
  if (!fused) return composedAttention(query, key, value, mask, options);
  const args: AttentionArgs = { batch: B, queryLength: T, keyLength: S, heads: N, depth: D, valueDepth: Dv, scale: options.scale, causal: options.causal === true, maskShape: mask === null ? null : [...mask.shape] };
  const maskStorage = mask === null ? null : (mask.storage as Uint8Array);
  const result = fusedKernels().attentionForward(query.storage as Float32Array, key.storage as Float32Array, value.storage as Float32Array, maskStorage, args);
  const output = makeTensor(result.out, [B, T, N, Dv], "float32");
  const probabilities = makeTensor(result.probabilities, full, "float32");
  if (recording) {
    recordMultiOutput([query, key, value], [output], ([dOut]) => {
      if (dOut === null) return [null, null, null];
      const g = fusedKernels().attentionBackward(
        dOut.storage as Float32Array, query.storage as Float32Array, key.storage as Float32Array, value.storage as Float32Array, maskStorage, result.probabilities, args,
      );
      return [makeTensor(g.dQ, query.shape, "float32"), makeTensor(g.dK, key.shape, "float32"), makeTensor(g.dV, value.shape, "float32")];
    });
  }
  return { output, probabilities: options.returnProbabilities ? probabilities : null };
}

/** Keras's einsum / softmax path, op by op (any dtype, an additive bias, dropout, differentiable scores). */
function composedAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor | null, options: AttentionOptions): { output: Tensor; probabilities: Tensor | null } {
  const [, T] = query.shape;
  const S = key.shape[1];
  let logits = multiply(matmul(transpose(query, [0, 2, 1, 3]), transpose(key, [0, 2, 3, 1])), options.scale);
  if (options.bias !== null && options.bias !== undefined) logits = add(logits, options.bias);
  let keep = mask;
  if (options.causal) {
    const causal = reshape(tri(T, S, 0, "bool"), [1, 1, T, S]);
    keep = keep === null ? causal : logicalAnd(keep, causal);
  }
  if (keep !== null) logits = where(broadcastTo(keep, logits.shape), logits, LARGE_NEGATIVE);
  const probabilities = softmax(logits, -1);
  const weights = options.dropout && options.dropout.rate > 0 ? randomDropout(probabilities, options.dropout.rate, { seed: options.dropout.seed }) : probabilities;
  const output = transpose(matmul(weights, transpose(value, [0, 2, 1, 3])), [0, 2, 1, 3]);
  return { output, probabilities: options.returnProbabilities ? probabilities : null };
}

/**
 * Keras's `ops.dot_product_attention(query, key, value, bias, mask, scale, is_causal)`: for
 * [batch, T, heads, depth] queries and [batch, S, heads, depth] keys and values,
 * softmax(scale * Q Kᵀ + bias) V with masked positions left out, as [batch, T, heads, depth].
 */
export function dotProductAttention(query: TensorLike, key: TensorLike, value: TensorLike, options: DotProductAttentionOptions = {}): Tensor {
  // Integer inputs compute in float32, as Keras promotes the logits.
  const asFloat = (x: TensorLike) => {
    const t = toTensor(x, "dotProductAttention");
    return t.dtype === "float32" ? t : cast(t, "float32");
  };
  const [q, k, v] = [asFloat(query), asFloat(key), asFloat(value)];
  checkShapes("dot_product_attention", q, k, v);
  const scale = options.scale ?? 1 / Math.sqrt(k.shape[3]);
  const bias = options.bias === null || options.bias === undefined ? null : asFloat(options.bias);
  const mask = options.mask === null || options.mask === undefined ? null : toTensor(options.mask, "dotProductAttention");
  return attention(q, k, v, { scale, bias, mask, causal: options.isCausal === true }).output;
}
