/* Op codes shared with src/backend/native/index.ts (same order as the lists there). */
#ifndef KT_EW_OPS_H
#define KT_EW_OPS_H
enum {
  U_NEGATIVE, U_ABS, U_SIGN, U_SQRT, U_RSQRT, U_SQUARE, U_RECIPROCAL, U_EXP, U_EXPM1, U_LOG, U_LOG1P,
  U_SIN, U_COS, U_TAN, U_TANH, U_SIGMOID, U_RELU, U_FLOOR, U_CEIL, U_ROUND, U_ISNAN, U_ISFINITE,
  U_ISINF, U_LOGICALNOT, U_ERF, U_SOFTPLUS, U_ATAN, U_SINH, U_COSH, U_ASIN, U_ACOS, U_ARCSINH,
  U_ARCCOSH, U_ARCTANH, U_COUNT
};
enum {
  B_ADD, B_SUBTRACT, B_MULTIPLY, B_DIVIDE, B_FLOORDIVIDE, B_MOD, B_POWER, B_MAXIMUM, B_MINIMUM, B_ATAN2,
  B_EQUAL, B_NOTEQUAL, B_LESS, B_LESSEQUAL, B_GREATER, B_GREATEREQUAL, B_LOGICALAND, B_LOGICALOR,
  B_LOGICALXOR, B_COUNT
};
/* Flat binary modes: both operands n long, A a scalar, B a scalar. */
enum { M_SAME = 0, M_SCALAR_A = 1, M_SCALAR_B = 2 };

/* Kernel signatures (one set per ISA). Return 0 when the op / type combination is not handled. */
typedef int (*unary_f32_fn)(int op, const float *x, float *out, long n);
typedef int (*unary_f32_bool_fn)(int op, const float *x, uint8_t *out, long n);
typedef int (*unary_i32_fn)(int op, const int32_t *x, int32_t *out, long n);
typedef int (*binary_f32_fn)(int op, int mode, const float *a, const float *b, float *out, long n);
typedef int (*binary_f32_bool_fn)(int op, int mode, const float *a, const float *b, uint8_t *out, long n);
typedef int (*binary_i32_fn)(int op, int mode, const int32_t *a, const int32_t *b, int32_t *out, long n);
typedef int (*binary_i32_bool_fn)(int op, int mode, const int32_t *a, const int32_t *b, uint8_t *out, long n);
typedef int (*binary_u8_bool_fn)(int op, int mode, const uint8_t *a, const uint8_t *b, uint8_t *out, long n);

typedef struct {
  unary_f32_fn unary_f32;
  unary_f32_bool_fn unary_f32_bool;
  unary_i32_fn unary_i32;
  binary_f32_fn binary_f32;
  binary_f32_bool_fn binary_f32_bool;
  binary_i32_fn binary_i32;
  binary_i32_bool_fn binary_i32_bool;
  binary_u8_bool_fn binary_u8_bool;
} ew_table;

const ew_table *kt_ew(void);
#endif
