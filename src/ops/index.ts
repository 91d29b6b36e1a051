/** `keras.ops`: Keras 3's op names in camelCase, NumPy broadcasting. */
export { convertToTensor, cast, stopGradient, type TensorLike } from "./core.js";
export * from "./creation.js";
export * from "./elementwise.js";
export * from "./reduction.js";
export * from "./shape.js";
export * from "./linalg.js";
export * from "./nn.js";
export { normalize } from "./normalize.js";
