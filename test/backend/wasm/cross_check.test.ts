import { crossCheck } from "../cross_check_suite.js";
import { wasmTargets } from "../compiled_targets.js";

for (const target of await wasmTargets()) crossCheck(target);
