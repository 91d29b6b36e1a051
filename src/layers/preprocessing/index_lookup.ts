import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { DType } from "../../backend/dtypes.js";
import { KerasTensor } from "../../backend/keras_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import type { TensorLike } from "../../ops/core.js";
import { Layer, type CallOptions, type LayerArgs, type LayerInputs, type LayerShape, type SymbolicOutput } from "../layer.js";
import { encodeCategorical, flatten, unflatten, type Nested } from "./categorical_inputs.js";
import { hashBucketFast } from "./string_hashing.js";

export type LookupOutputMode = "int" | "one_hot" | "multi_hot" | "count" | "tf_idf";

export interface IndexLookupArgs<T extends string | number> extends LayerArgs {
  /** The vocabulary's maximum size, special tokens included (default: unlimited). */
  maxTokens?: number | null;
  /** How many out-of-vocabulary indices (default 1); values not in the vocabulary hash among them. */
  numOovIndices?: number;
  /** The padding token, mapped to index 0 (default none). */
  maskToken?: T | null;
  oovToken?: T | null;
  /** A fixed vocabulary (instead of `adapt`), without or with the special tokens first. */
  vocabulary?: readonly T[] | null;
  /** With outputMode "tf_idf" and a fixed vocabulary: one inverse document frequency per term. */
  idfWeights?: readonly number[] | null;
  /** Map indices back to terms. */
  invert?: boolean;
  /** "int" (default), "one_hot", "multi_hot", "count" or "tf_idf" ("binary" / "tf-idf" accepted). */
  outputMode?: LookupOutputMode | "binary" | "tf-idf";
  /** Pad encoded outputs to `maxTokens` even when the vocabulary is smaller. */
  padToMaxTokens?: boolean;
  /** Accepted for Keras compatibility; only dense outputs exist here (true is an error). */
  sparse?: boolean;
  /** Keras's frozen vocabulary size, written in configs. */
  vocabularySize?: number | null;
  /** Whether the vocabulary came with the layer (Keras's config key); default: `vocabulary` given. */
  hasInputVocabulary?: boolean;
}

/** UTF-8 byte order (NumPy's for bytes), which decides ties between equally frequent strings. */
function compareTokens(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  // UTF-8 byte order is code point order (no Buffer: this runs in browsers too).
  const x = String(a);
  const y = String(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const cx = x.codePointAt(i)!;
    const cy = y.codePointAt(j)!;
    if (cx !== cy) return cx - cy;
    i += cx > 0xffff ? 2 : 1;
    j += cy > 0xffff ? 2 : 1;
  }
  return (i < x.length ? 1 : 0) - (j < y.length ? 1 : 0);
}

/**
 * Keras's `IndexLookup`, the base of `StringLookup` and `IntegerLookup`: maps terms to indices
 * through a vocabulary laid out as [mask token (if any), OOV indices, terms...], learned from data
 * by `adapt` (most frequent first, ties by term, high to low) or given. With `invert`, maps
 * indices back to terms. The vocabulary of an adapted layer is saved in `.keras` files as Keras
 * does, in an asset file `vocabulary.txt`.
 */
export abstract class IndexLookup<T extends string | number> extends Layer {
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: T | null;
  readonly oovToken: T | null;
  readonly invert: boolean;
  readonly outputMode: LookupOutputMode;
  readonly sparse: boolean;
  readonly padToMaxTokens: boolean;
  /** The vocabulary given at construction (saved in the config), or null when adapted. */
  readonly inputVocabulary: T[] | null;
  readonly inputIdfWeights: number[] | null;
  private readonly hasInputVocabulary: boolean;
  /** Learned or set terms, in index order after the special tokens. */
  private tokens: T[] = [];
  private index = new Map<T, number>();
  private idfWeights: Float32Array | null = null;
  private frozenVocabSize: number | null;
  private tokenCounts = new Map<T, number>();
  private documentCounts = new Map<T, number>();
  private numDocuments = 0;

  /** Keras's `vocabulary_dtype` (a method: it is read while the base constructor runs, before subclass fields exist). */
  protected abstract vocabularyDtype(): "string" | "int64";
  /** Whether a value is a term of this layer's kind. */
  protected abstract isTerm(value: unknown): value is T;
  protected abstract parseTerm(line: string): T;

