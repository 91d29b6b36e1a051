import { readback } from "../backend/backend.js";
import { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { valueAndGrad } from "../autodiff/grad.js";
import { GradientBuffers } from "../autodiff/gradient_buffers.js";
import { withoutRecording } from "../autodiff/tape.js";
import { Layer, type CallOptions } from "../layers/layer.js";
import * as optimizers from "../optimizers/index.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { Mean } from "../metrics/reduction_metrics.js";
import { Metric } from "../metrics/metric.js";
import { Callback, type Logs } from "../callbacks/callback.js";
import { CallbackList } from "../callbacks/callback_list.js";
import { History } from "../callbacks/history.js";
import { ProgbarLogger } from "../callbacks/progbar_logger.js";
import { warn } from "../callbacks/callback_utils.js";
import { CompiledLoss, CompiledMetrics, flattenByOutput, type LossIdentifier, type MetricIdentifier, type PerOutput } from "./compile_utils.js";
import { Structure, trainValidationSplit } from "./data_adapters/array_slicing.js";
import {
  checkDataCardinality,
  classWeightToSampleWeights,
  flattenStructure,
  packXYSampleWeight,
  toTensorStructure,
  unpackXYSampleWeight,
  type DataStructure,
  type StepData,
  type TensorStructure,
} from "./data_adapters/data_adapter_utils.js";
import { DataAdapter } from "./data_adapters/data_adapter.js";
import { ArrayDataAdapter } from "./data_adapters/array_data_adapter.js";
import { getDataAdapter, isDataset, type InputData } from "./data_adapters/index.js";
import { GeneratorDataAdapter, type BatchSource } from "./data_adapters/generator_data_adapter.js";
import type { PyDataset } from "./data_adapters/py_dataset_adapter.js";
import { EpochIterator, ranOutOfData } from "./epoch_iterator.js";
import { collectGarbage } from "../utils/memory.js";
import { platform } from "../platform/platform.js";

export type { StepData, TensorStructure, DataStructure } from "./data_adapters/data_adapter_utils.js";
export type { InputData } from "./data_adapters/index.js";

export interface CompileArgs {
  /** An optimizer instance or name; Keras's default is "rmsprop". */
  optimizer?: string | Optimizer;
  loss?: PerOutput<LossIdentifier>;
  lossWeights?: PerOutput<number>;
  metrics?: PerOutput<MetricIdentifier | MetricIdentifier[]>;
  weightedMetrics?: PerOutput<MetricIdentifier | MetricIdentifier[]>;
  /** Accepted for Keras compatibility; keras-ts always runs eagerly. */
  runEagerly?: boolean;
  jitCompile?: boolean | "auto";
  steps_per_execution?: number;
}

export type Verbose = "auto" | 0 | 1 | 2;

/** Data given to `fit` / `evaluate` for validation: `[x, y]`, `[x, y, sampleWeight]`, or a generator or dataset of batches. */
export type ValidationData = [DataStructure, DataStructure] | [DataStructure, DataStructure, DataStructure] | BatchSource | PyDataset | DataAdapter;

export interface FitArgs {
  batchSize?: number;
  epochs?: number;
  verbose?: Verbose;
  callbacks?: Callback[];
  validationSplit?: number;
  validationData?: ValidationData;
  shuffle?: boolean;
  classWeight?: Record<number, number>;
  sampleWeight?: DataStructure;
  initialEpoch?: number;
  /** Batches per epoch; with it, an endless generator feeds every epoch (see README, "Feeding fit"). */
  stepsPerEpoch?: number;
  validationSteps?: number;
  validationBatchSize?: number;
  validationFreq?: number;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: Verbose;
  sampleWeight?: DataStructure;
  steps?: number;
  callbacks?: Callback[];
  returnDict?: boolean;
}

export interface TestOnBatchArgs {
  sampleWeight?: DataStructure;
  returnDict?: boolean;
}

export interface TrainOnBatchArgs extends TestOnBatchArgs {
  classWeight?: Record<number, number>;
}

export interface PredictArgs {
  batchSize?: number;
  verbose?: Verbose;
  steps?: number;
  callbacks?: Callback[];
}

/** A value in the logs a step returns: a number or a one-element tensor. */
export type LogValue = number | Tensor;

/**
 * What `trainStep` and `testStep` return (Keras's logs): metric results by name, such as
 * `{ loss: ..., accuracy: ... }`. A value may be an object of results (a container metric's, like
 * `compile_metrics`), which the logs given to callbacks flatten.
 */
export type StepLogs = Record<string, LogValue | Record<string, LogValue>>;

/** The result of a metric in `model.metrics`: a tensor, or an object of them for `compile_metrics`. */
export type MetricResult = Tensor | Record<string, Tensor>;

/** The arguments of `computeLoss`, as Keras's `compute_loss(x, y, y_pred, sample_weight, training)`. */
export interface ComputeLossArgs {
  x?: TensorStructure;
  y?: TensorStructure;
  yPred: TensorStructure;
  sampleWeight?: TensorStructure;
  training?: boolean;
}

/** What `compile` sets up; kept in one object so that `metrics` does not take it for the user's own metrics. */
interface CompileState {
  loss?: CompiledLoss;
  metrics?: CompiledMetrics;
  lossTracker: Mean;
  outputNames: string[];
}

/** What the loops list once per epoch rather than at every step. */
interface StepCache {
  variables?: Variable[];
  layers?: Layer[];
  metrics?: Metric<MetricResult>[];
}

/**
 * Lets the event loop turn once. The training loop otherwise never does during an epoch (it awaits
 * only settled promises), and V8 finishes a full garbage collection in a task of its own: without
 * this, the memory of data prepared before `fit` and of the previous epoch's garbage is returned
 * late, and the peak memory of a run grows by tens of MB.
 */
function yieldToEventLoop(): Promise<void> {
  return platform().nextTask();
}

function resolveVerbose(verbose: Verbose | undefined): number {
  return verbose === undefined || verbose === "auto" ? 1 : verbose;
}

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

function checkHasSamples(adapter: DataAdapter, name: string): void {
  if (adapter instanceof ArrayDataAdapter) adapter.checkHasSamples(name);
}

function checkNonNegativeInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/** A plain options object (`{ epochs: 3 }`), as opposed to data. */
function isOptionsObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !(value instanceof Tensor) && Object.getPrototypeOf(value) === Object.prototype;
}

