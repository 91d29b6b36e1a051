/** `keras.callbacks`. */
export { Callback, type Logs, type TrainingParams } from "./callback.js";
export { CallbackList } from "./callback_list.js";
export { History } from "./history.js";
export { ProgbarLogger } from "./progbar_logger.js";
export { MonitorCallback, type MonitorMode } from "./monitor_callback.js";
export { EarlyStopping, type EarlyStoppingArgs } from "./early_stopping.js";
export { ModelCheckpoint, type ModelCheckpointArgs } from "./model_checkpoint.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauArgs } from "./reduce_lr_on_plateau.js";
export { LearningRateScheduler, type LearningRateSchedulerArgs, type Schedule } from "./learning_rate_scheduler.js";
export { CSVLogger, type CSVLoggerArgs } from "./csv_logger.js";
export { TerminateOnNaN, type TerminateOnNaNArgs } from "./terminate_on_nan.js";
export { LambdaCallback, type LambdaCallbackArgs } from "./lambda_callback.js";
export { LivePlot, type LivePlotArgs } from "./live_plot.js";
