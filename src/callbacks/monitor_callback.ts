import { Callback } from "./callback.js";
import { compare, inferMonitorOp, warn, type MonitorOp } from "./callback_utils.js";

export type MonitorMode = "auto" | "min" | "max";

/**
 * Keras 3's `MonitorCallback`: the base of callbacks that watch a quantity (`ModelCheckpoint`,
 * `ReduceLROnPlateau`) and decide whether a new value improves on the best one.
 *
 * In `"auto"` mode the direction is inferred when first needed (at the first epoch end): `loss`
 * and `val_loss` are minimized, compiled metrics follow their direction, and names containing
 * "acc" or "auc" are maximized (see `inferMonitorOp`); otherwise an error asks for an explicit mode.
 */
export class MonitorCallback extends Callback {
  monitor: string;
  mode: MonitorMode;
  /** The best value so far; `null` until the direction is known (then ±Infinity or the baseline). */
  best: number | null;
  /** Signed like Keras's: negative when minimizing. */
  minDelta: number;
  monitorOp: MonitorOp | null = null;

  constructor(monitor = "val_loss", mode: string = "auto", baseline: number | null = null, minDelta = 0) {
    super();
    if (mode !== "auto" && mode !== "min" && mode !== "max") {
      warn(`${new.target.name} mode '${mode}' is unknown, fallback to auto mode.`);
      mode = "auto";
    }
    this.monitor = monitor;
    this.mode = mode as MonitorMode;
    this.best = baseline;
    this.minDelta = Math.abs(minDelta);
  }

  protected setMonitorOp(): void {
    if (this.mode === "min") this.monitorOp = "less";
    else if (this.mode === "max") this.monitorOp = "greater";
    else {
      const op = inferMonitorOp(this.monitor, this.model);
      if (op === undefined) {
        throw new Error(
          `${this.constructor.name} callback received monitor=${this.monitor}, but Keras isn't able to automatically ` +
            "determine whether that metric should be maximized or minimized. Pass `mode='max'` in order to monitor " +
            "based on the highest metric value, or pass `mode='min'` in order to use the lowest value.",
        );
      }
      this.monitorOp = op;
    }
    if (this.monitorOp === "less") this.minDelta *= -1;
    if (this.best === null) this.best = this.monitorOp === "less" ? Infinity : -Infinity;
  }

  protected isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return compare(this.monitorOp!, value - this.minDelta, reference);
  }
}