/** `fit(dataset, { epochs })` as well as `fit(x, y, { epochs })`: with a dataset there is no `y`, so a second argument of options is the options. */
function dataAndOptions<A>(x: unknown, y: unknown, args: A | undefined): [DataStructure | undefined, A] {
  if (args === undefined && isDataset(x) && isOptionsObject(y)) return [undefined, y as A];
  return [y as DataStructure | undefined, args ?? ({} as A)];
}

/** Keras's `pythonify_logs`: the logs as plain numbers, objects of results flattened, keys sorted. */
export function pythonifyLogs(logs: StepLogs): Logs {
  const out: Logs = {};
  for (const key of Object.keys(logs).sort()) {
    const value = logs[key];
    if (typeof value === "number") out[key] = value;
    else if (value instanceof Tensor) out[key] = scalarOf(value, key);
    else if (typeof value === "object" && value !== null) Object.assign(out, pythonifyLogs(value));
    else throw new TypeError(`The logs of a step must hold numbers or one-element tensors; '${key}' is ${typeof value}`);
  }
  return out;
}

function scalarOf(value: Tensor, key: string): number {
  if (value.size !== 1) throw new TypeError(`The logs of a step must hold numbers or one-element tensors; '${key}' is a tensor of shape [${value.shape.join(", ")}]`);
  return value.item();
}

function sameKeys(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = new Set(Object.keys(b));
  return ka.length === kb.size && ka.every((k) => kb.has(k));
}

function batchSizeOf(x: TensorStructure): number {
  return flattenStructure(x)[0]?.shape[0] ?? 0;
}

/** The error for data that gave no batch at all. */
function noBatchesError(caller: string, adapter: DataAdapter): Error {
  if (adapter instanceof GeneratorDataAdapter) {
    return new Error(`${caller}: when passing a generator to a Keras model, the generator must yield at least one batch. Received an empty generator.`);
  }
  return new Error(`${caller}: the data gave no batches (no samples)`);
}

/**
 * Training, evaluation and inference for models: Keras 3's `Trainer`.
 *
 * `fit`, `evaluate` and `predict` run a data adapter's batches through `trainStep`, `testStep`
 * and `predictStep`, which a subclass may override (Keras's guide "Customizing what happens in
 * fit()"): each receives one batch as `x`, `[x]`, `[x, y]` or `[x, y, sampleWeight]`, and the
 * first two return logs (metric results by name). The steps run eagerly: forward pass under a
 * gradient tape, optimizer update, metric updates. `Output` is what `predict` gives: a Tensor for
 * a model with one output, a list for several.
 */
export class Trainer<Output extends Tensor | Tensor[] = Tensor | Tensor[]> extends Layer {
  optimizer?: Optimizer;
  compiled = false;
  /** Set by `fit` (Keras's `model.history`). */
  history?: History;
  /** A callback sets this to end `fit` after the current batch. */
  stopTraining = false;
  /** A callback sets this to end `evaluate` after the current batch. */
  stopEvaluating = false;
  /** A callback sets this to end `predict` after the current batch. */
  stopPredicting = false;
  private compileState?: CompileState;
  private stepCache?: StepCache;
  /**
   * The memory every training step writes the weight gradients into: the optimizer applies them
   * before the step ends, so one buffer per weight serves every step.
   */
  private readonly gradientBuffers = new GradientBuffers();

