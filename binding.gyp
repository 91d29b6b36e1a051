{
  "targets": [
    {
      "target_name": "keras_native",
      "sources": [
        "native/addon.c",
        "native/threadpool.c",
        "native/cpu.c",
        "native/gemm.c",
        "native/elementwise.c",
        "native/misc.c",
        "native/fused.c",
        "native/rnn.c",
        "native/attention.c",
        "native/conv.c",
        "native/pool.c",
        "native/bn.c",
        "native/addon_ext.c",
        "native/ew_generic.c",
        "native/reduce_ext.c",
        "native/layout.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-pthread", "-Wall", "-Wno-unused-parameter"],
      "cflags!": ["-O2", "-O0"],
      "ldflags": ["-pthread"],
      "libraries": ["-lm"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno"]
      }
    }
  ]
}
