/* tensor.h - the number type and a contiguous row-major tensor.
 *
 * Every array in the course is a flat buffer of `real`, row-major, images in
 * NCHW order. `real` is float; the test build defines DL_DOUBLE so that the very
 * same sources compute in double precision for the gradient checks. */
#ifndef DL_TENSOR_H
#define DL_TENSOR_H

#include <stddef.h>

#ifdef DL_DOUBLE
typedef double real;
#else
typedef float real;
#endif

#define TENSOR_MAX_DIMS 4

typedef struct {
    real *data;
    int ndim;
    int shape[TENSOR_MAX_DIMS];
    size_t size;                    /* product of the shape */
} Tensor;

/* A zero-filled tensor of the given shape (ndim 1..4). Free with tensor_free. */
Tensor tensor_zeros(int ndim, const int *shape);
void tensor_free(Tensor *t);

#endif