  /** The arguments of the last `compile`, kept for `getCompileConfig` (saving writes them). */
  compileArgs?: CompileArgs;

  /**
   * Configures the model for training. Without a `loss`, `fit` needs a `trainStep` that computes
   * its own loss (or layers that add losses).
   */
  compile(args: CompileArgs = {}): void {
    this.compileArgs = { ...args };
    const optimizer = args.optimizer ?? "rmsprop";
    this.optimizer = optimizers.get(optimizer);
    const names = this.outputNamesForCompile();
    this.compileState = {
      loss: args.loss === undefined || args.loss === null ? undefined : new CompiledLoss(args.loss, args.lossWeights, names),
      metrics: args.metrics === undefined && args.weightedMetrics === undefined ? undefined : new CompiledMetrics(args.metrics, args.weightedMetrics, names),
      lossTracker: new Mean({ name: "loss" }),
      outputNames: names,
    };
    this.stopTraining = false;
    this.compiled = true;
  }

  /** Names of the outputs, for per-output losses and metrics. */
  protected outputNamesForCompile(): string[] {
    const names = (this as unknown as { outputNames?: string[] }).outputNames;
    return names !== undefined && names.length > 0 ? names : ["output"];
  }

  /**
   * The metrics `fit` and `evaluate` reset at the start of every epoch and report, as Keras
   * orders them: the loss tracker (`loss`), the metrics given to `compile` (one metric,
   * `compile_metrics`, holding them), the per-output loss trackers of a multi-output model, then
   * the metrics the model holds in its own properties and its layers'. A subclass may override it
   * to list its own metrics (Keras's guide, "Going lower-level").
   */
  get metrics(): Metric<MetricResult>[] {
    const list: Metric<MetricResult>[] = [];
    const state = this.compileState;
    if (this.compiled && state !== undefined) {
      list.push(state.lossTracker);
      if (state.metrics !== undefined) list.push(state.metrics);
      for (const tracker of state.loss?.trackers ?? []) if (tracker !== undefined) list.push(tracker);
    }
    const seen = new Set<unknown>(list);
    const addHeld = (owner: object): void => {
      for (const value of Object.values(owner)) {
        for (const item of Array.isArray(value) ? value : [value]) {
          if (item instanceof Metric && !seen.has(item)) {
            seen.add(item);
            list.push(item);
          }
        }
      }
    };
    addHeld(this);
    // As Keras: a nested model's metrics belong to its own training, not to this one.
    for (const layer of this.flattenLayers()) if (layer !== this && !(layer instanceof Trainer)) addHeld(layer);
    return list;
  }

  get metricsNames(): string[] {
    return this.metrics.map((m) => m.name);
  }

  resetMetrics(): void {
    for (const m of this.metrics) m.resetState();
  }

  /**
   * The current result of every metric in `metrics` by name (Keras's `get_metrics_result`); the
   * results of `compile_metrics` are listed one by one.
   */
  getMetricsResult(): Record<string, Tensor> {
    const results: Record<string, Tensor> = {};
    for (const metric of this.stepCache?.metrics ?? this.metrics) {
      if (metric instanceof CompiledMetrics) {
        for (const m of metric.metrics) results[m.name] = m.result();
        continue;
      }
      const result = metric.result();
      if (result instanceof Tensor) results[metric.name] = result;
      else Object.assign(results, result);
    }
    return results;
  }

  private requireCompiled(): CompileState {
    if (!this.compiled || this.compileState === undefined) throw new Error("You must call `compile()` before using the model.");
    return this.compileState;
  }

  /** Runs the model forward on a batch (building it on first use). */
  forward(x: TensorStructure, options: CallOptions = {}): Tensor | Tensor[] {
    if (!this.built) {
      // The batch axis stays unknown, so later batches of another size fit.
      const unbatched = (t: Tensor) => [null, ...t.shape.slice(1)];
      const shapes = x instanceof Tensor ? unbatched(x) : Array.isArray(x) ? x.map(unbatched) : Object.values(x).map(unbatched);
      this.maybeBuild(shapes as never);
    }
    const out = this.call(x as Tensor, options) as Tensor | Tensor[] | Record<string, Tensor>;
    if (out instanceof Tensor || Array.isArray(out)) return out;
    return this.outputNamesForCompile().map((n) => out[n]);
  }

