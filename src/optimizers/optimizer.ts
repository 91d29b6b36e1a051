import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { withoutRecording } from "../autodiff/tape.js";
import { isKerasObjectConfig } from "../saving/serialization.js";
import { LearningRateSchedule } from "./schedules/learning_rate_schedule.js";
import { deserialize as deserializeSchedule, serialize as serializeSchedule } from "./schedules/index.js";

export interface OptimizerArgs {
  /** A number or a `LearningRateSchedule` (evaluated at `iterations` before each step). */
  learningRate?: number | LearningRateSchedule;
  /**
   * Decoupled weight decay: before each step every variable (not excluded with
   * `excludeFromWeightDecay`) becomes `w - w * weightDecay * lr`. null (the default) for none.
   */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm: `g * clipnorm / max(norm(g), clipnorm)`. */
  clipnorm?: number | null;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Scale all gradients together so that their global L2 norm is at most this. */
  globalClipnorm?: number | null;
  name?: string;
}

/** A saved optimizer value: a tensor-like, or (for the int64 iteration count) a bigint or BigInt64Array. */
export type SavedValue = ops.TensorLike | bigint | BigInt64Array | BigUint64Array;

function scalarOf(value: SavedValue): number {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    if (value.length !== 1) throw new Error(`loadOwnVariables: expected a scalar, got ${value.length} values`);
    return Number(value[0]);
  }
  return ops.convertToTensor(value).item();
}

/** What `optimizer.apply` accepts per variable; a missing gradient skips that variable (as Keras does). */
export type Gradient = Tensor | null | undefined;

/**
 * Base of every optimizer, with Keras 3's `BaseOptimizer` semantics. A subclass creates its slot
 * variables in `buildSlots` (via `addOptimizerVariables` / `addSlot`) and updates one variable in
 * `updateStep`; the base handles missing gradients, clipping, weight decay, the learning-rate
 * schedule, the iteration counter and weight constraints.
 *
 * One step (`apply`) does what Keras does, in the same order: drop variables whose gradient is
 * missing, clip the gradients (clipnorm, else globalClipnorm, else clipvalue), apply weight decay
 * to every variable, run `updateStep` for each variable with the learning rate evaluated once at
 * the current `iterations`, apply each variable's constraint, then increment `iterations`.
 *
 * Saved state: Keras writes `optimizer/vars/<i>` as 0 = iteration (int64), 1 = learning_rate
 * (float32; absent when the learning rate is a schedule), then its slot variables in creation
 * order. `variables` here holds only the slots (and other state variables, such as Nadam's
 * u_product) in that order; `saveOwnVariables` / `loadOwnVariables` produce / consume the full
 * Keras list.
 */
export abstract class Optimizer {
  readonly name: string;
  learningRate: number | LearningRateSchedule;
  readonly weightDecay: number | null;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;
  /** Number of update steps taken. */
  iterations = 0;
  protected built = false;
  /** The variables this optimizer was built for, in order. */
  protected trackedVariables: Variable[] = [];
  private readonly variableIndex = new Map<Variable, number>();
  private readonly stateVariables: Variable[] = [];
  private excludedFromDecay = new Set<Variable>();
  private excludedNamePattern: RegExp | null = null;

  constructor(args: OptimizerArgs, defaultName: string, defaultLearningRate: number) {
    this.name = args.name ?? defaultName;
    const lr = args.learningRate ?? defaultLearningRate;
    if (!(lr instanceof LearningRateSchedule) && (typeof lr !== "number" || !Number.isFinite(lr))) {
      throw new TypeError(`${this.name}: learningRate must be a finite number or a LearningRateSchedule, got ${String(lr)}`);
    }
    this.learningRate = lr;
    this.weightDecay = args.weightDecay ?? null;
    this.clipnorm = args.clipnorm ?? null;
    this.clipvalue = args.clipvalue ?? null;
    this.globalClipnorm = args.globalClipnorm ?? null;
    if ([this.clipnorm, this.clipvalue, this.globalClipnorm].filter((v) => v !== null).length > 1) {
      throw new Error(
        `${this.name}: only one of clipnorm, clipvalue and globalClipnorm can be set. ` +
          `Received: clipnorm=${this.clipnorm}, clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}`,
      );
    }
  }

