import type { CoreKernels } from "../core_kernels.js";
import type { FusedKernels } from "../fused_kernels.js";
import { binary, broadcastTo, cast, fill, select, unary } from "./elementwise.js";
import { argReduce, countArgmaxMatches, cumulative, reduce } from "./reduce.js";
import { concat, pad, reverse, slice, transpose } from "./layout.js";
import { gather, gatherAlongAxis, scatterAdd, scatterAddAlongAxis } from "./gather.js";
import { matmul } from "./matmul.js";
import { logSoftmax, softmax } from "./nn.js";
import { normalize } from "./normalize.js";
import { convBackward, convForward } from "./conv.js";
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from "./pool.js";
import { batchNormInference, batchNormTraining, batchNormTrainingBackward } from "./batch_norm.js";
import { adamUpdate, linearBackward, linearForward, rmspropUpdate, sgdUpdate, softmaxCrossEntropy, softmaxCrossEntropyBackward } from "./fused.js";
import { gruBackward, gruForward, lstmBackward, lstmForward } from "./recurrent.js";
import { attentionBackward, attentionForward } from "./attention.js";

/**
 * Portable kernels in TypeScript, every core and fused one: the behaviour every other backend must
 * reproduce. Methods on the prototype, so that a backend extending it overrides them visibly.
 */
export class ReferenceBackend implements CoreKernels, FusedKernels {
  readonly name: string = "reference";

  fill(...args: Parameters<CoreKernels["fill"]>): ReturnType<CoreKernels["fill"]> {
    return fill(...args);
  }

  cast(...args: Parameters<CoreKernels["cast"]>): ReturnType<CoreKernels["cast"]> {
    return cast(...args);
  }

  unary(...args: Parameters<CoreKernels["unary"]>): ReturnType<CoreKernels["unary"]> {
    return unary(...args);
  }

  binary(...args: Parameters<CoreKernels["binary"]>): ReturnType<CoreKernels["binary"]> {
    return binary(...args);
  }

  select(...args: Parameters<CoreKernels["select"]>): ReturnType<CoreKernels["select"]> {
    return select(...args);
  }

  reduce(...args: Parameters<CoreKernels["reduce"]>): ReturnType<CoreKernels["reduce"]> {
    return reduce(...args);
  }

  argReduce(...args: Parameters<CoreKernels["argReduce"]>): ReturnType<CoreKernels["argReduce"]> {
    return argReduce(...args);
  }

  cumulative(...args: Parameters<CoreKernels["cumulative"]>): ReturnType<CoreKernels["cumulative"]> {
    return cumulative(...args);
  }

  transpose(...args: Parameters<CoreKernels["transpose"]>): ReturnType<CoreKernels["transpose"]> {
    return transpose(...args);
  }

  broadcastTo(...args: Parameters<CoreKernels["broadcastTo"]>): ReturnType<CoreKernels["broadcastTo"]> {
    return broadcastTo(...args);
  }

  slice(...args: Parameters<CoreKernels["slice"]>): ReturnType<CoreKernels["slice"]> {
    return slice(...args);
  }

  pad(...args: Parameters<CoreKernels["pad"]>): ReturnType<CoreKernels["pad"]> {
    return pad(...args);
  }

  concat(...args: Parameters<CoreKernels["concat"]>): ReturnType<CoreKernels["concat"]> {
    return concat(...args);
  }

  reverse(...args: Parameters<CoreKernels["reverse"]>): ReturnType<CoreKernels["reverse"]> {
    return reverse(...args);
  }

  gather(...args: Parameters<CoreKernels["gather"]>): ReturnType<CoreKernels["gather"]> {
    return gather(...args);
  }

  scatterAdd(...args: Parameters<CoreKernels["scatterAdd"]>): ReturnType<CoreKernels["scatterAdd"]> {
    return scatterAdd(...args);
  }

  gatherAlongAxis(...args: Parameters<CoreKernels["gatherAlongAxis"]>): ReturnType<CoreKernels["gatherAlongAxis"]> {
    return gatherAlongAxis(...args);
  }

  scatterAddAlongAxis(...args: Parameters<CoreKernels["scatterAddAlongAxis"]>): ReturnType<CoreKernels["scatterAddAlongAxis"]> {
    return scatterAddAlongAxis(...args);
  }

  matmul(...args: Parameters<CoreKernels["matmul"]>): ReturnType<CoreKernels["matmul"]> {
    return matmul(...args);
  }

  softmax(...args: Parameters<CoreKernels["softmax"]>): ReturnType<CoreKernels["softmax"]> {
    return softmax(...args);
  }