  constructor(args: IndexLookupArgs<T>, defaults: { maskToken: T | null; oovToken: T | null }) {
    const { maxTokens, numOovIndices, maskToken, oovToken, vocabulary, idfWeights, invert, outputMode, padToMaxTokens, sparse, vocabularySize, hasInputVocabulary, ...rest } = args;
    super({ ...rest, dtype: undefined });
    const mode = outputMode === "binary" ? "multi_hot" : outputMode === "tf-idf" ? "tf_idf" : (outputMode ?? "int");
    if (maxTokens !== null && maxTokens !== undefined && maxTokens <= 1) throw new Error(`If set, \`max_tokens\` must be greater than 1. Received: max_tokens=${maxTokens}`);
    if (padToMaxTokens && (maxTokens === null || maxTokens === undefined)) throw new Error(`If pad_to_max_tokens is True, must set \`max_tokens\`. Received: max_tokens=${String(maxTokens)}`);
    const oov = numOovIndices ?? 1;
    if (!Number.isInteger(oov) || oov < 0) throw new Error(`\`num_oov_indices\` must be greater than or equal to 0. Received: num_oov_indices=${oov}`);
    if (!["int", "one_hot", "multi_hot", "count", "tf_idf"].includes(mode)) {
      throw new Error(`Unknown value for \`output_mode\`. Allowed values are: 'int', 'one_hot', 'multi_hot', 'count', 'tf_idf'. Received: output_mode=${String(outputMode)}`);
    }
    if (invert && mode !== "int") throw new Error(`\`output_mode\` must be \`'int'\` when \`invert\` is true. Received: output_mode=${mode}`);
    if (sparse) throw new Error(`${this.className()} layer '${this.name}': sparse outputs are not supported by keras-ts`);
    if (idfWeights !== null && idfWeights !== undefined && mode !== "tf_idf") {
      throw new Error(`\`idf_weights\` should only be set if \`output_mode\` is \`'tf_idf'\`. Received: idf_weights=${JSON.stringify(idfWeights)} and output_mode=${mode}`);
    }
    this.maxTokens = maxTokens ?? null;
    this.numOovIndices = oov;
    this.maskToken = maskToken === undefined ? defaults.maskToken : maskToken;
    this.oovToken = oovToken === undefined ? defaults.oovToken : oovToken;
    this.invert = invert ?? false;
    this.outputMode = mode;
    this.sparse = false;
    this.padToMaxTokens = padToMaxTokens ?? false;
    this.inputVocabulary = vocabulary === null || vocabulary === undefined ? null : [...vocabulary];
    this.inputIdfWeights = idfWeights === null || idfWeights === undefined ? null : [...idfWeights];
    this.hasInputVocabulary = hasInputVocabulary ?? this.inputVocabulary !== null;
    this.frozenVocabSize = vocabularySize ?? null;
    if (mode === "tf_idf" && this.hasInputVocabulary && this.inputVocabulary !== null && this.inputIdfWeights === null) {
      throw new Error("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` argument must also be provided.");
    }
    if (this.inputVocabulary !== null) this.setVocabulary(this.inputVocabulary, this.inputIdfWeights);
    this.built = true;
  }

  /** Index where the OOV indices start: after the mask token in "int" mode. */
  protected oovStartIndex(): number {
    return this.maskToken !== null && this.outputMode === "int" ? 1 : 0;
  }

  protected tokenStartIndex(): number {
    return this.oovStartIndex() + this.numOovIndices;
  }

  /** Vocabulary size, mask and OOV indices included. */
  vocabularySize(): number {
    return this.tokens.length + this.tokenStartIndex();
  }

  /** The vocabulary in index order; with special tokens, a term's position is its index. */
  getVocabulary(includeSpecialTokens = true): T[] {
    const special: T[] = [];
    if (this.oovStartIndex() === 1) special.push(this.maskToken as T);
    for (let i = 0; i < this.numOovIndices; i++) special.push(this.oovToken as T);
    return includeSpecialTokens ? [...special, ...this.tokens] : [...this.tokens];
  }

