import { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { rowsView } from "../ops/batch_rows.js";
import type { TensorLike } from "../ops/core.js";
import * as random from "../random/index.js";
import { valueAndGrad } from "../autodiff/grad.js";
import { GradientBuffers } from "../autodiff/gradient_buffers.js";
import { withoutRecording } from "../autodiff/tape.js";
import { Layer, type CallOptions } from "../layers/layer.js";
import * as optimizers from "../optimizers/index.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { Mean } from "../metrics/reduction_metrics.js";
import type { Metric } from "../metrics/metric.js";
import { Callback, type Logs } from "../callbacks/callback.js";
import { CallbackList } from "../callbacks/callback_list.js";
import { History } from "../callbacks/history.js";
import { ProgbarLogger } from "../callbacks/progbar_logger.js";
import { CompiledLoss, CompiledMetrics, type LossIdentifier, type MetricIdentifier, type PerOutput } from "./compile_utils.js";
import { checkCardinality, Structure, type DataStructure } from "./data_adapter.js";
import { collectGarbage } from "../utils/memory.js";
import { platform } from "../platform/platform.js";

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

export interface FitArgs {
  batchSize?: number;
  epochs?: number;
  verbose?: Verbose;
  callbacks?: Callback[];
  validationSplit?: number;
  validationData?: [DataStructure, DataStructure] | [DataStructure, DataStructure, DataStructure];
  shuffle?: boolean;
  classWeight?: Record<number, number>;
  sampleWeight?: TensorLike;
  initialEpoch?: number;
  stepsPerEpoch?: number;
  validationSteps?: number;
  validationBatchSize?: number;
  validationFreq?: number;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: Verbose;
  sampleWeight?: TensorLike;
  steps?: number;
  callbacks?: Callback[];
  returnDict?: boolean;
}

export interface TestOnBatchArgs {
  sampleWeight?: TensorLike;
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

function checkNonNegativeInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/** Zero samples would give a loss of 0 from no data at all. */
function checkHasSamples(data: Structure, name: string): void {
  if (data.numSamples === 0) throw new RangeError(`${name} has 0 samples (shape [${data.tensors[0].shape.join(", ")}]); give at least one`);
}

/** Class weights to per-sample weights, from sparse labels or one-hot targets. */
function classWeightsToSampleWeights(classWeight: Record<number, number>, y: Tensor): Tensor {
  const labels = y.rank > 1 && y.shape[y.rank - 1] > 1 ? ops.argmax(y, -1) : ops.reshape(ops.cast(y, "int32"), [y.shape[0]]);
  const maxClass = Math.max(...Object.keys(classWeight).map(Number));
  const table = Array.from({ length: maxClass + 1 }, (_, i) => classWeight[i] ?? 1);
  return ops.take(ops.convertToTensor(table, "float32"), labels);
}

/** What `fit` lists once per epoch instead of walking the layers every step. */
interface EpochState {
  variables?: Variable[];
  layers?: Layer[];
}

/**
 * Training, evaluation and inference for models: Keras 3's `Trainer`. The step functions run
 * eagerly: forward pass under a gradient tape, optimizer update, metric updates. `Output` is what
 * `predict` gives: a Tensor for a model with one output, a list for several.
 */
export class Trainer<Output extends Tensor | Tensor[] = Tensor | Tensor[]> extends Layer {
  optimizer?: Optimizer;
  compiled = false;
  /** Set by `fit` (Keras's `model.history`). */
  history?: History;
  /** A callback sets this to end `fit` after the current batch. */
  stopTraining = false;
  private compiledLoss?: CompiledLoss;
  private compiledMetrics?: CompiledMetrics;
  private lossTracker?: Mean;
  /**
   * The memory every training step writes the weight gradients into: the optimizer applies them
   * before the step ends, so one buffer per weight serves every step.
   */
  private readonly gradientBuffers = new GradientBuffers();

  /** The arguments of the last `compile`, kept for `getCompileConfig` (saving writes them). */
  compileArgs?: CompileArgs;

  compile(args: CompileArgs = {}): void {
    this.compileArgs = { ...args };
    const optimizer = args.optimizer ?? "rmsprop";
    this.optimizer = optimizers.get(optimizer);
    const names = this.outputNamesForCompile();
    this.compiledLoss = args.loss === undefined ? undefined : new CompiledLoss(args.loss, args.lossWeights, names);
    this.compiledMetrics = new CompiledMetrics(args.metrics, args.weightedMetrics, names);
    this.lossTracker = new Mean({ name: "loss" });
    this.compiled = true;
  }

  /** Names of the outputs, for per-output losses and metrics. */
  protected outputNamesForCompile(): string[] {
    const names = (this as unknown as { outputNames?: string[] }).outputNames;
    return names !== undefined && names.length > 0 ? names : ["output"];
  }

  /** The metrics tracked in `fit`/`evaluate`: the loss, per-output losses, then compiled metrics. */
  get metrics(): Metric[] {
    const list: Metric[] = [];
    if (this.lossTracker !== undefined) list.push(this.lossTracker);
    for (const t of this.compiledLoss?.trackers ?? []) if (t !== undefined) list.push(t);
    list.push(...(this.compiledMetrics?.metrics ?? []));
    return list;
  }

  get metricsNames(): string[] {
    return this.metrics.map((m) => m.name);
  }

  resetMetrics(): void {
    for (const m of this.metrics) m.resetState();
  }

  private requireCompiled(what: string): void {
    if (!this.compiled) throw new Error(`You must call compile() before ${what}.`);
    if (this.compiledLoss === undefined) throw new Error(`${what}: the model was compiled without a loss; pass \`loss\` to compile()`);
  }

  /** Runs the model forward on a batch (building it on first use). */
  forward(x: Tensor | Tensor[] | Record<string, Tensor>, options: CallOptions = {}): Tensor | Tensor[] {
    if (!this.built) {
      // The batch axis stays unknown, so later batches of another size fit.
      const unbatched = (t: Tensor) => [null, ...t.shape.slice(1)];
      const shapes = x instanceof Tensor ? unbatched(x) : Array.isArray(x) ? x.map(unbatched) : Object.values(x).map(unbatched);
      this.maybeBuild(shapes as never);
    }
    const out = this.call(x as Tensor, options) as Tensor | Tensor[] | Record<string, Tensor>;
    if (out instanceof Tensor || Array.isArray(out)) return out;
    const names = this.outputNamesForCompile();
    return names.map((n) => out[n]);
  }

  private asList(y: Tensor | Tensor[]): Tensor[] {
    return y instanceof Tensor ? [y] : y;
  }

  /**
   * Total loss of a batch: compiled losses plus the layers' regularization and activity losses
   * (`layers`: the model's `flattenLayers()`, when the caller keeps it across steps).
   */
  private computeLoss(y: Tensor[], yPred: Tensor[], sampleWeight: Tensor[] | undefined, layers?: readonly Layer[]): { total: Tensor; perOutput: (Tensor | undefined)[] } {
    const result = this.compiledLoss!.call(y, yPred, sampleWeight);
    let total = result.total;
    for (const extra of (layers ?? this.flattenLayers()).flatMap((l) => l.ownLosses())) total = ops.add(total, extra);
    return { total, perOutput: result.perOutput };
  }

  private updateMetrics(batchSize: number, loss: Tensor, perOutput: (Tensor | undefined)[], y: Tensor[], yPred: Tensor[], sampleWeight: Tensor[] | undefined): void {
    withoutRecording(() => {
      this.lossTracker!.updateScalar(loss.item(), batchSize);
      this.compiledLoss!.trackers.forEach((tracker, i) => {
        const value = perOutput[i];
        if (tracker !== undefined && value !== undefined) tracker.updateScalar(value.item(), batchSize);
      });
      this.compiledMetrics!.updateState(y, yPred, sampleWeight);
    });
  }

  /** Current metric values; sorted by name as Keras's logs are. */
  private metricLogs(): Logs {
    const logs: Logs = {};
    for (const m of this.metrics) logs[m.name] = m.result().item();
    return Object.fromEntries(Object.entries(logs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * One training step. `epochState` lets `fit` list the trainable variables once per epoch instead
   * of walking the layers every step (a change of `trainable` then takes effect at the next epoch;
   * Keras needs a new compile() for it).
   */
  private trainStep(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor[], sampleWeight: Tensor[] | undefined, epochState?: EpochState): void {
    const optimizer = this.optimizer!;
    // Build before listing variables, so a deferred-build model has its weights.
    if (!this.built) withoutRecording(() => this.forward(x, { training: false }));
    const variables: Variable[] = epochState?.variables ?? this.trainableWeights;
    const layers: Layer[] = epochState?.layers ?? this.flattenLayers();
    if (epochState !== undefined) {
      epochState.variables = variables;
      epochState.layers = layers;
    }
    const step = valueAndGrad(
      () => {
        const yPred = this.asList(this.forward(x, { training: true }));
        const { total, perOutput } = this.computeLoss(y, yPred, sampleWeight, layers);
        return [total, { yPred, perOutput }] as [Tensor, { yPred: Tensor[]; perOutput: (Tensor | undefined)[] }];
      },
      { variables, hasAux: true, gradientBuffers: this.gradientBuffers },
    );
    const [[loss, aux], grads] = step();
    optimizer.apply(grads, variables);
    this.updateMetrics(y[0].shape[0], loss, aux.perOutput, y, aux.yPred, sampleWeight);
  }

  private testStep(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor[], sampleWeight: Tensor[] | undefined): void {
    withoutRecording(() => {
      const yPred = this.asList(this.forward(x, { training: false }));
      const { total, perOutput } = this.computeLoss(y, yPred, sampleWeight);
      this.updateMetrics(y[0].shape[0], total, perOutput, y, yPred, sampleWeight);
    });
  }

  /** Trains on `x`/`y` for `epochs`; returns the History (also `model.history`). */
  async fit(x: DataStructure, y?: DataStructure, args: FitArgs = {}): Promise<History> {
    this.requireCompiled("training the model");
    const batchSize = args.batchSize ?? 32;
    checkPositiveInteger(batchSize, "fit: batchSize");
    const epochs = args.epochs ?? 1;
    const initialEpoch = args.initialEpoch ?? 0;
    checkNonNegativeInteger(epochs, "fit: epochs");
    checkNonNegativeInteger(initialEpoch, "fit: initialEpoch");
    for (const name of ["stepsPerEpoch", "validationSteps", "validationBatchSize", "validationFreq"] as const) {
      if (args[name] !== undefined) checkPositiveInteger(args[name], `fit: ${name}`);
    }
    const split = args.validationSplit;
    if (split !== undefined && !(split >= 0 && split < 1)) throw new RangeError(`fit: validationSplit must be a fraction in [0, 1), got ${split}`);
    const verbose = resolveVerbose(args.verbose);
    if (y === undefined) throw new Error("fit: targets `y` are required");
    let xs = new Structure(x, "x");
    let ys = new Structure(y, "y");
    let sw = args.sampleWeight === undefined ? undefined : new Structure(args.sampleWeight, "sampleWeight");
    checkCardinality([{ name: "x", structure: xs }, { name: "y", structure: ys }, { name: "sampleWeight", structure: sw }]);
    checkHasSamples(xs, "fit: x");
    if (args.classWeight !== undefined) {
      if (sw !== undefined) throw new Error("fit: give either classWeight or sampleWeight, not both");
      if (ys.tensors.length !== 1) throw new Error("fit: classWeight is only supported for models with a single output");
      sw = new Structure(classWeightsToSampleWeights(args.classWeight, ys.tensors[0]), "sampleWeight");
    }

    let validation: { x: Structure; y: Structure; sw?: Structure } | undefined;
    if (args.validationData !== undefined) {
      const [vx, vy, vsw] = args.validationData;
      validation = { x: new Structure(vx, "validationData x"), y: new Structure(vy, "validationData y"), sw: vsw === undefined ? undefined : new Structure(vsw, "validationData sampleWeight") };
      checkCardinality([{ name: "validation x", structure: validation.x }, { name: "validation y", structure: validation.y }, { name: "validation sampleWeight", structure: validation.sw }]);
      checkHasSamples(validation.x, "fit: validationData x");
    } else if (split !== undefined && split > 0) {
      // Keras takes the last fraction of the data, before any shuffling.
      const n = xs.numSamples;
      const at = Math.floor(n * (1 - split));
      if (at === 0 || at === n) throw new Error(`fit: validationSplit ${split} leaves no ${at === 0 ? "training" : "validation"} samples out of ${n}`);
      const cut = (s: Structure, name: string): [Structure, Structure] => [
        new Structure(s.rebuild(s.slice(0, at)) as DataStructure, name),
        new Structure(s.rebuild(s.slice(at, n - at)) as DataStructure, name),
      ];
      const [tx, vx] = cut(xs, "x");
      const [ty, vy] = cut(ys, "y");
      let vsw: Structure | undefined;
      if (sw !== undefined) [sw, vsw] = cut(sw, "sampleWeight");
      xs = tx;
      ys = ty;
      validation = { x: vx, y: vy, sw: vsw };
    }

    const numSamples = xs.numSamples;
    const batchesPerEpoch = Math.ceil(numSamples / batchSize);
    const steps = args.stepsPerEpoch ?? batchesPerEpoch;
    const history = new History();
    const callbacks = [...(args.callbacks ?? [])];
    // As Keras: the user's callbacks first, so what they add to the logs (learning_rate) reaches History.
    const list = [...callbacks, history];
    if (verbose !== 0) list.push(new ProgbarLogger());
    const callbackList = new CallbackList(list, this as never, { epochs, steps, verbose });
    this.stopTraining = false;
    this.history = history;

    // Memory the program let go of before training (its data in the form it was loaded) is
    // returned now, not whenever V8 next collects its old generation. The event loop turns first:
    // a file read with fs.promises holds its buffer until then.
    await yieldToEventLoop();
    collectGarbage();
    await callbackList.call("onTrainBegin", {});
    // This epoch's sample order (int32 row numbers), or undefined for the order given.
    let permutation: Tensor | undefined;
    let cursor = 0;
    const batchBegin = callbackList.implements("onTrainBatchBegin");
    const batchEnd = callbackList.implements("onTrainBatchEnd");
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      this.resetMetrics();
      await callbackList.call("onEpochBegin", epoch, {});
      const epochState: EpochState = {};
      for (let step = 0; step < steps; step++) {
        if (cursor === 0) permutation = args.shuffle === false ? undefined : ops.cast(random.shuffle(ops.arange(numSamples)), "int32");
        const size = Math.min(batchSize, numSamples - cursor);
        if (batchBegin) await callbackList.call("onTrainBatchBegin", step, {});
        // One gather kernel per tensor for a shuffled batch (the indices are a permutation of the
        // samples, so they need no checks); a view of the rows otherwise.
        const rows = permutation === undefined ? undefined : rowsView(permutation, cursor, size);
        // The inputs' batches reuse one batch of memory (they live for one step); targets and
        // weights, which losses and metrics may keep, get fresh memory.
        const xb = rows === undefined ? xs.slice(cursor, size) : xs.takeRowsReusing(rows);
        const yb = rows === undefined ? ys.slice(cursor, size) : ys.takeRows(rows);
        const swb = sw === undefined ? undefined : rows === undefined ? sw.slice(cursor, size) : sw.takeRows(rows);
        this.trainStep(xs.rebuild(xb), yb, swb, epochState);
        cursor += size;
        if (cursor >= numSamples) cursor = 0;
        if (batchEnd) await callbackList.call("onTrainBatchEnd", step, this.metricLogs());
        if (this.stopTraining) break;
      }
      // With stepsPerEpoch unset, every epoch starts a fresh pass over the data.
      if (args.stepsPerEpoch === undefined) cursor = 0;
      let epochLogs = this.metricLogs();
      const freq = args.validationFreq ?? 1;
      if (validation !== undefined && (epoch + 1) % freq === 0) {
        const valLogs = this.runEvaluation(validation.x, validation.y, validation.sw, args.validationBatchSize ?? batchSize, args.validationSteps);
        epochLogs = { ...epochLogs, ...Object.fromEntries(Object.entries(valLogs).map(([k, v]) => [`val_${k}`, v])) };
      }
      await callbackList.call("onEpochEnd", epoch, epochLogs);
      await yieldToEventLoop();
      if (this.stopTraining) break;
    }
    await callbackList.call("onTrainEnd", {});
    return history;
  }

  /** Test loop without callbacks, used for validation inside fit. */
  private runEvaluation(xs: Structure, ys: Structure, sw: Structure | undefined, batchSize: number, maxSteps?: number): Logs {
    this.resetMetrics();
    const n = xs.numSamples;
    const steps = Math.min(Math.ceil(n / batchSize), maxSteps ?? Infinity);
    for (let step = 0; step < steps; step++) {
      const start = step * batchSize;
      const size = Math.min(batchSize, n - start);
      this.testStep(xs.rebuild(xs.slice(start, size)), ys.slice(start, size), sw?.slice(start, size));
    }
    return this.metricLogs();
  }

  /**
   * Loss and metrics on `x`/`y`: the loss alone when there are no other metrics, else
   * `[loss, ...metrics]`, or an object with `returnDict: true`.
   */
  async evaluate(x: DataStructure, y: DataStructure | undefined, args: EvaluateArgs & { returnDict: true }): Promise<Logs>;
  async evaluate(x: DataStructure, y?: DataStructure, args?: EvaluateArgs & { returnDict?: false }): Promise<number | number[]>;
  async evaluate(x: DataStructure, y?: DataStructure, args?: EvaluateArgs): Promise<number | number[] | Logs>;
  async evaluate(x: DataStructure, y?: DataStructure, args: EvaluateArgs = {}): Promise<number | number[] | Logs> {
    this.requireCompiled("evaluating the model");
    if (y === undefined) throw new Error("evaluate: targets `y` are required");
    const batchSize = args.batchSize ?? 32;
    checkPositiveInteger(batchSize, "evaluate: batchSize");
    if (args.steps !== undefined) checkPositiveInteger(args.steps, "evaluate: steps");
    const xs = new Structure(x, "x");
    const ys = new Structure(y, "y");
    const sw = args.sampleWeight === undefined ? undefined : new Structure(args.sampleWeight, "sampleWeight");
    checkCardinality([{ name: "x", structure: xs }, { name: "y", structure: ys }, { name: "sampleWeight", structure: sw }]);
    checkHasSamples(xs, "evaluate: x");
    const n = xs.numSamples;
    const { steps, callbackList } = this.batchLoop(n, batchSize, args);
    this.resetMetrics();
    await callbackList.call("onTestBegin", {});
    const batchBegin = callbackList.implements("onTestBatchBegin");
    const batchEnd = callbackList.implements("onTestBatchEnd");
    for (let step = 0; step < steps; step++) {
      const start = step * batchSize;
      const size = Math.min(batchSize, n - start);
      if (batchBegin) await callbackList.call("onTestBatchBegin", step, {});
      this.testStep(xs.rebuild(xs.slice(start, size)), ys.slice(start, size), sw?.slice(start, size));
      if (batchEnd) await callbackList.call("onTestBatchEnd", step, this.metricLogs());
    }
    const logs = this.metricLogs();
    await callbackList.call("onTestEnd", logs);
    if (args.returnDict) return logs;
    const ordered = this.metricsNames.map((name) => logs[name]);
    return ordered.length === 1 ? ordered[0] : ordered;
  }

  /** The steps of an evaluate / predict loop over `n` samples, and its callbacks (with a progress bar unless verbose is 0). */
  private batchLoop(n: number, batchSize: number, args: { steps?: number; callbacks?: Callback[]; verbose?: Verbose }): { steps: number; callbackList: CallbackList } {
    const verbose = resolveVerbose(args.verbose);
    const steps = Math.min(Math.ceil(n / batchSize), args.steps ?? Infinity);
    const list: Callback[] = [...(args.callbacks ?? [])];
    if (verbose !== 0) list.push(new ProgbarLogger());
    return { steps, callbackList: new CallbackList(list, this as never, { steps, verbose }) };
  }

  /** Model outputs for `x`, computed in batches: a Tensor (or a list for several outputs). */
  async predict(x: DataStructure, args: PredictArgs = {}): Promise<Output> {
    const batchSize = args.batchSize ?? 32;
    checkPositiveInteger(batchSize, "predict: batchSize");
    const xs = new Structure(x, "x");
    checkCardinality([{ name: "x", structure: xs }]);
    const n = xs.numSamples;
    const { steps, callbackList } = this.batchLoop(n, batchSize, args);
    await callbackList.call("onPredictBegin", {});
    const batches: Tensor[][] = [];
    const batchBegin = callbackList.implements("onPredictBatchBegin");
    const batchEnd = callbackList.implements("onPredictBatchEnd");
    for (let step = 0; step < steps; step++) {
      const start = step * batchSize;
      const size = Math.min(batchSize, n - start);
      if (batchBegin) await callbackList.call("onPredictBatchBegin", step, {});
      const out = withoutRecording(() => this.forward(xs.rebuild(xs.slice(start, size)), { training: false }));
      batches.push(this.asList(out));
      if (batchEnd) await callbackList.call("onPredictBatchEnd", step, {});
    }
    await callbackList.call("onPredictEnd", {});
    if (batches.length === 0) throw new Error("predict: no samples were given");
    const outputs = batches[0].map((_, i) => (batches.length === 1 ? batches[0][i] : ops.concatenate(batches.map((b) => b[i]), 0)));
    return (outputs.length === 1 ? outputs[0] : outputs) as Output;
  }

  /** One gradient step on one batch; returns the loss (and metrics) like `evaluate`. */
  async trainOnBatch(x: DataStructure, y: DataStructure, args: TrainOnBatchArgs & { returnDict: true }): Promise<Logs>;
  async trainOnBatch(x: DataStructure, y: DataStructure, args?: TrainOnBatchArgs & { returnDict?: false }): Promise<number | number[]>;
  async trainOnBatch(x: DataStructure, y: DataStructure, args?: TrainOnBatchArgs): Promise<number | number[] | Logs>;
  async trainOnBatch(x: DataStructure, y: DataStructure, args: TrainOnBatchArgs = {}): Promise<number | number[] | Logs> {
    this.requireCompiled("training the model");
    const xs = new Structure(x, "x");
    const ys = new Structure(y, "y");
    let sw = args.sampleWeight === undefined ? undefined : new Structure(args.sampleWeight, "sampleWeight");
    checkCardinality([{ name: "x", structure: xs }, { name: "y", structure: ys }, { name: "sampleWeight", structure: sw }]);
    if (args.classWeight !== undefined) sw = new Structure(classWeightsToSampleWeights(args.classWeight, ys.tensors[0]), "sampleWeight");
    this.resetMetrics();
    this.trainStep(xs.rebuild(xs.tensors), ys.tensors, sw?.tensors);
    return this.formatLogs(this.metricLogs(), args.returnDict);
  }

  async testOnBatch(x: DataStructure, y: DataStructure, args: TestOnBatchArgs & { returnDict: true }): Promise<Logs>;
  async testOnBatch(x: DataStructure, y: DataStructure, args?: TestOnBatchArgs & { returnDict?: false }): Promise<number | number[]>;
  async testOnBatch(x: DataStructure, y: DataStructure, args?: TestOnBatchArgs): Promise<number | number[] | Logs>;
  async testOnBatch(x: DataStructure, y: DataStructure, args: TestOnBatchArgs = {}): Promise<number | number[] | Logs> {
    this.requireCompiled("evaluating the model");
    const xs = new Structure(x, "x");
    const ys = new Structure(y, "y");
    const sw = args.sampleWeight === undefined ? undefined : new Structure(args.sampleWeight, "sampleWeight");
    checkCardinality([{ name: "x", structure: xs }, { name: "y", structure: ys }, { name: "sampleWeight", structure: sw }]);
    this.resetMetrics();
    this.testStep(xs.rebuild(xs.tensors), ys.tensors, sw?.tensors);
    return this.formatLogs(this.metricLogs(), args.returnDict);
  }

  async predictOnBatch(x: DataStructure): Promise<Output> {
    const xs = new Structure(x, "x");
    const out = withoutRecording(() => this.forward(xs.rebuild(xs.tensors), { training: false }));
    return (Array.isArray(out) && out.length === 1 ? out[0] : out) as Output;
  }

  private formatLogs(logs: Logs, returnDict?: boolean): number | number[] | Logs {
    if (returnDict) return logs;
    const ordered = this.metricsNames.map((name) => logs[name]);
    return ordered.length === 1 ? ordered[0] : ordered;
  }

}
