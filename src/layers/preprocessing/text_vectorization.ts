import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { DType } from "../../backend/dtypes.js";
import { KerasTensor } from "../../backend/keras_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import type { TensorLike } from "../../ops/core.js";
import { Layer, camelizeConfig, type CallOptions, type LayerArgs, type LayerInputs, type LayerShape, type SymbolicOutput } from "../layer.js";
import { flatten, isString, type Nested } from "./categorical_inputs.js";
import type { LookupOutputMode } from "./index_lookup.js";
import { StringLookup } from "./string_lookup.js";

export type Standardize = "lower_and_strip_punctuation" | "lower" | "strip_punctuation" | ((text: string) => string) | null;
export type Split = "whitespace" | "character" | ((text: string) => string[]) | null;

export interface TextVectorizationArgs extends LayerArgs {
  /** Vocabulary size, padding and OOV tokens included (default: unlimited). */
  maxTokens?: number | null;
  /** Default "lower_and_strip_punctuation". */
  standardize?: Standardize;
  /** Default "whitespace". */
  split?: Split;
  /** n-grams of the tokens: up to n (a number) or the widths listed. */
  ngrams?: number | readonly number[] | null;
  /** "int" (default): token indices; "multi_hot", "count", "tf_idf", "one_hot": vectors over the vocabulary. */
  outputMode?: LookupOutputMode | "binary" | "tf-idf";
  /** With "int": pad or cut every sequence to this length (default: the longest in the batch). */
  outputSequenceLength?: number | null;
  padToMaxTokens?: boolean;
  vocabulary?: readonly string[] | null;
  idfWeights?: readonly number[] | null;
  /** Accepted for Keras compatibility; only dense outputs exist here (true is an error). */
  sparse?: boolean;
  /** Accepted for Keras compatibility; only padded outputs exist here (true is an error). */
  ragged?: boolean;
  encoding?: string;
  /** Keras's frozen vocabulary size, written in configs. */
  vocabularySize?: number | null;
}

// Keras's punctuation class: !"#$%&()*+,-./:;<=>?@[\]^_`{|}~'
const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;

/** TensorFlow's `strings.lower` (ASCII letters only, as Keras calls it). */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * Keras's `TextVectorization`: turns raw strings into token indices (or multi-hot, count, tf-idf
 * vectors). Each string is standardized (lowercased, punctuation stripped), split into tokens
 * (on whitespace), optionally into n-grams, and looked up in a vocabulary learned by `adapt()`
 * (most frequent first; index 0 is padding, 1 the OOV token "[UNK]").
 *
 *   const vectorize = new TextVectorization({ maxTokens: 20000, outputSequenceLength: 200 });
 *   vectorize.adapt(texts);            // texts: string[]
 *   const ids = vectorize.apply(texts); // int32 [texts.length, 200]
 *
 * Its config and its adapted vocabulary are saved in `.keras` files as Keras saves them (the
 * vocabulary as the asset `vocabulary.txt` of its inner StringLookup).
 */
export class TextVectorization extends Layer {
  static override className = "TextVectorization";
  readonly standardize: Standardize;
  readonly split: Split;
  readonly ngrams: number | number[] | null;
  private readonly ngramWidths: number[] | null;
  readonly outputMode: LookupOutputMode;
  readonly outputSequenceLength: number | null;
  readonly ragged: boolean;
  readonly encoding: string;
  /** The vocabulary; named as Keras's attribute, which names its asset path in `.keras` files. */
  readonly _lookupLayer: StringLookup;

