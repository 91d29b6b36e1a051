import { platform } from "../platform/platform.js";
import { isStorageLocation } from "../saving/locations.js";
import type { Logs } from "./callback.js";
import { FormatKeyError, printMsg, pyFormat, pyFormatValue, warn, type PyValue } from "./callback_utils.js";
import { MonitorCallback, type MonitorMode } from "./monitor_callback.js";

export interface ModelCheckpointArgs {
  /** The metric to monitor. Default "val_loss". */
  monitor?: string;
  /** 0 silent, 1 prints a line when the callback acts. Default 0. */
  verbose?: number;
  /** Save only when the monitored quantity improves on the best so far. Default false. */
  saveBestOnly?: boolean;
  /** `model.saveWeights(path)` (path must end in ".weights.h5") instead of `model.save(path)` (".keras"). Default false. */
  saveWeightsOnly?: boolean;
  /** "auto", "min" or "max": the direction of improvement for `saveBestOnly`. Default "auto". */
  mode?: MonitorMode;
  /** "epoch" (save at each epoch end) or an integer: save every that many batches. Default "epoch". */
  saveFreq?: "epoch" | number;
  /** Initial "best" value for `saveBestOnly`. Default null. */
  initialValueThreshold?: number | null;
}

interface SavableModel {
  save?: (filepath: string, options?: { overwrite?: boolean }) => unknown;
  saveWeights?: (filepath: string, options?: { overwrite?: boolean }) => unknown;
}

/**
 * `keras.callbacks.ModelCheckpoint`: saves the model (`model.save`) or its weights
 * (`model.saveWeights`) at the end of every epoch or every `saveFreq` batches, optionally only
 * when the monitored quantity improves. `filepath` may hold Python format fields filled with the
 * (1-based) epoch, the batch and the logs, e.g. `"model_{epoch:02d}-{val_loss:.2f}.keras"`.
 */
export class ModelCheckpoint extends MonitorCallback {
  readonly filepath: string;
  verbose: number;
  saveBestOnly: boolean;
  saveWeightsOnly: boolean;
  saveFreq: "epoch" | number;
  private batchesSeenSinceLastSaving = 0;
  private lastBatchSeen = 0;
  private currentEpoch = 0;

  constructor(filepath: string, args: ModelCheckpointArgs = {}) {
    super(args.monitor ?? "val_loss", args.mode ?? "auto", args.initialValueThreshold ?? null);
    if (typeof filepath !== "string") throw new TypeError(`ModelCheckpoint: filepath must be a string, got ${String(filepath)}`);
    this.filepath = filepath;
    this.verbose = args.verbose ?? 0;
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.saveWeightsOnly = args.saveWeightsOnly ?? false;
    this.saveFreq = args.saveFreq ?? "epoch";
    // Keras checks only for an integer; 0 or a negative count would save after every batch.
    if (this.saveFreq !== "epoch" && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0)) {
      throw new Error(`ModelCheckpoint: unrecognized saveFreq: ${typeof this.saveFreq === "string" ? JSON.stringify(this.saveFreq) : String(this.saveFreq)}. Expected 'epoch' or a positive integer (save every that many batches)`);
    }
    if (this.saveWeightsOnly) {
      if (!filepath.endsWith(".weights.h5")) {
        throw new Error(
          "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` " +
            `(Keras weights format). Received: filepath=${filepath}`,
        );
      }
    } else if (!filepath.endsWith(".keras")) {
      throw new Error(`The filepath provided must end in \`.keras\` (Keras model format). Received: filepath=${filepath}`);
    }
  }

  override async onTrainBatchEnd(batch: number, logs?: Logs): Promise<void> {
    if (this.shouldSaveOnBatch(batch)) await this.saveModel(this.currentEpoch, batch, logs);
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    // Set up lazily, once the model's metrics are built.
    if (this.monitorOp === null) this.setMonitorOp();
    if (this.saveFreq === "epoch") await this.saveModel(epoch, null, logs);
  }

  private shouldSaveOnBatch(batch: number): boolean {
    if (this.saveFreq === "epoch") return false;
    // A batch index at or below the last one seen starts a new epoch.
    const added = batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSeenSinceLastSaving += added;
    this.lastBatchSeen = batch;
    if (this.batchesSeenSinceLastSaving >= this.saveFreq) {
      this.batchesSeenSinceLastSaving = 0;
      return true;
    }
    return false;
  }

  private shouldSaveModel(epoch: number, logs: Logs, filepath: string): boolean {
    if (!this.saveBestOnly) {
      if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: saving model to ${filepath}`);
      return true;
    }
    if (this.monitorOp === null) this.setMonitorOp();
    const current = logs[this.monitor];
    if (current === undefined || current === null) {
      warn(`Can save best model only with ${this.monitor} available.`);
      return true;
    }
    const bestStr = this.best === null ? "None" : pyFormatValue({ float: this.best }, ".5f");
    if (this.isImprovement(current, this.best)) {
      if (this.verbose > 0) {
        printMsg(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${bestStr} to ${pyFormatValue({ float: current }, ".5f")}, saving model to ${filepath}`);
      }
      this.best = current;
      return true;
    }
    if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${bestStr}`);
    return false;
  }

  private async saveModel(epoch: number, batch: number | null, logs: Logs = {}): Promise<void> {
    const filepath = this.getFilePath(epoch, batch, logs);
    if (!this.shouldSaveModel(epoch, logs, filepath)) return;
    const isDirectory = (await platform().fileInfo(filepath))?.kind === "directory";
    if (isDirectory) {
      throw new Error(`Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing directory: ${filepath}`);
    }
    const dir = platform().path.dirname(filepath);
    if (dir !== "" && dir !== "." && !isStorageLocation(filepath)) await platform().makeDirectory(dir);
    if (this.model === undefined) throw new Error("ModelCheckpoint: no model is set; pass the callback to model.fit()");
    const model = this.model as unknown as SavableModel;
    const method = this.saveWeightsOnly ? "saveWeights" : "save";
    const fn = model[method];
    if (typeof fn !== "function") throw new Error(`ModelCheckpoint: the model has no ${method}() method`);
    await fn.call(model, filepath, { overwrite: true });
  }

  /** The file path for this save: `filepath` formatted with the 1-based epoch (and batch) and the logs. */
  getFilePath(epoch: number, batch: number | null, logs: Logs = {}): string {
    const values: Record<string, PyValue> = {};
    for (const [key, value] of Object.entries(logs)) values[key] = { float: value };
    values.epoch = { int: epoch + 1 };
    if (batch !== null && !("batch" in logs)) values.batch = { int: batch + 1 };
    try {
      return pyFormat(this.filepath, values);
    } catch (e) {
      if (e instanceof FormatKeyError) throw new Error(`Failed to format this callback filepath: "${this.filepath}". Reason: ${e.message}`);
      throw e;
    }
  }
}