  logSoftmax(...args: Parameters<CoreKernels["logSoftmax"]>): ReturnType<CoreKernels["logSoftmax"]> {
    return logSoftmax(...args);
  }

  linearForward(...args: Parameters<FusedKernels["linearForward"]>): ReturnType<FusedKernels["linearForward"]> {
    return linearForward(...args);
  }

  linearBackward(...args: Parameters<FusedKernels["linearBackward"]>): ReturnType<FusedKernels["linearBackward"]> {
    return linearBackward(...args);
  }

  softmaxCrossEntropy(...args: Parameters<FusedKernels["softmaxCrossEntropy"]>): ReturnType<FusedKernels["softmaxCrossEntropy"]> {
    return softmaxCrossEntropy(...args);
  }

  softmaxCrossEntropyBackward(...args: Parameters<FusedKernels["softmaxCrossEntropyBackward"]>): ReturnType<FusedKernels["softmaxCrossEntropyBackward"]> {
    return softmaxCrossEntropyBackward(...args);
  }

  countArgmaxMatches(...args: Parameters<FusedKernels["countArgmaxMatches"]>): ReturnType<FusedKernels["countArgmaxMatches"]> {
    return countArgmaxMatches(...args);
  }

  normalize(...args: Parameters<FusedKernels["normalize"]>): ReturnType<FusedKernels["normalize"]> {
    return normalize(...args);
  }

  sgdUpdate(...args: Parameters<FusedKernels["sgdUpdate"]>): ReturnType<FusedKernels["sgdUpdate"]> {
    return sgdUpdate(...args);
  }

  rmspropUpdate(...args: Parameters<FusedKernels["rmspropUpdate"]>): ReturnType<FusedKernels["rmspropUpdate"]> {
    return rmspropUpdate(...args);
  }

  adamUpdate(...args: Parameters<FusedKernels["adamUpdate"]>): ReturnType<FusedKernels["adamUpdate"]> {
    return adamUpdate(...args);
  }

  convForward(...args: Parameters<FusedKernels["convForward"]>): ReturnType<FusedKernels["convForward"]> {
    return convForward(...args);
  }

  convBackward(...args: Parameters<FusedKernels["convBackward"]>): ReturnType<FusedKernels["convBackward"]> {
    return convBackward(...args);
  }

  maxPoolForward(...args: Parameters<FusedKernels["maxPoolForward"]>): ReturnType<FusedKernels["maxPoolForward"]> {
    return maxPoolForward(...args);
  }

  maxPoolBackward(...args: Parameters<FusedKernels["maxPoolBackward"]>): ReturnType<FusedKernels["maxPoolBackward"]> {
    return maxPoolBackward(...args);
  }

  avgPoolForward(...args: Parameters<FusedKernels["avgPoolForward"]>): ReturnType<FusedKernels["avgPoolForward"]> {
    return avgPoolForward(...args);
  }

  avgPoolBackward(...args: Parameters<FusedKernels["avgPoolBackward"]>): ReturnType<FusedKernels["avgPoolBackward"]> {
    return avgPoolBackward(...args);
  }

  batchNormTraining(...args: Parameters<FusedKernels["batchNormTraining"]>): ReturnType<FusedKernels["batchNormTraining"]> {
    return batchNormTraining(...args);
  }

  batchNormTrainingBackward(...args: Parameters<FusedKernels["batchNormTrainingBackward"]>): ReturnType<FusedKernels["batchNormTrainingBackward"]> {
    return batchNormTrainingBackward(...args);
  }

  batchNormInference(...args: Parameters<FusedKernels["batchNormInference"]>): ReturnType<FusedKernels["batchNormInference"]> {
    return batchNormInference(...args);
  }

  lstmForward(...args: Parameters<FusedKernels["lstmForward"]>): ReturnType<FusedKernels["lstmForward"]> {
    return lstmForward(...args);
  }

  lstmBackward(...args: Parameters<FusedKernels["lstmBackward"]>): ReturnType<FusedKernels["lstmBackward"]> {
    return lstmBackward(...args);
  }

  gruForward(...args: Parameters<FusedKernels["gruForward"]>): ReturnType<FusedKernels["gruForward"]> {
    return gruForward(...args);
  }

  gruBackward(...args: Parameters<FusedKernels["gruBackward"]>): ReturnType<FusedKernels["gruBackward"]> {
    return gruBackward(...args);
  }

  attentionForward(...args: Parameters<FusedKernels["attentionForward"]>): ReturnType<FusedKernels["attentionForward"]> {
    return attentionForward(...args);
  }

  attentionBackward(...args: Parameters<FusedKernels["attentionBackward"]>): ReturnType<FusedKernels["attentionBackward"]> {
    return attentionBackward(...args);
  }

}
