import type { Tensor } from "../../backend/tensor.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

/** The function a Lambda wraps: inputs (a tensor or a list) to output(s). */
export type LambdaFunction<Output extends Tensor | Tensor[] = Tensor | Tensor[]> = (inputs: any, args?: any) => Output;

export interface LambdaArgs extends LayerArgs {
  /**
   * The output shape, when it cannot be inferred by running the function on zeros: an array
   * without the batch axis (the input's batch axis is prepended), or a function of the full input
   * shape returning the full output shape.
   */
  outputShape?: readonly (number | null)[] | ((inputShape: LayerShape) => LayerShape) | null;
  /** Extra arguments passed to the function as its second argument. */
  arguments?: Record<string, unknown> | null;
}

/**
 * Wraps a TypeScript function as a layer: `new Lambda((x) => ops.square(x))`.
 * Keras: `keras.layers.Lambda(function, output_shape=None, mask=None, arguments=None)`.
 *
 * A Lambda cannot be saved: Keras stores Python bytecode, and a JavaScript function has no
 * portable form, so `getConfig` throws. Write a Layer subclass for anything you need to save.
 */
export class Lambda<Output extends Tensor | Tensor[] = Tensor | Tensor[]> extends Layer {
  static override className = "Lambda";
  override supportsMasking = true;
  readonly function: LambdaFunction<Output>;
  readonly outputShape: LambdaArgs["outputShape"];
  readonly arguments: Record<string, unknown> | null;

  constructor(fn: LambdaFunction<Output>, args?: LambdaArgs);
  constructor(args: LambdaArgs & { function: LambdaFunction<Output> });
  constructor(fnOrArgs: LambdaFunction<Output> | (LambdaArgs & { function?: unknown }), maybeArgs: LambdaArgs = {}) {
    const args: LambdaArgs & { function?: unknown } = typeof fnOrArgs === "function" ? { ...maybeArgs, function: fnOrArgs } : fnOrArgs;
    super(args);
    if (typeof args.function !== "function") {
      throw new TypeError(
        `Lambda layer '${this.name}': \`function\` must be a JavaScript function, got ${JSON.stringify(args.function) ?? typeof args.function}. ` +
          "A Lambda saved by Python Keras (its function is Python bytecode) cannot be loaded; write a custom layer instead",
      );
    }
    this.function = args.function as LambdaFunction<Output>;
    this.outputShape = args.outputShape ?? null;
    this.arguments = args.arguments ?? null;
  }

  override call(inputs: Tensor | Tensor[]): Output {
    return this.arguments === null ? this.function(inputs) : this.function(inputs, { ...this.arguments });
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const given = this.outputShape;
    if (given === null || given === undefined) {
      try {
        return super.computeOutputShape(inputShape);
      } catch (e) {
        throw new Error(
          `Lambda layer '${this.name}': could not infer the output shape by running the function (${(e as Error).message}). Pass the \`outputShape\` option.`,
        );
      }
    }
    if (typeof given === "function") return given(inputShape);
    const first = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    return [first[0] ?? null, ...given];
  }

  override getConfig(): Record<string, unknown> {
    throw new Error(
      `Lambda layer '${this.name}': a Lambda wrapping a TypeScript function cannot be saved (JavaScript functions have no portable serialized form); write a custom layer with a getConfig instead`,
    );
  }
}