  constructor(args: TextVectorizationArgs = {}) {
    const {
      maxTokens, standardize, split, ngrams, outputMode, outputSequenceLength, padToMaxTokens, vocabulary, idfWeights, sparse, ragged, encoding, vocabularySize, ...rest
    } = args;
    super(rest);
    const standardizeValue = standardize === undefined ? "lower_and_strip_punctuation" : standardize;
    if (standardizeValue !== null && typeof standardizeValue !== "function" && !["lower_and_strip_punctuation", "lower", "strip_punctuation"].includes(standardizeValue)) {
      throw new Error(`The \`standardize\` argument of TextVectorization must be one of 'lower_and_strip_punctuation', 'lower', 'strip_punctuation', None or a callable. Received: standardize=${JSON.stringify(standardize)}`);
    }
    const splitValue = split === undefined ? "whitespace" : split;
    if (splitValue !== null && typeof splitValue !== "function" && !["whitespace", "character"].includes(splitValue)) {
      throw new Error(`The \`split\` argument of TextVectorization must be one of 'whitespace', 'character', None or a callable. Received: split=${JSON.stringify(split)}`);
    }
    const mode = outputMode === "binary" ? "multi_hot" : outputMode === "tf-idf" ? "tf_idf" : (outputMode ?? "int");
    if (ngrams !== null && ngrams !== undefined && !(Number.isInteger(ngrams) || (Array.isArray(ngrams) && ngrams.every((n) => Number.isInteger(n))))) {
      throw new Error(`\`ngrams\` must be None, an integer, or a tuple of integers. Received: ngrams=${JSON.stringify(ngrams)}`);
    }
    const length = outputSequenceLength ?? null;
    if (mode === "int" && length !== null && !Number.isInteger(length)) {
      throw new Error(`\`output_sequence_length\` must be either None or an integer when \`output_mode\` is 'int'. Received: output_sequence_length=${String(length)}`);
    }
    if (mode !== "int" && length !== null) {
      throw new Error(`\`output_sequence_length\` must not be set if \`output_mode\` is not 'int'. Received output_sequence_length=${length}.`);
    }
    if (ragged) throw new Error(`TextVectorization layer '${this.name}': ragged outputs are not supported by keras-ts (sequences are padded; set outputSequenceLength)`);
    this.standardize = standardizeValue;
    this.split = splitValue;
    this.ngrams = ngrams === undefined || ngrams === null ? null : typeof ngrams === "number" ? ngrams : [...ngrams];
    this.ngramWidths = this.ngrams === null ? null : typeof this.ngrams === "number" ? Array.from({ length: this.ngrams }, (_, i) => i + 1) : this.ngrams;
    this.outputMode = mode;
    this.outputSequenceLength = length;
    this.ragged = false;
    this.encoding = encoding ?? "utf-8";
    this._lookupLayer = new StringLookup({
      maxTokens, vocabulary, idfWeights, padToMaxTokens, maskToken: "", outputMode: mode, sparse, encoding, vocabularySize,
      hasInputVocabulary: vocabulary !== null && vocabulary !== undefined,
    });
    this.built = true;
  }

  /** Standardizes and splits one string into its tokens (and n-grams). */
  tokenize(text: string): string[] {
    let s = text;
    if (this.standardize === "lower" || this.standardize === "lower_and_strip_punctuation") s = lowerAscii(s);
    if (this.standardize === "strip_punctuation" || this.standardize === "lower_and_strip_punctuation") s = s.replace(PUNCTUATION, "");
    if (typeof this.standardize === "function") s = this.standardize(s);
    let tokens: string[];
    if (this.split === null) tokens = [s];
    else if (this.split === "whitespace") tokens = s.split(/\s+/).filter((t) => t.length > 0);
    else if (this.split === "character") tokens = Array.from(s);
    else tokens = this.split(s);
    if (this.ngramWidths === null) return tokens;
    const grams: string[] = [];
    for (const width of this.ngramWidths) {
      for (let i = 0; i + width <= tokens.length; i++) grams.push(tokens.slice(i, i + width).join(" "));
    }
    return grams;
  }

  /** The strings of an input: a string, an array of strings, or [n, 1] nested arrays. */
  private texts(inputs: unknown): string[] {
    if (typeof inputs === "string") return [inputs];
    const { values, shape } = flatten(inputs, `TextVectorization layer '${this.name}'`, isString);
    if (this.split !== null && shape.length > 1 && shape[shape.length - 1] !== 1) {
      throw new Error(`When using \`TextVectorization\` to tokenize strings, the input rank must be 1 or the last shape dimension must be 1. Received: inputs.shape=[${shape.join(", ")}] with rank=${shape.length}`);
    }
    return values;
  }

