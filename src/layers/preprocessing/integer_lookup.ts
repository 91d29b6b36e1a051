import { camelizeConfig, type Layer } from "../layer.js";
import { IndexLookup, type IndexLookupArgs } from "./index_lookup.js";

export interface IntegerLookupArgs extends IndexLookupArgs<number> {
  /** Only "int64" (Keras's only choice): the terms are integers. */
  vocabularyDtype?: "int64";
}

/**
 * Keras's `IntegerLookup`: integer terms (e.g. ids) to contiguous indices through a vocabulary
 * (OOV token -1). Takes nested arrays of integers or an integer tensor.
 */
export class IntegerLookup extends IndexLookup<number> {
  static override className = "IntegerLookup";

  constructor(args: IntegerLookupArgs = {}) {
    const { vocabularyDtype, ...rest } = args;
    if (vocabularyDtype !== undefined && vocabularyDtype !== "int64") {
      throw new Error(`Only \`vocabulary_dtype='int64'\` is supported at this time. Received: vocabulary_dtype=${String(vocabularyDtype)}`);
    }
    if (rest.maxTokens !== null && rest.maxTokens !== undefined && rest.maxTokens <= 1) {
      throw new Error(`If \`max_tokens\` is set for \`IntegerLookup\`, it must be greater than 1. Received: max_tokens=${rest.maxTokens}`);
    }
    super(rest, { maskToken: null, oovToken: -1 });
  }

  protected vocabularyDtype(): "int64" {
    return "int64";
  }

  protected isTerm(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value);
  }

  protected parseTerm(line: string): number {
    const value = Number(line);
    if (!Number.isInteger(value)) throw new Error(`IntegerLookup layer '${this.name}': vocabulary asset line ${JSON.stringify(line)} is not an integer`);
    return value;
  }

  override getConfig(): Record<string, unknown> {
    return this.lookupConfig();
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    return new this(camelizeConfig(config));
  }
}
