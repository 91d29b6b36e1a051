/**
 * A model's `compile_config` in config.json, as Keras 3 writes it (`Trainer.get_compile_config`):
 *
 *   {optimizer: {module: "keras.optimizers", class_name, config, registered_name},
 *    loss, loss_weights, metrics, weighted_metrics, run_eagerly, steps_per_execution, jit_compile}
 *
 * Strings (loss and metric names) are kept as strings; Loss / Metric objects are serialized as
 * `{module, class_name, config, registered_name}`; built-in functions by name. Reading goes the
 * other way and gives the arguments of `model.compile`.
 */
import * as optimizers from "../optimizers/index.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import * as losses from "../losses/index.js";
import * as metrics from "../metrics/index.js";
import { Loss } from "../losses/loss.js";
import { Metric } from "../metrics/metric.js";
import type { CompileArgs } from "../trainers/trainer.js";
import { isKerasObjectConfig } from "./serialization.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Loss) && !(value instanceof Metric);
}

function serializeFunctionByName(fn: (...args: never[]) => unknown, module: string): unknown {
  const name = losses.lossFunctionName(fn);
  if (name !== undefined) return name;
  // A user function: written as Keras writes one; loading it needs `compile: false` (or a rewrite).
  return { module, class_name: "function", config: fn.name || "anonymous", registered_name: "function" };
}

function serializeLoss(loss: unknown): unknown {
  if (loss === undefined || loss === null) return null;
  if (typeof loss === "string") return loss;
  if (loss instanceof Loss) {
    try {
      return losses.serialize(loss);
    } catch {
      return { module: "custom", class_name: loss.className(), config: {}, registered_name: loss.className() };
    }
  }
  if (typeof loss === "function") {
    const name = losses.lossFunctionName(loss);
    return name !== undefined ? losses.serialize(loss as losses.LossFn) : serializeFunctionByName(loss as () => unknown, "custom");
  }
  if (Array.isArray(loss)) return loss.map(serializeLoss);
  if (isRecord(loss)) return Object.fromEntries(Object.entries(loss).map(([k, v]) => [k, serializeLoss(v)]));
  return null;
}

function serializeMetric(metric: unknown): unknown {
  if (metric === undefined || metric === null) return null;
  if (typeof metric === "string") return metric;
  if (metric instanceof Metric) {
    try {
      return metrics.serialize(metric);
    } catch {
      return { module: "custom", class_name: metric.className(), config: { name: metric.name }, registered_name: metric.className() };
    }
  }
  if (typeof metric === "function") return serializeFunctionByName(metric as () => unknown, "custom");
  if (Array.isArray(metric)) return metric.map(serializeMetric);
  if (isRecord(metric)) return Object.fromEntries(Object.entries(metric).map(([k, v]) => [k, serializeMetric(v)]));
  return null;
}

/** `model.get_compile_config()` from the arguments given to `compile` and the resolved optimizer. */
export function compileConfigFromArgs(args: CompileArgs, optimizer: Optimizer | undefined): Record<string, unknown> {
  return {
    optimizer: optimizer === undefined ? null : optimizers.serialize(optimizer),
    loss: serializeLoss(args.loss),
    loss_weights: args.lossWeights ?? null,
    metrics: serializeMetric(args.metrics),
    weighted_metrics: serializeMetric(args.weightedMetrics),
    run_eagerly: args.runEagerly ?? false,
    steps_per_execution: args.steps_per_execution ?? 1,
    jit_compile: args.jitCompile === true,
  };
}

function deserializeLoss(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(deserializeLoss);
  if (isKerasObjectConfig(value) || (isRecord(value) && value.class_name === "function")) return losses.get(value as losses.LossIdentifier);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deserializeLoss(v)]));
  throw new Error(`cannot interpret loss ${JSON.stringify(value)}`);
}

function deserializeMetric(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(deserializeMetric);
  if (isRecord(value) && value.class_name === "function" && typeof value.config === "string") return value.config;
  if (isKerasObjectConfig(value)) return metrics.get(value);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deserializeMetric(v)]));
  throw new Error(`cannot interpret metric ${JSON.stringify(value)}`);
}

/** The arguments of `model.compile(...)` for a `compile_config` (Keras's `compile_from_config`). */
export function compileArgsFromConfig(config: Record<string, unknown>): CompileArgs {
  const args: CompileArgs = {};
  if (config.optimizer !== null && config.optimizer !== undefined) {
    args.optimizer = optimizers.get(config.optimizer as optimizers.OptimizerIdentifier);
  }
  const loss = deserializeLoss(config.loss);
  if (loss !== undefined) args.loss = loss as CompileArgs["loss"];
  if (config.loss_weights !== null && config.loss_weights !== undefined) args.lossWeights = config.loss_weights as CompileArgs["lossWeights"];
  const metricList = deserializeMetric(config.metrics);
  if (metricList !== undefined) args.metrics = metricList as CompileArgs["metrics"];
  const weighted = deserializeMetric(config.weighted_metrics);
  if (weighted !== undefined) args.weightedMetrics = weighted as CompileArgs["weightedMetrics"];
  if (typeof config.run_eagerly === "boolean") args.runEagerly = config.run_eagerly;
  if (typeof config.jit_compile === "boolean") args.jitCompile = config.jit_compile;
  if (typeof config.steps_per_execution === "number") args.steps_per_execution = config.steps_per_execution;
  return args;
}
