import type { Backend } from "../backend.js";
import { binary, broadcastTo, cast, fill, select, unary } from "./elementwise.js";
import { argReduce, countArgmaxMatches, cumulative, reduce } from "./reduce.js";
import { concat, pad, reverse, slice, transpose } from "./layout.js";
import { gather, gatherAlongAxis, scatterAdd, scatterAddAlongAxis } from "./gather.js";
import { matmul } from "./matmul.js";
import { logSoftmax, softmax } from "./nn.js";
import { normalize } from "./normalize.js";
import { adamUpdate, denseBackward, denseForward, rmspropUpdate, sgdUpdate, softmaxCrossEntropy, softmaxCrossEntropyBackward } from "./fused.js";

/** Portable kernels in TypeScript: the behaviour every other backend must reproduce. */
export class ReferenceBackend implements Backend {
  readonly name = "reference";
  fill = fill;
  cast = cast;
  unary = unary;
  binary = binary;
  select = select;
  reduce = reduce;
  argReduce = argReduce;
  countArgmaxMatches = countArgmaxMatches;
  cumulative = cumulative;
  transpose = transpose;
  broadcastTo = broadcastTo;
  slice = slice;
  pad = pad;
  concat = concat;
  reverse = reverse;
  gather = gather;
  scatterAdd = scatterAdd;
  gatherAlongAxis = gatherAlongAxis;
  scatterAddAlongAxis = scatterAddAlongAxis;
  matmul = matmul;
  softmax = softmax;
  logSoftmax = logSoftmax;
  normalize = normalize;
  denseForward = denseForward;
  denseBackward = denseBackward;
  softmaxCrossEntropy = softmaxCrossEntropy;
  softmaxCrossEntropyBackward = softmaxCrossEntropyBackward;
  sgdUpdate = sgdUpdate;
  rmspropUpdate = rmspropUpdate;
  adamUpdate = adamUpdate;
}