  /** Sets the vocabulary (and IDF weights in "tf_idf" mode) instead of adapting. */
  setVocabulary(vocabulary: readonly T[], idfWeights: readonly number[] | null = null): void {
    if (this.outputMode === "tf_idf" && idfWeights === null) throw new Error("`idf_weights` must be set if output_mode is 'tf_idf'.");
    if (this.outputMode !== "tf_idf" && idfWeights !== null) {
      throw new Error(`\`idf_weights\` should only be set if output_mode is \`'tf_idf'\`. Received: output_mode=${this.outputMode} and idf_weights=${JSON.stringify(idfWeights)}`);
    }
    if (!Array.isArray(vocabulary) || vocabulary.length === 0) throw new Error(`Cannot set an empty vocabulary. Received: vocabulary=${JSON.stringify(vocabulary)}`);
    for (const term of vocabulary) if (!this.isTerm(term)) throw new TypeError(`${this.className()} layer '${this.name}': vocabulary term ${JSON.stringify(term)} is not a ${this.vocabularyDtype() === "string" ? "string" : "integer"}`);
    const tokenStart = this.tokenStartIndex();
    const special = this.getVocabulary(true).slice(0, tokenStart);
    const foundSpecial = special.every((t, i) => vocabulary[i] === t) && vocabulary.length >= tokenStart;
    const tokens = foundSpecial ? vocabulary.slice(tokenStart) : [...vocabulary];
    const seen = new Set<T>();
    const repeated = new Set<T>();
    for (const t of tokens) (seen.has(t) ? repeated : seen).add(t);
    if (repeated.size > 0) {
      throw new Error(`The passed vocabulary has at least one repeated term. Please uniquify your dataset. The repeated terms are: ${JSON.stringify([...repeated])}`);
    }
    if (this.maskToken !== null && seen.has(this.maskToken)) {
      throw new Error(
        `Found reserved mask token at unexpected location in \`vocabulary\`. Note that passed \`vocabulary\` does not need to include the OOV and mask tokens. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: ${JSON.stringify(special)}. Received: mask_token=${JSON.stringify(this.maskToken)}`,
      );
    }
    if (this.oovToken !== null && this.invert && seen.has(this.oovToken)) {
      throw new Error(`Found reserved OOV token at unexpected location in \`vocabulary\`. Received: oov_token=${JSON.stringify(this.oovToken)}`);
    }
    const size = tokenStart + tokens.length;
    if (this.maxTokens !== null && size > this.maxTokens) {
      throw new Error(`Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is ${size}; \`max_tokens\` is ${this.maxTokens}.`);
    }
    this.setTokens(tokens);
    if (this.outputMode === "tf_idf" && idfWeights !== null) {
      if (idfWeights.length !== vocabulary.length) {
        throw new Error(`\`idf_weights\` must be the same length as vocabulary. len(idf_weights) is ${idfWeights.length}; len(vocabulary) is ${vocabulary.length}`);
      }
      const front = foundSpecial ? 0 : tokenStart;
      const frontValue = foundSpecial ? 0 : idfWeights.reduce((a, b) => a + b, 0) / idfWeights.length;
      const back = this.padToMaxTokens && this.maxTokens !== null ? this.maxTokens - front - idfWeights.length : 0;
      this.idfWeights = Float32Array.from([...new Array<number>(front).fill(frontValue), ...idfWeights, ...new Array<number>(Math.max(0, back)).fill(0)]);
    }
  }

  private setTokens(tokens: T[]): void {
    this.tokens = tokens;
    this.index = new Map(tokens.map((t, i) => [t, i + this.tokenStartIndex()]));
    this.recordVocabularySize();
  }

  private recordVocabularySize(): void {
    if (this.outputMode !== "int" && !this.padToMaxTokens && this.frozenVocabSize !== null && this.frozenVocabSize !== this.vocabularySize()) {
      throw new Error(
        `When using \`output_mode=${this.outputMode}\` and \`pad_to_max_tokens=False\`, the vocabulary size cannot be changed after the layer is called. Old vocab size is ${this.frozenVocabSize}, new vocab size is ${this.vocabularySize()}`,
      );
    }
    this.frozenVocabSize = this.vocabularySize();
  }

  /** Keras's `adapt`: counts the terms of `data` (nested arrays or a tensor) and keeps the most frequent. */
  adapt(data: Nested<T> | Tensor): void {
    this.resetState();
    this.updateState(data);
    this.finalizeState();
  }

  updateState(data: Nested<T> | Tensor | T[][]): void {
    if (this.hasInputVocabulary) throw new Error(`Cannot adapt layer '${this.name}' after setting a static vocabulary via \`vocabulary\` argument or \`set_vocabulary()\` method.`);
    const rows = this.documents(data);
    for (const row of rows) {
      for (const term of row) this.tokenCounts.set(term, (this.tokenCounts.get(term) ?? 0) + 1);
      if (this.outputMode === "tf_idf") for (const term of new Set(row)) this.documentCounts.set(term, (this.documentCounts.get(term) ?? 0) + 1);
    }
    this.numDocuments += rows.length;
  }

