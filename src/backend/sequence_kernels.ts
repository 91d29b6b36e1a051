/*
 * Fused kernels for sequence models: the recurrence of an LSTM or GRU over a whole sequence (its
 * input projection is a `linearForward` done beforehand, one GEMM for all timesteps), and
 * scaled-dot-product attention. Part of `FusedKernels` (see fused_kernels.ts for the general
 * rules: fresh outputs, inputs never written except gradient targets given).
 *
 * The recurrences follow Keras 3's cells (keras/src/layers/rnn/lstm.py, gru.py) and its `rnn()`
 * loop (keras/src/backend/jax/rnn.py):
 *   - the sequence is walked t = 0 .. T-1, or T-1 .. 0 with `goBackwards`; the output sequence is
 *     stored in walk order (step s holds the output computed at walk step s);
 *   - a step whose mask entry is 0 leaves every state as it was; its output is the previous
 *     hidden state (or 0 with `zeroOutputForMask`).
 * Arrays are row-major float32: x [batch, timesteps, G] (G = 4 units for LSTM, 3 units for GRU),
 * states [batch, units], the output sequence [batch, timesteps, units], the mask a bool array
 * [batch, timesteps] (indexed by input time, not walk step).
 *
 * Activations are sigmoid for the gates and tanh for the candidate and the cell output, as the
 * epilogue table defines them (fused_kernels.ts `EpilogueActivation`); other activations run as
 * separate ops in the generic loop, not here. Results agree with the step written as float32 ops
 * to float32 accuracy (the recurrent product's summation order may differ between backends).
 */

/** Sizes and options shared by the recurrent kernels. */
export interface RecurrentArgs {
  batch: number;
  timesteps: number;
  units: number;
  /** Walk the sequence from its end (Keras's `go_backwards`). */
  goBackwards: boolean;
  /** A masked step outputs zeros instead of the previous output (Keras's `zero_output_for_mask`). */
  zeroOutputForMask: boolean;
  /** Return the output sequence; otherwise `outputs` is null (the final states are always returned). */
  returnSequences: boolean;
  /**
   * Return the workspace the backward kernel needs; otherwise `workspace` is null (inference). The
   * backward kernel consumes it: the op calls backward at most once per forward and reads the
   * workspace nowhere else, so a backend may write a later forward's workspace into its memory.
   */
  training: boolean;
}

/**
 * LSTM step, for gate pre-activations z = x_t + h @ R ([batch, 4 units], gate order i, f, c, o as
 * Keras's kernel columns):
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)
 *   c' = f * c + i * g,  h' = o * tanh(c')
 * Workspace (float32, batch * timesteps * 7 * units), four blocks, each indexed [batch, timesteps(input
 * time), ...]: the activated gates i, f, g, o [.., 4 units]; tanh(c') [.., units]; the hidden
 * state before the step [.., units]; the cell state before the step [.., units]. A masked step
 * holds the values computed as if it were not masked.
 */
export interface LstmForwardResult {
  outputs: Float32Array | null;
  h: Float32Array;
  c: Float32Array;
  workspace: Float32Array | null;
}

export interface LstmGrads {
  /** [batch, timesteps, 4 units]: the gradient of x (0 at masked steps). */
  dX: Float32Array;
  dH0: Float32Array;
  dC0: Float32Array;
  /** [units, 4 units], or null when not asked for. */
  dRecurrentKernel: Float32Array | null;
}

/**
 * GRU step with the reset gate after the recurrent product (Keras's `reset_after=True`), for
 * x_t = [x_z, x_r, x_h] (input projection with the input bias) and inner = h @ R + b_rec:
 *   z = σ(x_z + inner_z), r = σ(x_r + inner_r), hh = tanh(x_h + r * inner_h)
 *   h' = z * h + (1 - z) * hh
 * Workspace (batch * timesteps * 5 * units), three blocks indexed [batch, timesteps(input time), ..]:
 * z, r, hh [.., 3 units]; inner_h [.., units]; the hidden state before the step [.., units].
 */
export interface GruForwardResult {
  outputs: Float32Array | null;
  h: Float32Array;
  workspace: Float32Array | null;
}

export interface GruGrads {
  /** [batch, timesteps, 3 units]. */
  dX: Float32Array;
  dH0: Float32Array;
  dRecurrentKernel: Float32Array | null;
  /** [3 units], or null when not asked for (or there is no recurrent bias). */
  dRecurrentBias: Float32Array | null;
}

