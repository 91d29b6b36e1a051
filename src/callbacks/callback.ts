import type { Model } from "../models/model.js";

export type Logs = Record<string, number>;

export interface TrainingParams {
  epochs?: number;
  steps?: number;
  verbose?: number;
}

/**
 * Base of every callback. Override the hooks you need; a hook may return a promise, which
 * training awaits. `this.model` is the model being trained.
 */
export class Callback {
  model?: Model;
  params: TrainingParams = {};

  setModel(model: Model): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
  }

  onTrainBegin(logs?: Logs): void | Promise<void> {}
  onTrainEnd(logs?: Logs): void | Promise<void> {}
  onEpochBegin(epoch: number, logs?: Logs): void | Promise<void> {}
  onEpochEnd(epoch: number, logs?: Logs): void | Promise<void> {}
  onTrainBatchBegin(batch: number, logs?: Logs): void | Promise<void> {}
  onTrainBatchEnd(batch: number, logs?: Logs): void | Promise<void> {}
  onTestBegin(logs?: Logs): void | Promise<void> {}
  onTestEnd(logs?: Logs): void | Promise<void> {}
  onTestBatchBegin(batch: number, logs?: Logs): void | Promise<void> {}
  onTestBatchEnd(batch: number, logs?: Logs): void | Promise<void> {}
  onPredictBegin(logs?: Logs): void | Promise<void> {}
  onPredictEnd(logs?: Logs): void | Promise<void> {}
  onPredictBatchBegin(batch: number, logs?: Logs): void | Promise<void> {}
  onPredictBatchEnd(batch: number, logs?: Logs): void | Promise<void> {}
}
