import { sequenceCrossCheck } from "../sequence_suite.js";
import { wasmTargets } from "../compiled_targets.js";

for (const target of await wasmTargets()) sequenceCrossCheck(target);