  /** The documents of adapt data: a list of term lists (a rank-1 input is one term per document). */
  private documents(data: Nested<T> | Tensor | T[][]): T[][] {
    if (Array.isArray(data) && data.some((d) => Array.isArray(d)) && !data.every((d) => Array.isArray(d))) {
      throw new Error(`${this.className()} layer '${this.name}': adapt data mixes terms and lists of terms`);
    }
    if (Array.isArray(data) && data.every((d) => Array.isArray(d))) {
      // Rows may differ in length (ragged documents, as TextVectorization's tokens).
      return (data as unknown[][]).map((row) => flatten(row, `${this.className()}.adapt`, (v): v is T => this.isTerm(v)).values);
    }
    const { values, shape } = flatten(data, `${this.className()}.adapt`, (v): v is T => this.isTerm(v));
    if (shape.length <= 1) return values.map((v) => [v]);
    const per = values.length / shape[0];
    return Array.from({ length: shape[0] }, (_, i) => values.slice(i * per, (i + 1) * per));
  }

  finalizeState(): void {
    if (this.hasInputVocabulary || this.tokenCounts.size === 0) {
      this.recordVocabularySize();
      return;
    }
    if (this.maskToken !== null) this.tokenCounts.delete(this.maskToken);
    if (this.oovToken !== null) this.tokenCounts.delete(this.oovToken);
    let sorted = [...this.tokenCounts.entries()].sort(([ta, ca], [tb, cb]) => (cb - ca) || -compareTokens(ta, tb)).map(([t]) => t);
    if (this.maxTokens !== null) sorted = sorted.slice(0, this.maxTokens - this.tokenStartIndex());
    this.frozenVocabSize = null;
    this.setTokens(sorted);
    if (this.outputMode === "tf_idf") {
      const idf = sorted.map((t) => Math.log(1 + this.numDocuments / (1 + (this.documentCounts.get(t) ?? 0))));
      const mean = idf.reduce((a, b) => a + b, 0) / Math.max(1, idf.length);
      const back = this.padToMaxTokens && this.maxTokens !== null ? this.maxTokens - this.tokenStartIndex() - idf.length : 0;
      this.idfWeights = Float32Array.from([...new Array<number>(this.tokenStartIndex()).fill(mean), ...idf, ...new Array<number>(Math.max(0, back)).fill(0)]);
    }
    this.resetState();
  }

  resetState(): void {
    if (this.hasInputVocabulary) return;
    this.tokenCounts = new Map();
    this.documentCounts = new Map();
    this.numDocuments = 0;
  }

  /** The index of each term (the OOV index for unknown ones, 0 for the mask token in "int" mode). */
  lookupIndices(terms: readonly T[]): Int32Array {
    const oovStart = this.oovStartIndex();
    const maskIndex = this.outputMode === "int" ? 0 : -1;
    const out = new Int32Array(terms.length);
    terms.forEach((term, i) => {
      if (this.maskToken !== null && term === this.maskToken) {
        out[i] = maskIndex;
        return;
      }
      const found = this.index.get(term);
      if (found !== undefined) out[i] = found;
      else if (this.numOovIndices === 0) {
        throw new Error(`When \`num_oov_indices=0\` all inputs should be in vocabulary, found OOV values [${JSON.stringify(term)}], consider setting \`num_oov_indices=1\`.`);
      } else if (this.numOovIndices === 1) out[i] = oovStart;
      else out[i] = oovStart + (typeof term === "number" ? ((term % this.numOovIndices) + this.numOovIndices) % this.numOovIndices : hashBucketFast(term, this.numOovIndices));
    });
    return out;
  }

  /** The term of each index (the OOV token for unknown indices). */
  lookupTerms(indices: readonly number[]): T[] {
    const vocabulary = this.getVocabulary(true);
    return indices.map((i) => (this.maskToken !== null && i === 0 ? this.maskToken : (vocabulary[i] ?? (this.oovToken as T))));
  }

