import * as losses from "../losses/losses.js";
import type { MetricArgs } from "./metric.js";
import { MeanMetricWrapper } from "./reduction_metrics.js";

/** Mean hinge loss; name "hinge". */
export class Hinge extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.hinge, { ...args, className: "Hinge" }, "hinge");
  }
}

/** Mean squared hinge loss; name "squared_hinge". */
export class SquaredHinge extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.squaredHinge, { ...args, className: "SquaredHinge" }, "squared_hinge");
  }
}

/** Mean categorical hinge loss; name "categorical_hinge". */
export class CategoricalHinge extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.categoricalHinge, { ...args, className: "CategoricalHinge" }, "categorical_hinge");
  }
}
