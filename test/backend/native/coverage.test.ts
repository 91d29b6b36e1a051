import { coverage } from "../coverage_suite.js";
import { nativeTarget } from "../compiled_targets.js";

coverage(nativeTarget());