  /**
   * The total loss of a batch (Keras's `compute_loss`): the loss given to `compile` on `y` and
   * `yPred` (weighted by `sampleWeight`), plus the losses the layers added (weight regularizers,
   * activity regularizers). `x` and `training` are there for overrides. Per-output losses of a
   * multi-output model update their trackers (`dense_1_loss`, ...), as in Keras.
   */
  computeLoss(args: ComputeLossArgs): Tensor {
    const { y, yPred, sampleWeight } = args;
    const state = this.compileState;
    let total: Tensor | undefined;
    if (state?.loss !== undefined) {
      if (y === undefined) {
        throw new Error("The loss given to compile() needs targets `y`, but the data has none: pass `y` to fit/evaluate, or yield [x, y] batches");
      }
      const names = state.outputNames;
      const weights = sampleWeight === undefined ? undefined : flattenByOutput(sampleWeight, names, "The sample weights");
      total = state.loss.call(flattenByOutput(y, names, "The targets `y`"), flattenByOutput(yPred, names, "The predictions"), weights).total;
    }
    const cache = this.stepCache;
    const layers = cache?.layers ?? this.flattenLayers();
    if (cache !== undefined) cache.layers = layers;
    for (const layer of layers) {
      for (const extra of layer.ownLosses()) {
        const value = extra.size === 1 ? extra : ops.sum(extra);
        total = total === undefined ? value : ops.add(total, value);
      }
    }
    if (total === undefined) {
      throw new Error("No loss to compute. Provide a `loss` argument in `compile()`, or override `trainStep` / `testStep` to compute the loss yourself.");
    }
    return total;
  }

  /**
   * Updates the metrics given to `compile` with a batch and returns the results of all of
   * `metrics` (Keras's `compute_metrics`); an override may update metrics of its own too.
   */
  computeMetrics(x: TensorStructure | undefined, y: TensorStructure | undefined, yPred: TensorStructure, sampleWeight?: TensorStructure): Record<string, Tensor> {
    void x;
    const compiled = this.compileState?.metrics;
    if (compiled !== undefined) {
      if (y === undefined) throw new Error("The metrics given to compile() need targets `y`, but the data has none: pass `y` to fit/evaluate, or yield [x, y] batches");
      withoutRecording(() => compiled.updateState(y, yPred, sampleWeight));
    }
    return this.getMetricsResult();
  }

  /**
   * One training step on one batch (`data`: `x`, `[x]`, `[x, y]` or `[x, y, sampleWeight]`, as
   * the data adapter yields it): forward pass and `computeLoss` under a gradient tape, the
   * optimizer's update of the trainable weights, then `computeMetrics`. Returns the logs. `fit`
   * calls it for every batch; override it to change what training does. On a device backend
   * (webgpu) it returns a promise of the logs: the loss and predictions are read back (one
   * asynchronous readback; a GPU readback cannot be waited for synchronously) before the
   * metrics, which then compute on the host. An override may return logs or a promise of them.
   */
  trainStep(data: StepData): StepLogs | Promise<StepLogs> {
    const state = this.requireCompiled();
    const [x, y, sampleWeight] = unpackXYSampleWeight(data);
    // `fit` lists the trainable variables once per epoch rather than walking the layers every
    // step (a change of `trainable` then takes effect at the next epoch; Keras needs a new
    // compile() for it).
    const cache = this.stepCache;
    const variables = cache?.variables ?? this.trainableWeights;
    if (cache !== undefined) cache.variables = variables;
    const forwardAndLoss = (): [Tensor, Tensor | Tensor[]] => {
      const yPred = this.forward(x, { training: true });
      return [this.computeLoss({ x, y, yPred, sampleWeight, training: true }), yPred];
    };
    let loss: Tensor;
    let yPred: Tensor | Tensor[];
    if (variables.length > 0) {
      let grads: Tensor[];
      [[loss, yPred], grads] = valueAndGrad(forwardAndLoss, { variables, hasAux: true, gradientBuffers: this.gradientBuffers })();
      this.optimizer!.apply(grads, variables);
    } else {
      warn("The model does not have any trainable weights.");
      [loss, yPred] = withoutRecording(forwardAndLoss);
    }
    return this.afterReadback([loss, yPred, y, sampleWeight], () => {
      withoutRecording(() => state.lossTracker.updateScalar(loss.item(), batchSizeOf(x)));
      return this.computeMetrics(x, y, yPred, sampleWeight);
    });
  }

  /**
   * `then()` at once when every tensor of `structures` is on the host (the CPU backends), else
   * after reading back those on a device (see `trainStep`).
   */
  private afterReadback(structures: readonly (TensorStructure | undefined)[], then: () => StepLogs): StepLogs | Promise<StepLogs> {
    const pending = readback(structures.flatMap((s) => (s === undefined ? [] : flattenStructure(s))));
    return pending === undefined ? then() : pending.then(then);
  }

