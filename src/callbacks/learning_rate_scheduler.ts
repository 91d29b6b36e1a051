import { Callback, type Logs } from "./callback.js";
import { getLearningRate, printMsg, pyFloatRepr, setLearningRate } from "./callback_utils.js";

/** `schedule(epoch, lr)`: the learning rate for `epoch` (0-based), given the current one. */
export type Schedule = (epoch: number, lr: number) => number;

export interface LearningRateSchedulerArgs {
  /** 0 quiet, 1 prints the learning rate set at each epoch. Default 0. */
  verbose?: number;
}

/**
 * `keras.callbacks.LearningRateScheduler`: at the start of every epoch, sets the optimizer's
 * learning rate to `schedule(epoch, currentLr)`. Like Keras, it records the learning rate in the
 * epoch logs as `learning_rate`.
 */
export class LearningRateScheduler extends Callback {
  schedule: Schedule;
  verbose: number;

  constructor(schedule: Schedule, args: LearningRateSchedulerArgs | number = {}) {
    super();
    if (typeof schedule !== "function") throw new TypeError(`LearningRateScheduler: schedule must be a function (epoch, lr) => lr, got ${String(schedule)}`);
    this.schedule = schedule;
    this.verbose = typeof args === "number" ? args : (args.verbose ?? 0);
  }

  override onEpochBegin(epoch: number): void {
    const current = getLearningRate(this.model, "LearningRateScheduler");
    const lr: unknown = this.schedule(epoch, current);
    if (typeof lr !== "number") throw new Error(`The output of the \`schedule\` function should be a float. Got: ${String(lr)}`);
    setLearningRate(this.model, lr, "LearningRateScheduler");
    if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${pyFloatRepr(lr)}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    logs.learning_rate = getLearningRate(this.model, "LearningRateScheduler");
  }
}
