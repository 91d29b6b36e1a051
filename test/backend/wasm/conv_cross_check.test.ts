import { convCrossCheck } from "../conv_suite.js";
import { wasmTargets } from "../compiled_targets.js";

for (const target of await wasmTargets()) convCrossCheck(target);