  /** One evaluation step on one batch: forward pass, `computeLoss`, `computeMetrics`. Returns the logs; `evaluate` and validation call it. */
  testStep(data: StepData): StepLogs | Promise<StepLogs> {
    const state = this.requireCompiled();
    const [x, y, sampleWeight] = unpackXYSampleWeight(data);
    const yPred = this.forward(x, { training: false });
    const loss = this.computeLoss({ x, y, yPred, sampleWeight, training: false });
    return this.afterReadback([loss, yPred, y, sampleWeight], () => {
      state.lossTracker.updateScalar(loss.item(), batchSizeOf(x));
      return this.computeMetrics(x, y, yPred, sampleWeight);
    });
  }

  /** The model's outputs for one batch (its `x`; targets are ignored). `predict` calls it. */
  predictStep(data: StepData): Tensor | Tensor[] {
    const [x] = unpackXYSampleWeight(data);
    return this.forward(x, { training: false });
  }

  /** Builds the model from its first batch when it was defined without an input shape, before a step lists its weights. */
  private buildFromData(data: StepData): void {
    const [x] = unpackXYSampleWeight(data);
    withoutRecording(() => this.forward(x, { training: false }));
  }

  /**
   * Keras's `_get_metrics_result_or_logs`: the metrics' current results when a step's logs name
   * the same metrics (the default steps), else the last step's logs (a custom step's own).
   */
  private metricsResultOrLogs(logs: StepLogs): StepLogs {
    const metricLogs = this.getMetricsResult();
    return sameKeys(logs, metricLogs) ? metricLogs : logs;
  }

  /** The callbacks of an evaluate / predict loop (with a progress bar unless verbose is 0). */
  private loopCallbacks(args: { callbacks?: Callback[]; verbose?: Verbose }, steps: number | undefined): CallbackList {
    const verbose = resolveVerbose(args.verbose);
    const list: Callback[] = [...(args.callbacks ?? [])];
    if (verbose !== 0) list.push(new ProgbarLogger());
    return new CallbackList(list, this as never, { epochs: 1, steps, verbose });
  }