  /** Learns the vocabulary (and document frequencies for "tf_idf") from texts. */
  adapt(data: Nested<string>): void {
    const lookup = this._lookupLayer;
    lookup.resetState();
    lookup.updateState(this.texts(data).map((t) => this.tokenize(t)));
    lookup.finalizeState();
  }

  getVocabulary(includeSpecialTokens = true): string[] {
    return this._lookupLayer.getVocabulary(includeSpecialTokens);
  }

  vocabularySize(): number {
    return this._lookupLayer.vocabularySize();
  }

  setVocabulary(vocabulary: readonly string[], idfWeights: readonly number[] | null = null): void {
    this._lookupLayer.setVocabulary(vocabulary, idfWeights);
  }

  /** Vectorizes strings: int32 [batch, length] indices ("int"), or float32 [batch, vocabulary] vectors. */
  override apply<L extends Layer>(this: L, inputs: KerasTensor | readonly KerasTensor[], options?: CallOptions): SymbolicOutput<ReturnType<L["call"]>>;
  override apply<L extends Layer>(this: L, inputs: TensorLike | readonly Tensor[], options?: CallOptions): ReturnType<L["call"]>;
  override apply<L extends Layer>(this: L, inputs: LayerInputs | TensorLike | readonly Tensor[] | readonly KerasTensor[], options?: CallOptions): ReturnType<L["call"]> | SymbolicOutput<ReturnType<L["call"]>>;
  /** Strings (a string, an array of strings, or [n, 1] nested arrays): their vectors. */
  override apply(inputs: Nested<string>, options?: CallOptions): Tensor;
  override apply(inputs: unknown, options: CallOptions = {}): unknown {
    if (inputs instanceof KerasTensor) return super.apply(inputs, options);
    if (inputs instanceof Tensor) throw new TypeError(`TextVectorization layer '${this.name}' takes strings (an array of strings), not a ${inputs.dtype} tensor`);
    const rows = this.texts(inputs).map((t) => this._lookupLayer.lookupIndices(this.tokenize(t)));
    const longest = Math.max(0, ...rows.map((r) => r.length));
    if (this.outputMode === "int") {
      const length = this.outputSequenceLength ?? longest;
      const out = new Int32Array(rows.length * length);
      rows.forEach((r, i) => out.set(r.subarray(0, length), i * length));
      return ops.reshape(ops.convertToTensor(out), [rows.length, length]);
    }
    if (this.outputMode === "one_hot" && longest > 1) {
      throw new Error(`TextVectorization layer '${this.name}': output_mode "one_hot" needs one token per string (split=null); a string here has ${longest}`);
    }
    // Ragged rows padded with -1, which encodes to nothing.
    const padded = new Int32Array(rows.length * longest).fill(-1);
    rows.forEach((r, i) => padded.set(r, i * longest));
    return this._lookupLayer.encodeIndices(padded, [rows.length, longest]);
  }

  override call(): Tensor {
    throw new Error(`TextVectorization layer '${this.name}' takes strings: call apply(texts) with an array of strings`);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (this.outputMode === "int") return [shape[0], this.outputSequenceLength];
    return [shape[0], this._lookupLayer.padToMaxTokens ? this._lookupLayer.maxTokens : this.vocabularySize()];
  }

  protected override outputDType(inputDType: DType): DType {
    void inputDType;
    return this.outputMode === "int" ? "int32" : "float32";
  }

  override getConfig(): Record<string, unknown> {
    if (typeof this.standardize === "function" || typeof this.split === "function") {
      throw new Error(`TextVectorization layer '${this.name}': a custom standardize or split function cannot be written to a config`);
    }
    const lookup = this._lookupLayer;
    return {
      ...super.getConfig(),
      max_tokens: lookup.maxTokens,
      standardize: this.standardize,
      split: this.split,
      ngrams: this.ngrams,
      output_mode: this.outputMode,
      output_sequence_length: this.outputSequenceLength,
      pad_to_max_tokens: lookup.padToMaxTokens,
      sparse: lookup.sparse,
      ragged: this.ragged,
      vocabulary: lookup.inputVocabulary,
      idf_weights: lookup.inputIdfWeights,
      encoding: this.encoding,
      vocabulary_size: this.vocabularySize(),
    };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    return new this(camelizeConfig(config));
  }
}
