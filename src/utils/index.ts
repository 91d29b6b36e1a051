/** `keras.utils`. */
export { setRandomSeed, getRandomSeed } from "./random_seed.js";
export { normalize, toCategorical } from "./numerical_utils.js";
export { padSequences, type PadSequencesOptions } from "./sequence_utils.js";
export { readIdx, loadIdx } from "./idx.js";
export { Progbar, type ProgbarOptions, type OutputStream } from "./progbar.js";
export { resetNames as clearSession } from "./naming.js";
export {
  arrayToImg,
  imgToArray,
  saveImg,
  loadImg,
  type Image,
  type DataFormat,
  type ArrayToImgOptions,
  type ImgToArrayOptions,
  type SaveImgOptions,
  type LoadImgOptions,
  type Interpolation,
} from "./image_utils.js";
export { saveImageGrid, imageGridSvg, drawImageGrid, type ImageGridOptions, type ImageGridLayout, type GridLabels } from "./image_grid.js";
export { renderSvg, textElementStream, type SvgTarget, type SvgHost, type CanvasTarget, type TextHost } from "./page_output.js";
export { setTextOutput, type TextStream } from "../platform/platform.js";
export { imshow, type ImshowOptions, type ImshowStream, type ImshowMode } from "./terminal_image.js";
export { plotHistory, historyToSvg, type PlotHistoryOptions } from "./plot_history.js";
export { plotModel, modelToSvg, type PlotModelOptions, type ModelToSvgOptions } from "./model_visualization.js";
export { unpackXYSampleWeight, packXYSampleWeight } from "../trainers/data_adapters/data_adapter_utils.js";
export { PyDataset, type PyDatasetBatch } from "../trainers/data_adapters/py_dataset_adapter.js";
