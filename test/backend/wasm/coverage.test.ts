import { coverage } from "../coverage_suite.js";
import { wasmTargets } from "../compiled_targets.js";

for (const target of await wasmTargets()) coverage(target);