  /**
   * Trains for `epochs` on `x` and `y` (arrays), or on a generator, (async) iterable or
   * `PyDataset` of batches passed as `x` (`fit(dataset, { epochs })`). Returns the History (also
   * `model.history`).
   */
  async fit(x: InputData, y?: DataStructure, args?: FitArgs): Promise<History>;
  async fit(x: BatchSource | PyDataset | DataAdapter, args?: FitArgs): Promise<History>;
  async fit(x: InputData, yOrArgs?: DataStructure | FitArgs, maybeArgs?: FitArgs): Promise<History> {
    const [yGiven, args] = dataAndOptions<FitArgs>(x, yOrArgs, maybeArgs);
    this.requireCompiled();
    if (args.batchSize !== undefined) checkPositiveInteger(args.batchSize, "fit: batchSize");
    const batchSize = args.batchSize;
    const epochs = args.epochs ?? 1;
    const initialEpoch = args.initialEpoch ?? 0;
    checkNonNegativeInteger(epochs, "fit: epochs");
    checkNonNegativeInteger(initialEpoch, "fit: initialEpoch");
    for (const name of ["stepsPerEpoch", "validationSteps", "validationBatchSize", "validationFreq"] as const) {
      if (args[name] !== undefined) checkPositiveInteger(args[name], `fit: ${name}`);
    }
    if (args.validationSplit !== undefined && !(args.validationSplit >= 0 && args.validationSplit < 1)) {
      throw new RangeError(`fit: validationSplit must be a fraction in [0, 1), got ${args.validationSplit}`);
    }
    const verbose = resolveVerbose(args.verbose);

    let trainX: InputData | Structure = x;
    let y: DataStructure | Structure | undefined = yGiven;
    let sampleWeight: DataStructure | Structure | undefined = args.sampleWeight;
    let validation: EpochIterator | undefined;
    const validationBatchSize = args.validationBatchSize ?? batchSize;
    if (args.validationData !== undefined) {
      const [vx, vy, vsw] = unpackXYSampleWeight<InputData, DataStructure, DataStructure>(args.validationData as StepData);
      const validationAdapter = getDataAdapter(vx, { y: vy, sampleWeight: vsw, batchSize: validationBatchSize, shuffle: false });
      checkHasSamples(validationAdapter, "fit: validationData x");
      validation = new EpochIterator(validationAdapter, args.validationSteps);
    } else if (args.validationSplit !== undefined && args.validationSplit > 0) {
      const split = args.validationSplit;
      if (isDataset(x)) throw new Error("Argument `validationSplit` is only supported for tensors or arrays; `x` is a generator or dataset: pass `validationData` instead");
      // Keras takes the last fraction of the data, before any shuffling.
      const [train, held] = trainValidationSplit([new Structure(x as DataStructure, "x"), y === undefined ? undefined : new Structure(y as DataStructure, "y"), sampleWeight === undefined ? undefined : new Structure(sampleWeight as DataStructure, "sampleWeight")], split);
      trainX = train[0]!;
      [, y, sampleWeight] = train;
      validation = new EpochIterator(getDataAdapter(held[0]!, { y: held[1], sampleWeight: held[2], batchSize: validationBatchSize, shuffle: false }), args.validationSteps);
    }
    const adapter = getDataAdapter(trainX, {
      y,
      sampleWeight,
      batchSize,
      stepsPerEpoch: args.stepsPerEpoch,
      shuffle: args.shuffle ?? true,
      shuffleRequested: args.shuffle === true,
      classWeight: args.classWeight,
    });
    checkHasSamples(adapter, "fit: x");
    const iterator = new EpochIterator(adapter, args.stepsPerEpoch);

    const history = new History();
    // As Keras: the user's callbacks first, so what they add to the logs (learning_rate) reaches History.
    const list = [...(args.callbacks ?? []), history];
    if (verbose !== 0) list.push(new ProgbarLogger());
    const callbackList = new CallbackList(list, this as never, { epochs, steps: iterator.numBatches, verbose });
    this.stopTraining = false;
    this.history = history;

    // Memory the program let go of before training (its data in the form it was loaded) is
    // returned now, not whenever V8 next collects its old generation. The event loop turns first:
    // a file read with fs.promises holds its buffer until then.
    await yieldToEventLoop();
    collectGarbage();
    await callbackList.call("onTrainBegin", {});
    const batchBegin = callbackList.implements("onTrainBatchBegin");
    const batchEnd = callbackList.implements("onTrainBatchEnd");
    let trainingLogs: Logs = {};
    try {
      for (let epoch = initialEpoch; epoch < epochs; epoch++) {
        await iterator.beginEpoch();
        let data = await iterator.next();
        if (data === undefined) {
          await iterator.endEpoch();
          if (epoch === initialEpoch) throw noBatchesError("fit", adapter);
          // A generator used up by the previous epochs: there is nothing left to train on.
          ranOutOfData();
          break;
        }
        this.resetMetrics();
        this.stepCache = { metrics: this.metrics };
        await callbackList.call("onEpochBegin", epoch, {});
        let logs: StepLogs = {};
        let step = 0;
        while (data !== undefined) {
          if (batchBegin) await callbackList.call("onTrainBatchBegin", step, {});
          if (!this.built) this.buildFromData(data);
          const stepped = this.trainStep(data);
          // Awaited only when it is a promise (a device backend's readback), so a CPU step adds no turn of the event loop.
          logs = stepped instanceof Promise ? await stepped : stepped;
          if (batchEnd) await callbackList.call("onTrainBatchEnd", step, pythonifyLogs(logs));
          step++;
          if (this.stopTraining) break;
          const next = iterator.next();
          data = next instanceof Promise ? await next : next;
        }
        await iterator.endEpoch();
        let epochLogs = pythonifyLogs(this.metricsResultOrLogs(logs));
        const freq = args.validationFreq ?? 1;
        if (validation !== undefined && (epoch + 1) % freq === 0) {
          const valLogs = await this.testLoop(validation, callbackList, "validation");
          if (valLogs !== undefined) epochLogs = { ...epochLogs, ...Object.fromEntries(Object.entries(valLogs).map(([k, v]) => [`val_${k}`, v])) };
        }
        await callbackList.call("onEpochEnd", epoch, epochLogs);
        trainingLogs = epochLogs;
        await yieldToEventLoop();
        if (this.stopTraining) break;
      }
    } finally {
      this.stepCache = undefined;
    }
    await callbackList.call("onTrainEnd", trainingLogs);
    return history;
  }

