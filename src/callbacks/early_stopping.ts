import type { Tensor } from "../backend/tensor.js";
import { Callback, type Logs } from "./callback.js";
import { compare, inferMonitorOp, printMsg, warn, type MonitorOp } from "./callback_utils.js";
import type { MonitorMode } from "./monitor_callback.js";

export interface EarlyStoppingArgs {
  /** Quantity to monitor. Default "val_loss". */
  monitor?: string;
  /** Minimum change that counts as an improvement (its absolute value is used). Default 0. */
  minDelta?: number;
  /** Epochs without improvement after which training stops. Default 0. */
  patience?: number;
  /** 0 silent, 1 prints when stopping / restoring. Default 0. */
  verbose?: number;
  /** "auto" (direction inferred from the name), "min" or "max". Default "auto". */
  mode?: MonitorMode;
  /** Training stops if the model does not improve on this value. Default null. */
  baseline?: number | null;
  /** Restore the weights of the best epoch at the end of training. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring (a warm-up). Default 0. */
  startFromEpoch?: number;
}

/**
 * `keras.callbacks.EarlyStopping`: stops training (`model.stopTraining = true`) when the monitored
 * quantity has not improved for `patience` epochs. With `restoreBestWeights`, the weights of the
 * best epoch are put back when training ends, as Keras 3 does.
 */
export class EarlyStopping extends Callback {
  monitor: string;
  patience: number;
  verbose: number;
  baseline: number | null;
  /** Signed like Keras's: negative when minimizing (after the first epoch end). */
  minDelta: number;
  wait = 0;
  stoppedEpoch = 0;
  restoreBestWeights: boolean;
  bestWeights: Tensor[] | null = null;
  startFromEpoch: number;
  mode: MonitorMode;
  monitorOp: MonitorOp | null = null;
  best: number | null = null;
  bestEpoch = 0;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? "val_loss";
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.baseline = args.baseline ?? null;
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    let mode: string = args.mode ?? "auto";
    if (mode !== "auto" && mode !== "min" && mode !== "max") {
      warn(`EarlyStopping mode ${mode} is unknown, fallback to auto mode.`);
      mode = "auto";
    }
    this.mode = mode as MonitorMode;
  }

  private setMonitorOp(): void {
    if (this.mode === "min") this.monitorOp = "less";
    else if (this.mode === "max") this.monitorOp = "greater";
    else this.monitorOp = inferMonitorOp(this.monitor, this.model) ?? null;
    if (this.monitorOp === null) {
      throw new Error(
        `EarlyStopping callback received monitor=${this.monitor} but Keras isn't able to automatically determine ` +
          "whether that metric should be maximized or minimized. Pass `mode='max'` in order to do early stopping " +
          "based on the highest metric value, or pass `mode='min'` in order to use the lowest value.",
      );
    }
    if (this.monitorOp === "less") this.minDelta *= -1;
  }

  override onTrainBegin(): void {
    // Allow instances to be re-used.
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    // Set up lazily, once the model's metrics are built.
    if (this.monitorOp === null) this.setMonitorOp();
    const current = this.getMonitorValue(logs);
    // No monitored value, or still warming up.
    if (current === undefined || epoch < this.startFromEpoch) return;
    const model = this.requireModel();
    if (this.restoreBestWeights && this.bestWeights === null) {
      // Until something improves, the current weights are the best.
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      // Only restart the wait when both the baseline and the previous best are beaten.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) printMsg(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0) printMsg(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.requireModel().setWeights(this.bestWeights);
    }
  }

  /** The monitored value from `logs`, or undefined (with Keras's warning) when it is missing. */
  getMonitorValue(logs: Logs = {}): number | undefined {
    const value = logs[this.monitor];
    if (value === undefined || value === null) {
      warn(`Early stopping conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(",")}`);
      return undefined;
    }
    return value;
  }

  private isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return compare(this.monitorOp!, value - this.minDelta, reference);
  }

  private requireModel(): NonNullable<Callback["model"]> {
    if (this.model === undefined) throw new Error("EarlyStopping: no model is set; pass the callback to model.fit()");
    return this.model;
  }
}
