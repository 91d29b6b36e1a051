/** `keras.saving`: `.keras` models and `.weights.h5` weights in Keras 3's format. */
export { saveModel, loadModel, saveWeights, loadWeights, type LoadModelOptions, type LoadWeightsOptions } from "./saving_api.js";
export { registerKerasSerializable, getRegisteredName, type CustomObjects, type LayerClass } from "./object_registration.js";
export { serializeLayer, deserializeLayer, type DeserializationOptions } from "./layer_serialization.js";
export { serializeModel, deserializeModel, KERAS_VERSION } from "./saving_lib.js";
export { serializeKerasObject, type KerasObjectConfig } from "./serialization.js";
