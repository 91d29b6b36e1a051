import type { Variable } from "../backend/variable.js";
import * as initializers from "../initializers/index.js";
import * as regularizers from "../regularizers/index.js";
import * as constraints from "../constraints/index.js";
import type { Layer } from "./layer.js";

/**
 * One weight's initializer, regularizer and constraint, resolved from a layer's arguments (Keras's
 * `kernel_initializer`, `kernel_regularizer`, `kernel_constraint` and their kin).
 */
export class WeightOptions {
  readonly initializer: initializers.Initializer;
  readonly regularizer: regularizers.Regularizer | null;
  readonly constraint: constraints.Constraint | null;

  constructor(
    initializer: initializers.InitializerIdentifier | undefined, defaultInitializer: initializers.InitializerIdentifier,
    regularizer?: regularizers.RegularizerIdentifier, constraint?: constraints.ConstraintIdentifier,
  ) {
    this.initializer = initializers.get(initializer ?? defaultInitializer);
    this.regularizer = regularizers.get(regularizer);
    this.constraint = constraints.get(constraint);
  }

  /** Adds the weight to `layer` with these options (another initializer when given). */
  addTo(layer: Layer, name: string, shape: readonly number[], initializer: initializers.Initializer = this.initializer): Variable {
    return layer.addWeight({ name, shape, initializer, regularizer: this.regularizer, constraint: this.constraint });
  }
}

/**
 * Keras's config keys for the options of the named weights, in Keras's order: every
 * `<name>_initializer`, every `<name>_regularizer` (then `activity_regularizer`, when given), every
 * `<name>_constraint`. A weight given by its initializer alone (BatchNormalization's moving
 * statistics) has only the first.
 */
export function weightOptionsConfig(weights: Record<string, WeightOptions | initializers.Initializer>, activityRegularizer?: regularizers.Regularizer | null): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const full: [string, WeightOptions][] = [];
  for (const [name, entry] of Object.entries(weights)) {
    const options = entry instanceof WeightOptions ? entry : null;
    config[`${name}_initializer`] = initializers.serialize(options === null ? (entry as initializers.Initializer) : options.initializer);
    if (options !== null) full.push([name, options]);
  }
  for (const [name, options] of full) config[`${name}_regularizer`] = regularizers.serialize(options.regularizer);
  if (activityRegularizer !== undefined) config.activity_regularizer = regularizers.serialize(activityRegularizer);
  for (const [name, options] of full) config[`${name}_constraint`] = constraints.serialize(options.constraint);
  return config;
}
