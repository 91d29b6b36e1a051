/** `keras.optimizers.schedules`. */
import { lookupClass, register, serializeKerasObject, type KerasObjectConfig } from "../../saving/serialization.js";
import {
  CosineDecay,
  ExponentialDecay,
  InverseTimeDecay,
  LearningRateSchedule,
  PiecewiseConstantDecay,
  PolynomialDecay,
} from "./learning_rate_schedule.js";

export { CosineDecay, ExponentialDecay, InverseTimeDecay, LearningRateSchedule, PiecewiseConstantDecay, PolynomialDecay };

type ScheduleFactory = (config: Record<string, unknown>) => LearningRateSchedule;

const registry = new Map<string, ScheduleFactory>();
register(registry, "ExponentialDecay", ExponentialDecay.fromConfig);
register(registry, "PiecewiseConstantDecay", PiecewiseConstantDecay.fromConfig);
register(registry, "PolynomialDecay", PolynomialDecay.fromConfig);
register(registry, "InverseTimeDecay", InverseTimeDecay.fromConfig);
register(registry, "CosineDecay", CosineDecay.fromConfig);

/** `{module: "keras.optimizers.schedules", class_name, config, registered_name: null}`. */
export function serialize(schedule: LearningRateSchedule): KerasObjectConfig {
  return serializeKerasObject("keras.optimizers.schedules", schedule.className(), schedule.getConfig());
}

/** Rebuilds a schedule from `{class_name, config}` (Keras 3 or tf.keras 2 form). */
export function deserialize(config: { class_name: string; config?: Record<string, unknown> }): LearningRateSchedule {
  const factory = lookupClass(registry, config.class_name, "learning rate schedule");
  return factory(config.config ?? {});
}
