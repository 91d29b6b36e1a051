import { convCrossCheck } from "../conv_suite.js";
import { nativeTarget } from "../compiled_targets.js";

convCrossCheck(nativeTarget());
