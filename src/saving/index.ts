/** `keras.saving`: Keras 3 `.keras`, legacy `.h5` and TF.js models; `.weights.h5` weights. */
export { saveModel, loadModel, saveWeights, loadWeights, saveModelToBytes, loadModelFromBytes, type LoadModelOptions, type LoadWeightsOptions } from "./saving_api.js";
export { setHdf5WorkerUrl } from "../platform/browser_hdf5.js";
export { registerKerasSerializable, getRegisteredName, type CustomObjects, type LayerClass } from "./object_registration.js";
export { serializeLayer, deserializeLayer, type DeserializationOptions } from "./layer_serialization.js";
export { serializeModel, deserializeModel, KERAS_VERSION } from "./saving_lib.js";
export { serializeKerasObject, type KerasObjectConfig } from "./serialization.js";
