import { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";
import { batchNormalizationTraining } from "../../ops/batch_normalization.js";

export interface BatchNormalizationArgs extends LayerArgs {
  /** The feature (channel) axis, normalized per entry. Default -1. */
  axis?: number;
  /** Weight of the old value in the moving statistics' update. Default 0.99. */
  momentum?: number;
  /** Added to the variance. Default 1e-3. */
  epsilon?: number;
  /** Add the learned offset beta. Default true. */
  center?: boolean;
  /** Multiply by the learned scale gamma. Default true. */
  scale?: boolean;
  betaInitializer?: initializers.InitializerIdentifier;
  gammaInitializer?: initializers.InitializerIdentifier;
  movingMeanInitializer?: initializers.InitializerIdentifier;
  movingVarianceInitializer?: initializers.InitializerIdentifier;
  betaRegularizer?: regularizers.RegularizerIdentifier;
  gammaRegularizer?: regularizers.RegularizerIdentifier;
  betaConstraint?: constraints.ConstraintIdentifier;
  gammaConstraint?: constraints.ConstraintIdentifier;
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
  readonly betaInitializer: initializers.Initializer;
  readonly gammaInitializer: initializers.Initializer;
  readonly movingMeanInitializer: initializers.Initializer;
  readonly movingVarianceInitializer: initializers.Initializer;
  readonly betaRegularizer: regularizers.Regularizer | null;
  readonly gammaRegularizer: regularizers.Regularizer | null;
  readonly betaConstraint: constraints.Constraint | null;
  readonly gammaConstraint: constraints.Constraint | null;
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
    this.betaInitializer = initializers.get(args.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(args.gammaInitializer ?? "ones");
    this.movingMeanInitializer = initializers.get(args.movingMeanInitializer ?? "zeros");
    this.movingVarianceInitializer = initializers.get(args.movingVarianceInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(args.betaRegularizer);
    this.gammaRegularizer = regularizers.get(args.gammaRegularizer);
    this.betaConstraint = constraints.get(args.betaConstraint);
    this.gammaConstraint = constraints.get(args.gammaConstraint);
  }

  private featureAxis(rank: number): number {
    if (this.axis >= rank || this.axis < -rank) {
      throw new RangeError(`BatchNormalization layer '${this.name}': axis ${this.axis} is out of bounds for inputs of rank ${rank}`);
    }
    return this.axis < 0 ? this.axis + rank : this.axis;
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const dim = shape[this.featureAxis(shape.length)];
    if (dim === null) {
      throw new Error(`BatchNormalization layer '${this.name}': axis ${this.axis} of the input must have a known size, got input shape ${formatSymbolicShape(shape)}`);
    }
    if (this.scale) this.gamma = this.addWeight({ name: "gamma", shape: [dim], initializer: this.gammaInitializer, regularizer: this.gammaRegularizer, constraint: this.gammaConstraint });
    if (this.center) this.beta = this.addWeight({ name: "beta", shape: [dim], initializer: this.betaInitializer, regularizer: this.betaRegularizer, constraint: this.betaConstraint });
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
      beta_initializer: initializers.serialize(this.betaInitializer),
      gamma_initializer: initializers.serialize(this.gammaInitializer),
      moving_mean_initializer: initializers.serialize(this.movingMeanInitializer),
      moving_variance_initializer: initializers.serialize(this.movingVarianceInitializer),
      beta_regularizer: regularizers.serialize(this.betaRegularizer),
      gamma_regularizer: regularizers.serialize(this.gammaRegularizer),
      beta_constraint: constraints.serialize(this.betaConstraint),
      gamma_constraint: constraints.serialize(this.gammaConstraint),
      synchronized: this.synchronized,
    };
  }
}
