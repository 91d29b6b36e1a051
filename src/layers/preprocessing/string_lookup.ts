import { camelizeConfig, type Layer } from "../layer.js";
import { IndexLookup, type IndexLookupArgs } from "./index_lookup.js";

export interface StringLookupArgs extends IndexLookupArgs<string> {
  /** Accepted for Keras compatibility: JavaScript strings are Unicode already ("utf-8" only). */
  encoding?: string;
}

/**
 * Keras's `StringLookup`: strings to integer indices through a vocabulary (OOV token "[UNK]" at
 * index 1 after an optional mask token, or index 0 without one). Takes nested arrays of strings.
 */
export class StringLookup extends IndexLookup<string> {
  static override className = "StringLookup";
  readonly encoding: string;

  constructor(args: StringLookupArgs = {}) {
    const { encoding, ...rest } = args;
    super(rest, { maskToken: null, oovToken: "[UNK]" });
    if (encoding !== undefined && encoding.toLowerCase().replace("-", "") !== "utf8") {
      throw new Error(`StringLookup layer '${this.name}': only the "utf-8" encoding is supported, got ${JSON.stringify(encoding)}`);
    }
    this.encoding = encoding ?? "utf-8";
  }

  protected vocabularyDtype(): "string" {
    return "string";
  }

  protected isTerm(value: unknown): value is string {
    return typeof value === "string";
  }

  protected parseTerm(line: string): string {
    return line;
  }

  override getConfig(): Record<string, unknown> {
    const { vocabulary_dtype: _dtype, ...config } = this.lookupConfig();
    void _dtype;
    return { ...config, encoding: this.encoding };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    return new this(camelizeConfig(config));
  }
}
