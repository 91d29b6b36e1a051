import { sequenceCrossCheck } from "../sequence_suite.js";
import { nativeTarget } from "../compiled_targets.js";

sequenceCrossCheck(nativeTarget());
