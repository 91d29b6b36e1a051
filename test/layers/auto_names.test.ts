import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

const { layers } = keras;

test("convolution, pooling, normalization, reshaping, regularization and image layers are auto-named as Keras names them", () => {
  keras.utils.clearSession();
  const made: [keras.layers.Layer, string][] = [
    [new layers.Conv1D(1, 1), "conv1d"],
    [new layers.Conv2D(1, 1), "conv2d"],
    [new layers.Conv2D(1, 1), "conv2d_1"],
    [new layers.Conv3D(1, 1), "conv3d"],
    [new layers.Conv2DTranspose(1, 1), "conv2d_transpose"],
    [new layers.DepthwiseConv2D(1), "depthwise_conv2d"],
    [new layers.SeparableConv1D(1, 1), "separable_conv1d"],
    [new layers.MaxPooling2D(), "max_pooling2d"],
    [new layers.AveragePooling3D(2), "average_pooling3d"],
    [new layers.GlobalAveragePooling1D(), "global_average_pooling1d"],
    [new layers.GlobalMaxPool2D(), "global_max_pooling2d"],
    [new layers.BatchNormalization(), "batch_normalization"],
    [new layers.LayerNormalization(), "layer_normalization"],
    [new layers.GroupNormalization(), "group_normalization"],
    [new layers.UnitNormalization(), "unit_normalization"],
    [new layers.ZeroPadding2D(), "zero_padding2d"],
    [new layers.Cropping1D(), "cropping1d"],
    [new layers.UpSampling3D(), "up_sampling3d"],
    [new layers.SpatialDropout2D(0.1), "spatial_dropout2d"],
    [new layers.GaussianNoise(0.1), "gaussian_noise"],
    [new layers.GaussianDropout(0.1), "gaussian_dropout"],
    [new layers.ActivityRegularization(), "activity_regularization"],
    [new layers.Resizing(2, 2), "resizing"],
    [new layers.CenterCrop(2, 2), "center_crop"],
    [new layers.RandomFlip(), "random_flip"],
    [new layers.RandomRotation(0.1), "random_rotation"],
    [new layers.RandomZoom(0.1), "random_zoom"],
    [new layers.RandomTranslation(0.1, 0.1), "random_translation"],
    [new layers.RandomContrast(0.1), "random_contrast"],
  ];
  assert.deepEqual(made.map(([layer]) => layer.name), made.map(([, name]) => name));
});