  /**
   * Runs `testStep` over one pass of `iterator` with `callbackList`'s test hooks, and returns the
   * logs. With no batch at all: an error for `evaluate`, undefined (with a warning) for the
   * validation inside `fit` (a generator used up by an earlier validation).
   */
  private async testLoop(iterator: EpochIterator, callbackList: CallbackList, caller: "evaluate" | "validation"): Promise<Logs | undefined> {
    // Every evaluation starts a new pass over its data (a generator continues its stream).
    iterator.reset();
    await iterator.beginEpoch();
    let data = await iterator.next();
    if (data === undefined) {
      await iterator.endEpoch();
      if (caller === "evaluate") throw noBatchesError("evaluate", iterator.adapter);
      warn("The validation data ran out of data: this epoch has no validation logs. Make sure that the validation generator can generate at least `validationSteps * epochs` batches.");
      return undefined;
    }
    const outerCache = this.stepCache;
    this.stopEvaluating = false;
    await callbackList.call("onTestBegin", {});
    this.resetMetrics();
    this.stepCache = { layers: outerCache?.layers, metrics: this.metrics };
    const batchBegin = callbackList.implements("onTestBatchBegin");
    const batchEnd = callbackList.implements("onTestBatchEnd");
    let logs: StepLogs = {};
    let step = 0;
    try {
      while (data !== undefined) {
        if (batchBegin) await callbackList.call("onTestBatchBegin", step, {});
        const batch = data;
        if (!this.built) this.buildFromData(batch);
        const stepped = withoutRecording(() => this.testStep(batch));
        logs = stepped instanceof Promise ? await stepped : stepped;
        if (batchEnd) await callbackList.call("onTestBatchEnd", step, pythonifyLogs(logs));
        step++;
        if (this.stopEvaluating) break;
        const next = iterator.next();
        data = next instanceof Promise ? await next : next;
      }
      await iterator.endEpoch();
      const result = pythonifyLogs(this.metricsResultOrLogs(logs));
      await callbackList.call("onTestEnd", result);
      return result;
    } finally {
      this.stepCache = outerCache;
    }
  }

  /**
   * Loss and metrics on `x`/`y` (or on a generator or dataset of batches passed as `x`): the loss
   * alone when there are no other metrics, else `[loss, ...metrics]`, or an object with
   * `returnDict: true`.
   */
  async evaluate(x: InputData, y: DataStructure | undefined, args: EvaluateArgs & { returnDict: true }): Promise<Logs>;
  async evaluate(x: InputData, y?: DataStructure, args?: EvaluateArgs & { returnDict?: false }): Promise<number | number[]>;
  async evaluate(x: InputData, y?: DataStructure, args?: EvaluateArgs): Promise<number | number[] | Logs>;
  async evaluate(x: BatchSource | PyDataset | DataAdapter, args: EvaluateArgs & { returnDict: true }): Promise<Logs>;
  async evaluate(x: BatchSource | PyDataset | DataAdapter, args?: EvaluateArgs & { returnDict?: false }): Promise<number | number[]>;
  async evaluate(x: BatchSource | PyDataset | DataAdapter, args?: EvaluateArgs): Promise<number | number[] | Logs>;
  async evaluate(x: InputData, yOrArgs?: DataStructure | EvaluateArgs, maybeArgs?: EvaluateArgs): Promise<number | number[] | Logs> {
    const [y, args] = dataAndOptions<EvaluateArgs>(x, yOrArgs, maybeArgs);
    this.requireCompiled();
    if (args.batchSize !== undefined) checkPositiveInteger(args.batchSize, "evaluate: batchSize");
    if (args.steps !== undefined) checkPositiveInteger(args.steps, "evaluate: steps");
    const adapter = getDataAdapter(x, { y, sampleWeight: args.sampleWeight, batchSize: args.batchSize, stepsPerEpoch: args.steps, shuffle: false });
    checkHasSamples(adapter, "evaluate: x");
    const iterator = new EpochIterator(adapter, args.steps);
    const callbackList = this.loopCallbacks(args, iterator.numBatches);
    const logs = (await this.testLoop(iterator, callbackList, "evaluate"))!;
    return args.returnDict ? logs : this.flattenMetricsInOrder(logs);
  }

  /**
   * Model outputs for `x` (arrays, or a generator or dataset of batches whose inputs are used),
   * computed in batches: a Tensor (or a list for several outputs).
   */
  async predict(x: InputData, args: PredictArgs = {}): Promise<Output> {
    if (args.batchSize !== undefined) checkPositiveInteger(args.batchSize, "predict: batchSize");
    if (args.steps !== undefined) checkPositiveInteger(args.steps, "predict: steps");
    const iterator = new EpochIterator(getDataAdapter(x, { batchSize: args.batchSize, stepsPerEpoch: args.steps, shuffle: false }), args.steps);
    await iterator.beginEpoch();
    let data = await iterator.next();
    if (data === undefined) {
      await iterator.endEpoch();
      throw new Error("predict: no samples were given");
    }
    const callbackList = this.loopCallbacks(args, iterator.numBatches);
    this.stopPredicting = false;
    await callbackList.call("onPredictBegin", {});
    const batches: Tensor[][] = [];
    const batchBegin = callbackList.implements("onPredictBatchBegin");
    const batchEnd = callbackList.implements("onPredictBatchEnd");
    let step = 0;
    while (data !== undefined) {
      if (batchBegin) await callbackList.call("onPredictBatchBegin", step, {});
      const batch = data;
      const out = withoutRecording(() => this.predictStep(batch));
      batches.push(out instanceof Tensor ? [out] : out);
      if (batchEnd) await callbackList.call("onPredictBatchEnd", step, {});
      step++;
      if (this.stopPredicting) break;
      const next = iterator.next();
      data = next instanceof Promise ? await next : next;
    }
    await iterator.endEpoch();
    await callbackList.call("onPredictEnd", {});
    const outputs = batches[0].map((_, i) => (batches.length === 1 ? batches[0][i] : ops.concatenate(batches.map((b) => b[i]), 0)));
    return (outputs.length === 1 ? outputs[0] : outputs) as Output;
  }