  /** Keras's class name ("Adam", "SGD", ...), as written in `class_name`. */
  abstract className(): string;

  /** The learning rate for the current step (a schedule is evaluated at `iterations`). */
  get currentLearningRate(): number {
    return this.learningRate instanceof LearningRateSchedule ? this.learningRate.call(this.iterations) : this.learningRate;
  }

  get isBuilt(): boolean {
    return this.built;
  }

  /**
   * Creates the slot variables for `variables` (Keras's `optimizer.build(var_list)`); `apply`
   * calls it on the first step. Building again does nothing.
   */
  build(variables: readonly Variable[]): void {
    if (this.built) return;
    this.trackedVariables = [...variables];
    this.variableIndex.clear();
    this.trackedVariables.forEach((v, i) => this.variableIndex.set(v, i));
    this.buildSlots(this.trackedVariables);
    this.built = true;
  }

  /** Subclasses create their slots here, in Keras's order. */
  protected buildSlots(_variables: readonly Variable[]): void {}

  /**
   * A slot shaped like `reference`, filled with `initialValue` (Keras's
   * `add_variable_from_reference`); named `<reference path>_<name>` as Keras names it.
   */
  protected addSlot(reference: Variable, name: string, initialValue = 0): Variable {
    const value = initialValue === 0 ? ops.zerosLike(reference.value) : ops.fullLike(reference.value, initialValue);
    return this.addStateVariable(new Variable(value, { name: `${reference.path.replace(/\//g, "_")}_${name}`, trainable: false }));
  }

  /**
   * Keras's `add_optimizer_variables(var_list, names)`: one slot per variable per name, created
   * interleaved (for each variable, one per name) — the order Keras saves them in. Returns one
   * list per name.
   */
  protected addOptimizerVariables(variables: readonly Variable[], names: readonly string[], initialValue = 0): Variable[][] {
    const out = names.map(() => [] as Variable[]);
    for (const variable of variables) names.forEach((name, i) => out[i].push(this.addSlot(variable, name, initialValue)));
    return out;
  }

  /** Tracks an extra state variable (saved after the slots created before it). */
  protected addStateVariable(variable: Variable): Variable {
    this.stateVariables.push(variable);
    return variable;
  }

  /** The optimizer's state variables (slots, ...) in creation order; see the class comment. */
  get variables(): Variable[] {
    return [...this.stateVariables];
  }

  /**
   * Excludes variables from weight decay: those in `varList`, and those whose name matches any of
   * `varNames` (as a regular expression, like Keras). Call before the first step.
   */
  excludeFromWeightDecay(options: { varList?: readonly Variable[]; varNames?: readonly string[] } = {}): void {
    if (this.built) throw new Error(`${this.name}: excludeFromWeightDecay() can only be configured before the optimizer is built`);
    this.excludedFromDecay = new Set(options.varList ?? []);
    const names = [...new Set(options.varNames ?? [])];
    this.excludedNamePattern = names.length > 0 ? new RegExp(names.join("|")) : null;
  }

  private usesWeightDecay(variable: Variable): boolean {
    if (this.excludedFromDecay.has(variable)) return false;
    return this.excludedNamePattern === null || !this.excludedNamePattern.test(variable.name);
  }

  /**
   * Updates one variable given its (clipped) gradient. `lr` is the learning rate of this step;
   * `index` is the variable's position in the list the optimizer was built with.
   */
  protected abstract updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void;

  /** Called once per step after weight decay, before the per-variable updates (Nadam's u_product). */
  protected beforeUpdateSteps(_lr: number): void {}