  /**
   * Looks up terms (nested arrays of strings / integers, or an integer tensor): int32 indices, or
   * their encoding in the other output modes; with `invert`, indices to a nested array of terms.
   */
  override apply<L extends Layer>(this: L, inputs: KerasTensor | readonly KerasTensor[], options?: CallOptions): SymbolicOutput<ReturnType<L["call"]>>;
  override apply<L extends Layer>(this: L, inputs: TensorLike | readonly Tensor[], options?: CallOptions): ReturnType<L["call"]>;
  override apply<L extends Layer>(this: L, inputs: LayerInputs | TensorLike | readonly Tensor[] | readonly KerasTensor[], options?: CallOptions): ReturnType<L["call"]> | SymbolicOutput<ReturnType<L["call"]>>;
  /** Terms as nested arrays: their indices as a Tensor (or encoding); with `invert`, indices to nested terms. */
  override apply(inputs: Nested<T> | Nested<number>, options?: CallOptions): any;
  override apply(inputs: unknown, options: CallOptions = {}): unknown {
    if (inputs instanceof KerasTensor || (Array.isArray(inputs) && inputs.some((t) => t instanceof KerasTensor))) return super.apply(inputs as KerasTensor, options);
    if (this.invert) {
      const { values, shape } = flatten(inputs, `${this.className()} layer '${this.name}'`, (v): v is number => typeof v === "number");
      return unflatten(this.lookupTerms(values), shape);
    }
    if (inputs instanceof Tensor) return super.apply(inputs, options);
    const { values, shape } = flatten(inputs, `${this.className()} layer '${this.name}'`, (v): v is T => this.isTerm(v));
    return this.encodeIndices(this.lookupIndices(values), shape);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const values = Array.from(x.dataSync() as ArrayLike<number>) as unknown[];
    if (!values.every((v) => this.isTerm(v))) throw new TypeError(`${this.className()} layer '${this.name}': the input tensor holds values that are not ${this.vocabularyDtype() === "string" ? "strings" : "integers"}`);
    return this.encodeIndices(this.lookupIndices(values as T[]), [...x.shape]);
  }

  /** Indices in the output mode: as they are ("int") or encoded over the vocabulary (-1 encodes to nothing). */
  encodeIndices(indices: Int32Array, shape: number[]): Tensor {
    const t = ops.reshape(ops.convertToTensor(indices), shape);
    if (this.outputMode === "int") return t;
    const depth = this.padToMaxTokens ? this.maxTokens! : this.frozenVocabSize;
    if (depth === null || this.tokens.length === 0) {
      throw new Error(
        `When using \`output_mode=${this.outputMode}\` and \`pad_to_max_tokens=False\`, you must set the layer's vocabulary before calling it. Either pass a \`vocabulary\` argument to the layer, or call \`adapt\` with some sample data.`,
      );
    }
    const encoded = encodeCategorical(t, this.outputMode === "tf_idf" ? "count" : this.outputMode, depth);
    if (this.outputMode !== "tf_idf") return encoded;
    if (this.idfWeights === null) throw new Error("When `output_mode` is `'tf_idf'`, `idf_weights` must be provided.");
    return ops.multiply(encoded, ops.convertToTensor(this.idfWeights));
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (this.outputMode === "int") return shape;
    return [shape[0], this.padToMaxTokens ? this.maxTokens : this.frozenVocabSize];
  }

  protected override outputDType(inputDType: DType): DType {
    void inputDType;
    return this.outputMode === "int" ? "int32" : "float32";
  }

  /** Keras's `save_assets`: an adapted vocabulary as `vocabulary.txt`, one term per line. */
  saveAssets(): Record<string, string> | null {
    if (this.inputVocabulary !== null) return null;
    return { "vocabulary.txt": this.getVocabulary(true).map(String).join("\n") };
  }

  /** Keras's `load_assets`. */
  loadAssets(files: Record<string, Uint8Array>): void {
    if (this.inputVocabulary !== null) return;
    const file = files["vocabulary.txt"];
    if (file === undefined) throw new Error(`${this.className()} layer '${this.name}': the vocabulary asset (vocabulary.txt) is missing from the file`);
    const lines = new TextDecoder().decode(file).split("\n");
    const terms = lines.map((line) => this.parseTerm(line));
    this.frozenVocabSize = null;
    if (this.outputMode === "tf_idf") {
      // Keras reloads the terms only; the IDF weights come back from the weights file.
      this.setTokens(terms.slice(this.tokenStartIndex()));
    } else {
      this.setVocabulary(terms);
    }
  }

  /** The IDF weights are the one variable-like state ("tf_idf" mode), saved with the weights in Keras. */
  getIdfWeights(): Float32Array | null {
    return this.idfWeights === null ? null : this.idfWeights.slice();
  }

  protected lookupConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      invert: this.invert,
      max_tokens: this.maxTokens,
      num_oov_indices: this.numOovIndices,
      oov_token: this.oovToken,
      mask_token: this.maskToken,
      output_mode: this.outputMode,
      sparse: this.sparse,
      pad_to_max_tokens: this.padToMaxTokens,
      vocabulary_dtype: this.vocabularyDtype(),
      idf_weights: this.inputIdfWeights,
      vocabulary: this.inputVocabulary,
      vocabulary_size: this.frozenVocabSize,
    };
  }
}
