import { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import * as initializers from "../../initializers/index.js";
import { Layer, type CallOptions, type LayerShape } from "../layer.js";
import { batchNormalizationTraining } from "../../ops/batch_normalization.js";
import { normalizeAxis } from "../../ops/helpers.js";
import { WeightOptions, weightOptionsConfig } from "../weight_options.js";
import type { ScaleCenterArgs } from "./layer_normalization.js";

export interface BatchNormalizationArgs extends ScaleCenterArgs {
  /** The feature (channel) axis, normalized per entry. Default -1. */
  axis?: number;
  /** Weight of the old value in the moving statistics' update. Default 0.99. */
  momentum?: number;
  movingMeanInitializer?: initializers.InitializerIdentifier;
  movingVarianceInitializer?: initializers.InitializerIdentifier;
  /** Cross-replica statistics; only false (Keras allows true on TensorFlow only). */
  synchronized?: boolean;
  /** Batch renormalization (newer Keras configs carry it); only false. */
  renorm?: boolean;
}

/**
 * Normalizes each feature with the batch's mean and variance during training, and with moving
 * averages of them at inference: `(x - mean) / sqrt(variance + epsilon) * gamma + beta`. Each
 * training call updates `moving = moving * momentum + batch * (1 - momentum)`. The moving
 * statistics are non-trainable weights. A layer set `trainable = false` runs in inference mode
 * (as Keras 3 does, for fine-tuning).
 * Keras: `keras.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True, ...)`.
 */
export class BatchNormalization extends Layer {
  static override className = "BatchNormalization";
  override supportsMasking = true;
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaOptions: WeightOptions;
  readonly gammaOptions: WeightOptions;
  readonly movingMeanInitializer: initializers.Initializer;
  readonly movingVarianceInitializer: initializers.Initializer;
  readonly synchronized = false;
  gamma?: Variable;
  beta?: Variable;
  movingMean?: Variable;
  movingVariance?: Variable;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    const owner = `BatchNormalization layer '${this.name}'`;
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new TypeError(`${owner}: axis must be an integer, got ${JSON.stringify(args.axis)}`);
    this.axis = axis;
    if (args.synchronized === true) throw new Error(`${owner}: argument synchronized=True is only supported with the TensorFlow backend`);
    if (args.renorm === true) throw new Error(`${owner}: batch renormalization (renorm=True) is not supported by keras-ts`);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    if (typeof this.momentum !== "number" || !Number.isFinite(this.momentum)) throw new TypeError(`${owner}: momentum must be a number, got ${JSON.stringify(args.momentum)}`);
    if (typeof this.epsilon !== "number" || !(this.epsilon >= 0)) throw new RangeError(`${owner}: epsilon must be a number >= 0, got ${JSON.stringify(args.epsilon)}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.betaOptions = new WeightOptions(args.betaInitializer, "zeros", args.betaRegularizer, args.betaConstraint);
    this.gammaOptions = new WeightOptions(args.gammaInitializer, "ones", args.gammaRegularizer, args.gammaConstraint);
    this.movingMeanInitializer = initializers.get(args.movingMeanInitializer ?? "zeros");
    this.movingVarianceInitializer = initializers.get(args.movingVarianceInitializer ?? "ones");
  }

  private featureAxis(rank: number): number {
    return normalizeAxis(this.axis, rank, `BatchNormalization layer '${this.name}'`);
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const dim = shape[this.featureAxis(shape.length)];
    if (dim === null) {
      throw new Error(`BatchNormalization layer '${this.name}': axis ${this.axis} of the input must have a known size, got input shape ${formatSymbolicShape(shape)}`);
    }
    if (this.scale) this.gamma = this.gammaOptions.addTo(this, "gamma", [dim]);
    if (this.center) this.beta = this.betaOptions.addTo(this, "beta", [dim]);
    this.movingMean = this.addWeight({ name: "moving_mean", shape: [dim], initializer: this.movingMeanInitializer, trainable: false });
    this.movingVariance = this.addWeight({ name: "moving_variance", shape: [dim], initializer: this.movingVarianceInitializer, trainable: false });
    this.inputSpec = { ndim: shape.length, axes: { [this.axis]: dim } };
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = ops.cast(inputs as Tensor, "float32");
    const axis = this.featureAxis(x.rank);
    const mask = options.mask instanceof Tensor ? options.mask : null;
    if (mask !== null && mask.rank !== x.rank - 1) {
      throw new Error(`BatchNormalization layer '${this.name}': the mask provided should be one dimension less than the inputs. Received: mask.shape=${formatSymbolicShape(mask.shape)}, inputs.shape=${formatSymbolicShape(x.shape)}`);
    }
    const gamma = this.gamma?.value ?? null;
    const beta = this.beta?.value ?? null;
    if (options.training !== true || !this.trainable) {
      return ops.batchNormalization(x, this.movingMean!.value, this.movingVariance!.value, axis, beta, gamma, this.epsilon);
    }
    let output: Tensor;
    let mean: Tensor;
    let variance: Tensor;
    if (mask === null) {
      ({ output, mean, variance } = batchNormalizationTraining(x, axis, gamma, beta, this.epsilon));
    } else {
      [mean, variance] = this.maskedMoments(x, axis, mask);
      output = ops.batchNormalization(x, mean, variance, axis, beta, gamma, this.epsilon);
    }
    const m = this.momentum;
    this.movingMean!.assign(ops.add(ops.multiply(this.movingMean!.value, m), ops.multiply(ops.stopGradient(mean), 1 - m)));
    this.movingVariance!.assign(ops.add(ops.multiply(this.movingVariance!.value, m), ops.multiply(ops.stopGradient(variance), 1 - m)));
    return output;
  }

  /** Mean and (biased) variance per feature over the batch, counting only unmasked positions (as Keras). */
  private maskedMoments(x: Tensor, axis: number, mask: Tensor): [Tensor, Tensor] {
    const reductionAxes = Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis);
    const weights = ops.broadcastTo(ops.expandDims(ops.cast(mask, "float32"), -1), x.shape);
    const count = ops.add(ops.sum(weights, reductionAxes, true), 1e-7);
    const mean = ops.divide(ops.sum(ops.multiply(x, weights), reductionAxes, true), count);
    const variance = ops.divide(ops.sum(ops.multiply(ops.square(ops.subtract(x, mean)), weights), reductionAxes, true), count);
    return [ops.squeeze(mean, reductionAxes), ops.squeeze(variance, reductionAxes)];
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    this.featureAxis((inputShape as SymbolicShape).length);
    return inputShape as SymbolicShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...weightOptionsConfig({ beta: this.betaOptions, gamma: this.gammaOptions, moving_mean: this.movingMeanInitializer, moving_variance: this.movingVarianceInitializer }),
      synchronized: this.synchronized,
    };
  }
}
