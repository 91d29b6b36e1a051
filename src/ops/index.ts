export { convertToTensor, cast, stopGradient, type TensorLike } from "./core.js";
export * from "./creation.js";
export { add, subtract, multiply, divide, negative, exp, log } from "./elementwise.js";
export * from "./reduction.js";
export * from "./shape.js";
export { matmul } from "./linalg.js";
