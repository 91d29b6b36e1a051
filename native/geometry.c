/* Conv and pooling geometries from their int32 form (the layout src/backend/native/index.ts
 * writes), shared by addon.c and the WebAssembly exports. */
#include "kt.h"

int kt_conv_geom_read(const int32_t *p, size_t n, kt_conv_geom *g) {
  if (p == NULL || n != 23) return 0;
  for (int i = 0; i < 22; i++) if (p[i] < 0) return 0;
  g->batch = p[0]; g->cin = p[1]; g->cout = p[2]; g->groups = p[3];
  for (int d = 0; d < 3; d++) {
    g->in[d] = p[4 + d]; g->out[d] = p[7 + d]; g->k[d] = p[10 + d];
    g->stride[d] = p[13 + d]; g->dil[d] = p[16 + d]; g->pad[d] = p[19 + d];
    if (g->stride[d] < 1 || g->dil[d] < 1) return 0;
  }
  g->channels_first = p[22] != 0;
  return g->groups >= 1 && g->cin % g->groups == 0 && g->cout % g->groups == 0;
}

size_t kt_conv_x_size(const kt_conv_geom *g) { return (size_t)(g->batch * g->cin * g->in[0] * g->in[1] * g->in[2]); }
size_t kt_conv_out_size(const kt_conv_geom *g) { return (size_t)(g->batch * g->cout * g->out[0] * g->out[1] * g->out[2]); }
size_t kt_conv_w_size(const kt_conv_geom *g) { return (size_t)(g->k[0] * g->k[1] * g->k[2] * (g->cin / g->groups) * g->cout); }

int kt_pool_geom_read(const int32_t *p, size_t n, kt_pool_geom *g) {
  if (p == NULL || n != 18) return 0;
  for (int i = 0; i < 17; i++) if (p[i] < 0) return 0;
  g->batch = p[0]; g->channels = p[1];
  for (int d = 0; d < 3; d++) {
    g->in[d] = p[2 + d]; g->out[d] = p[5 + d]; g->k[d] = p[8 + d]; g->stride[d] = p[11 + d]; g->pad[d] = p[14 + d];
    if (g->stride[d] < 1 || g->k[d] < 1) return 0;
  }
  g->channels_first = p[17] != 0;
  return 1;
}