/**
 * Scaled-dot-product attention over [batch, seq, heads, depth] arrays (Keras's
 * `ops.dot_product_attention` layout): for each batch entry b and head n,
 *   logits[i, j] = scale * Σ_d q[b, i, n, d] k[b, j, n, d]
 *   logits masked out (mask entry 0, or j > i with `causal`, as Keras's lower-triangular causal
 *   mask) are excluded: p = softmax over j of the remaining ones (a row with none left is
 *   uniform over all j, as Keras's large-negative fill gives);
 *   out[b, i, n, :] = Σ_j p[i, j] v[b, j, n, :]
 * q [B, Tq, N, D], k [B, Tk, N, D], v [B, Tk, N, Dv]; out [B, Tq, N, Dv]; probabilities
 * [B, N, Tq, Tk]. The mask is a bool array broadcast to [B, N, Tq, Tk] from `maskShape` (rank 4,
 * each size 1 or the full size), or null.
 */
export interface AttentionArgs {
  batch: number;
  queryLength: number;
  keyLength: number;
  heads: number;
  depth: number;
  valueDepth: number;
  scale: number;
  causal: boolean;
  /** [B or 1, N or 1, Tq or 1, Tk or 1] when a mask is given. */
  maskShape: readonly number[] | null;
}

export interface AttentionGrads {
  dQ: Float32Array;
  dK: Float32Array;
  dV: Float32Array;
}

/** fused_kernels.ts's `GradientTarget` (declared there; repeated here so this module imports nothing). */
type GradientTarget = boolean | Float32Array;

export interface SequenceKernels {
  /**
   * The LSTM recurrence over a sequence (see `LstmForwardResult`): x [batch, timesteps, 4 units],
   * h0 and c0 [batch, units], recurrentKernel [units, 4 units], mask [batch, timesteps] or null.
   */
  lstmForward(x: Float32Array, h0: Float32Array, c0: Float32Array, recurrentKernel: Float32Array, mask: Uint8Array | null, args: RecurrentArgs): LstmForwardResult;

  /**
   * Backward of `lstmForward` from its workspace, given the gradients of its results (null for
   * those that got none): dOutputs [batch, timesteps, units] (walk order), dH and dC [batch, units].
   * dRecurrentKernel = Σ_t hPrev_tᵀ dZ_t.
   */
  lstmBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, dC: Float32Array | null,
    recurrentKernel: Float32Array, mask: Uint8Array | null, workspace: Float32Array, args: RecurrentArgs,
    needDRecurrentKernel: GradientTarget,
  ): LstmGrads;

  /** The GRU recurrence (see `GruForwardResult`): x [batch, timesteps, 3 units], recurrentBias [3 units] or null. */
  gruForward(x: Float32Array, h0: Float32Array, recurrentKernel: Float32Array, recurrentBias: Float32Array | null, mask: Uint8Array | null, args: RecurrentArgs): GruForwardResult;

  /** Backward of `gruForward` from its workspace. */
  gruBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null,
    recurrentKernel: Float32Array, hasRecurrentBias: boolean, mask: Uint8Array | null, workspace: Float32Array, args: RecurrentArgs,
    needDRecurrentKernel: GradientTarget, needDRecurrentBias: GradientTarget,
  ): GruGrads;

  /** Attention forward (see `AttentionArgs`): the output [B, Tq, N, Dv] and the probabilities [B, N, Tq, Tk]. */
  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, args: AttentionArgs): { out: Float32Array; probabilities: Float32Array };

  /**
   * Backward of `attentionForward` from its probabilities: with dP = dOut · vᵀ and
   * dLogits = p * (dP - Σ_j p dP) (0 where masked out), dQ = scale * dLogits · k,
   * dK = scale * dLogitsᵀ · q, dV = pᵀ · dOut.
   */
  attentionBackward(
    dOut: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, probabilities: Float32Array, args: AttentionArgs,
  ): AttentionGrads;
}

export const SEQUENCE_KERNEL_NAMES = [
  "lstmForward", "lstmBackward", "gruForward", "gruBackward", "attentionForward", "attentionBackward",
] as const satisfies readonly (keyof SequenceKernels)[];
