import { crossCheck } from "../cross_check_suite.js";
import { nativeTarget } from "../compiled_targets.js";

crossCheck(nativeTarget());
