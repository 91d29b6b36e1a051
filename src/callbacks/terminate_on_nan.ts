import { Callback, type Logs } from "./callback.js";
import { printMsg, pyFloatRepr } from "./callback_utils.js";

export interface TerminateOnNaNArgs {
  /**
   * Throw immediately on a NaN/Inf loss (other callbacks' `onTrainEnd` then does not run) instead
   * of stopping gracefully with `model.stopTraining = true`. Default false.
   */
  raiseError?: boolean;
}

/** `keras.callbacks.TerminateOnNaN`: stops training when a batch's loss is NaN or infinite. */
export class TerminateOnNaN extends Callback {
  raiseError: boolean;

  constructor(args: TerminateOnNaNArgs = {}) {
    super();
    this.raiseError = args.raiseError ?? false;
  }

  override onTrainBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs.loss;
    if (loss === undefined || loss === null || Number.isFinite(loss)) return;
    if (this.raiseError) {
      throw new Error(`NaN or Inf loss encountered at batch ${batch}. Loss value: ${pyFloatRepr(loss)}. Terminating training immediately.`);
    }
    printMsg(`Batch ${batch}: Invalid loss, terminating training`);
    if (this.model === undefined) throw new Error("TerminateOnNaN: no model is set; pass the callback to model.fit()");
    this.model.stopTraining = true;
  }
}