  /** One batch of arrays as a step's data, with class weights turned into sample weights. */
  private batchData(x: DataStructure, y: DataStructure | undefined, sampleWeight: DataStructure | undefined, classWeight?: Record<number, number>): StepData {
    const xs = toTensorStructure(x, "x");
    const ys = y === undefined ? undefined : toTensorStructure(y, "y");
    let sws = sampleWeight === undefined ? undefined : toTensorStructure(sampleWeight, "sampleWeight");
    if (classWeight !== undefined) {
      if (sws !== undefined) throw new Error("You cannot give `classWeight` and `sampleWeight` at the same time.");
      if (!(ys instanceof Tensor)) throw new Error("`classWeight` is only supported for models with a single output.");
      sws = classWeightToSampleWeights(ys, classWeight);
    }
    checkDataCardinality([
      { name: "x", tensors: flattenStructure(xs) },
      { name: "y", tensors: ys === undefined ? undefined : flattenStructure(ys) },
      { name: "sample_weight", tensors: sws === undefined ? undefined : flattenStructure(sws) },
    ]);
    return packXYSampleWeight(xs, ys, sws);
  }

  /** One gradient step on one batch; returns the loss (and metrics) like `evaluate`. */
  async trainOnBatch(x: DataStructure, y: DataStructure | undefined, args: TrainOnBatchArgs & { returnDict: true }): Promise<Logs>;
  async trainOnBatch(x: DataStructure, y?: DataStructure, args?: TrainOnBatchArgs & { returnDict?: false }): Promise<number | number[]>;
  async trainOnBatch(x: DataStructure, y?: DataStructure, args?: TrainOnBatchArgs): Promise<number | number[] | Logs>;
  async trainOnBatch(x: DataStructure, y?: DataStructure, args: TrainOnBatchArgs = {}): Promise<number | number[] | Logs> {
    this.requireCompiled();
    const data = this.batchData(x, y, args.sampleWeight, args.classWeight);
    if (!this.built) this.buildFromData(data);
    this.resetMetrics();
    const logs = pythonifyLogs(await this.trainStep(data));
    return args.returnDict ? logs : this.flattenMetricsInOrder(logs);
  }

  async testOnBatch(x: DataStructure, y: DataStructure | undefined, args: TestOnBatchArgs & { returnDict: true }): Promise<Logs>;
  async testOnBatch(x: DataStructure, y?: DataStructure, args?: TestOnBatchArgs & { returnDict?: false }): Promise<number | number[]>;
  async testOnBatch(x: DataStructure, y?: DataStructure, args?: TestOnBatchArgs): Promise<number | number[] | Logs>;
  async testOnBatch(x: DataStructure, y?: DataStructure, args: TestOnBatchArgs = {}): Promise<number | number[] | Logs> {
    this.requireCompiled();
    const data = this.batchData(x, y, args.sampleWeight);
    if (!this.built) this.buildFromData(data);
    this.resetMetrics();
    const logs = pythonifyLogs(await withoutRecording(() => this.testStep(data)));
    return args.returnDict ? logs : this.flattenMetricsInOrder(logs);
  }

  async predictOnBatch(x: DataStructure): Promise<Output> {
    const out = withoutRecording(() => this.predictStep(packXYSampleWeight(toTensorStructure(x, "x"))));
    return (Array.isArray(out) && out.length === 1 ? out[0] : out) as Output;
  }

  /**
   * Keras's `_flatten_metrics_in_order`: the logs as a list in the order of `metrics` (with
   * `compile_metrics` listed metric by metric), then any other keys sorted; one value alone.
   */
  private flattenMetricsInOrder(logs: Logs): number | number[] {
    const names: string[] = [];
    for (const metric of this.metrics) {
      if (metric instanceof CompiledMetrics) names.push(...metric.metrics.map((m) => m.name));
      else names.push(metric.name);
    }
    const results = names.filter((name) => name in logs).map((name) => logs[name]);
    for (const key of Object.keys(logs).sort()) if (!names.includes(key)) results.push(logs[key]);
    return results.length === 1 ? results[0] : results;
  }
}
