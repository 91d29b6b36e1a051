/** keras-ts's version, as package.json says (a test checks); written into saved files' metadata. */
export const KERAS_TS_VERSION = "0.1.0";
