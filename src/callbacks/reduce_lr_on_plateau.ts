import type { Logs } from "./callback.js";
import { getLearningRate, printMsg, pyFloatRepr, setLearningRate, warn } from "./callback_utils.js";
import { MonitorCallback, type MonitorMode } from "./monitor_callback.js";

export interface ReduceLROnPlateauArgs {
  /** Quantity to monitor. Default "val_loss". */
  monitor?: string;
  /** `newLr = lr * factor`; must be < 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement after which the learning rate is reduced. Default 10. */
  patience?: number;
  /** 0 quiet, 1 prints when the learning rate is reduced. Default 0. */
  verbose?: number;
  /** "auto", "min" or "max". Default "auto". */
  mode?: MonitorMode;
  /** Threshold for measuring a new optimum. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before resuming normal operation. Default 0. */
  cooldown?: number;
  /** Lower bound on the learning rate. Default 0. */
  minLr?: number;
}

/**
 * `keras.callbacks.ReduceLROnPlateau`: multiplies the optimizer's learning rate by `factor` when
 * the monitored quantity has not improved for `patience` epochs. Like Keras, it also records the
 * current learning rate in the epoch logs as `learning_rate`.
 */
export class ReduceLROnPlateau extends MonitorCallback {
  factor: number;
  minLr: number;
  patience: number;
  verbose: number;
  cooldown: number;
  cooldownCounter = 0;
  wait = 0;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super(args.monitor ?? "val_loss", args.mode ?? "auto", null, args.minDelta ?? 1e-4);
    const factor = args.factor ?? 0.1;
    if (factor >= 1.0) throw new Error(`ReduceLROnPlateau does not support a factor >= 1.0. Received factor=${pyFloatRepr(factor)}`);
    this.factor = factor;
    this.minLr = args.minLr ?? 0;
    this.patience = args.patience ?? 10;
    this.verbose = args.verbose ?? 0;
    this.cooldown = args.cooldown ?? 0;
  }

  private reset(): void {
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  override onTrainBegin(): void {
    this.reset();
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    // Set up lazily, once the model's metrics are built.
    if (this.monitorOp === null) this.setMonitorOp();
    logs.learning_rate = getLearningRate(this.model, "ReduceLROnPlateau");
    const current = logs[this.monitor];
    if (current === undefined || current === null) {
      warn(`Learning rate reduction is conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(",")}.`);
      return;
    }
    if (this.inCooldown()) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (!this.inCooldown()) {
      this.wait += 1;
      if (this.wait >= this.patience) {
        const oldLr = getLearningRate(this.model, "ReduceLROnPlateau");
        if (oldLr > Math.fround(this.minLr)) {
          const newLr = Math.max(oldLr * this.factor, this.minLr);
          setLearningRate(this.model, newLr, "ReduceLROnPlateau");
          if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${pyFloatRepr(newLr)}.`);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }

  inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }
}
