/* What addon.c lends addon_ext.c (the N-API functions of the kernels in kt_ext.h): its typed-array
 * reader and output allocation, so both files hand out outputs the same way. */
#ifndef KT_NAPI_EXT_H
#define KT_NAPI_EXT_H

#include <node_api.h>
#include <stddef.h>

/* A Float32Array / Int32Array / Uint8Array read in place (dtype KT_F32 / KT_I32 / KT_U8); 0 for anything else. */
int kt_napi_get_array(napi_env env, napi_value v, int *dtype, void **data, size_t *length);
/* A fresh typed array of `n` elements whose every element the caller writes. */
napi_value kt_napi_new_output(napi_env env, int dtype, size_t n, void **data);
/* A fresh zero-filled typed array. */
napi_value kt_napi_new_zeros(napi_env env, int dtype, size_t n, void **data);

/* Defines addon_ext.c's functions on `exports`. */
napi_status kt_define_ext(napi_env env, napi_value exports);

#endif