  /**
   * Applies one step: `grads[i]` is the gradient of `variables[i]` (a null or undefined gradient
   * skips its variable). `variables` defaults to the list the optimizer was built with.
   */
  apply(grads: readonly Gradient[], variables?: readonly Variable[]): void {
    if (grads.length === 0) return;
    let vars: readonly Variable[];
    if (variables === undefined) {
      if (!this.built) {
        throw new Error(`${this.name}: when passing gradients without variables, the optimizer must already be built; call optimizer.build(variables) first`);
      }
      vars = this.trackedVariables;
    } else {
      vars = variables;
    }
    if (grads.length !== vars.length) {
      throw new Error(`${this.name}: got ${grads.length} gradients for ${vars.length} variables`);
    }
    withoutRecording(() => {
      if (!this.built) this.build(vars);
      const indices = vars.map((variable) => {
        const index = this.variableIndex.get(variable);
        if (index === undefined) {
          throw new Error(
            `${this.name}: unknown variable '${variable.path}'. This optimizer can only be called for the variables it was ` +
              "originally built with; to work with a new set of variables, create a new optimizer",
          );
        }
        return index;
      });
      const presentGrads: Tensor[] = [];
      const presentVars: Variable[] = [];
      const presentIndices: number[] = [];
      grads.forEach((g, i) => {
        if (g === null || g === undefined) return;
        presentGrads.push(g);
        presentVars.push(vars[i]);
        presentIndices.push(indices[i]);
      });
      if (presentGrads.length === 0) throw new Error(`${this.name}: no gradients provided for any variable`);

      const clipped = this.clipGradients(presentGrads);
      const lr = this.currentLearningRate;
      if (this.weightDecay !== null && this.weightDecay !== 0) {
        // w - w * wd * lr, as one multiply.
        const keep = 1 - this.weightDecay * lr;
        for (const variable of presentVars) {
          if (this.usesWeightDecay(variable)) variable.assign(ops.multiply(variable.value, keep));
        }
      }
      this.beforeUpdateSteps(lr);
      for (let i = 0; i < presentVars.length; i++) this.updateStep(clipped[i], presentVars[i], lr, presentIndices[i]);
      for (const variable of presentVars) {
        if (variable.constraint !== null) variable.assign(variable.constraint.call(variable.value));
      }
      this.iterations++;
    });
  }

  /** Keras's `apply_gradients([[grad, variable], ...])`. */
  applyGradients(pairs: Iterable<readonly [Gradient, Variable]>): void {
    const list = [...pairs];
    this.apply(list.map((p) => p[0]), list.map((p) => p[1]));
  }

  /** Keras's `_clip_gradients`, without reading values back (no `.item()`). */
  protected clipGradients(grads: readonly Tensor[]): Tensor[] {
    const clipnorm = this.clipnorm;
    if (clipnorm !== null && clipnorm > 0) {
      // g * c / max(||g||, c)
      return grads.map((g) => ops.multiply(g, ops.divide(clipnorm, ops.maximum(ops.sqrt(ops.sum(ops.square(g))), clipnorm))));
    }
    const globalClipnorm = this.globalClipnorm;
    if (globalClipnorm !== null && globalClipnorm > 0) {
      let total: Tensor | undefined;
      for (const g of grads) {
        const s = ops.sum(ops.square(g));
        total = total === undefined ? s : ops.add(total, s);
      }
      const norm = ops.sqrt(total!);
      // c / max(norm, c), plus (norm - norm) so that an infinite or NaN norm gives NaN, as in Keras.
      const scale = ops.add(ops.divide(globalClipnorm, ops.maximum(norm, globalClipnorm)), ops.subtract(norm, norm));
      return grads.map((g) => ops.multiply(g, scale));
    }
    const clipvalue = this.clipvalue;
    if (clipvalue !== null && clipvalue > 0) return grads.map((g) => ops.clip(g, -clipvalue, clipvalue));
    return [...grads];
  }

  /** Keras's `finalize_variable_values` (nothing to do without EMA). */
  finalizeVariableValues(_variables?: readonly Variable[]): void {}

  /**
   * Keras's `save_own_variables`: the values stored as `optimizer/vars/<i>`, in order — the
   * iteration count (int32 here; Keras writes int64), the learning rate as float32 (only when it is
   * a number), then `variables`.
   */
  saveOwnVariables(): Tensor[] {
    const out: Tensor[] = [ops.convertToTensor(this.iterations, "int32")];
    if (!(this.learningRate instanceof LearningRateSchedule)) out.push(ops.convertToTensor(this.learningRate, "float32"));
    for (const v of this.stateVariables) out.push(v.value);
    return out;
  }

  /**
   * Keras's `load_own_variables`: the inverse of `saveOwnVariables`. Build the optimizer first
   * (`optimizer.build(model.trainableWeights)`). As in Keras, a count mismatch skips loading with a
   * warning; returns whether the values were loaded.
   */
  loadOwnVariables(values: readonly SavedValue[]): boolean {
    const hasLr = !(this.learningRate instanceof LearningRateSchedule);
    const expected = 1 + (hasLr ? 1 : 0) + this.stateVariables.length;
    if (values.length !== expected) {
      const hint = this.built ? "" : " This is likely because the optimizer has not been called/built yet.";
      console.warn(
        `Skipping variable loading for optimizer '${this.name}', because it has ${expected} variables whereas the saved optimizer has ${values.length} variables.${hint}`,
      );
      return false;
    }
    const offset = expected - this.stateVariables.length;
    this.stateVariables.forEach((v, i) => v.assign(values[i + offset] as ops.TensorLike));
    this.iterations = scalarOf(values[0]);
    if (hasLr) this.learningRate = scalarOf(values[1]);
    return true;
  }

  /**
   * Keras's config (snake_case keys), as written to a .keras file. A numeric learning rate is
   * written as Keras writes it: the float32 value widened to double (0.001 -> 0.0010000000474974513).
   */
  getConfig(): Record<string, unknown> {
    const lr = this.learningRate;
    return {
      name: this.name,
      learning_rate: lr instanceof LearningRateSchedule ? serializeSchedule(lr) : Math.fround(lr),
      weight_decay: this.weightDecay,
      clipnorm: this.clipnorm,
      global_clipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      use_ema: false,
      ema_momentum: 0.99,
      ema_overwrite_frequency: null,
      loss_scale_factor: null,
      gradient_accumulation_steps: null,
    };
  }
}

const BASE_CONFIG_KEYS: Record<string, string> = {
  name: "name",
  learning_rate: "learningRate",
  weight_decay: "weightDecay",
  clipnorm: "clipnorm",
  clipvalue: "clipvalue",
  global_clipnorm: "globalClipnorm",
};

/** Config keys accepted only at their "off" value (features not implemented here). */
const UNSUPPORTED_AT_DEFAULT: Record<string, (v: unknown) => boolean> = {
  use_ema: (v) => v === false || v === null || v === undefined,
  ema_momentum: () => true,
  ema_overwrite_frequency: () => true,
  loss_scale_factor: (v) => v === null || v === undefined,
  gradient_accumulation_steps: (v) => v === null || v === undefined,
  // Ignored by Keras 3 too (with a warning for `decay`), and written by tf.keras 2.x.
  decay: () => true,
  is_legacy_optimizer: () => true,
  jit_compile: () => true,
};

/**
 * Converts a Keras optimizer config (snake_case) to constructor options (camelCase). `extra` maps
 * the optimizer's own keys (`beta_1` -> `beta1`, ...). A serialized learning-rate schedule is
 * deserialized. Unknown keys are an error, as in Keras.
 */
export function optimizerArgsFromConfig(config: Record<string, unknown>, className: string, extra: Record<string, string>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const target = BASE_CONFIG_KEYS[key] ?? extra[key];
    if (target !== undefined) {
      if (key === "learning_rate" && isKerasObjectConfig(value)) args[target] = deserializeSchedule(value);
      else if (value !== null && value !== undefined) args[target] = value;
      continue;
    }
    const allowed = UNSUPPORTED_AT_DEFAULT[key];
    if (allowed === undefined) unknown.push(key);
    else if (!allowed(value)) throw new Error(`${className}.fromConfig: ${key}=${JSON.stringify(value)} is not supported`);
  }
  if (unknown.length > 0) throw new Error(`${className}.fromConfig: argument(s) not recognized: ${unknown.join(", ")}`);
  return args;
}
