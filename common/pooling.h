/* pooling.h - the book's Pooling layer: max pooling (and average pooling).
 *
 *   x  (N, C, H, W)
 *   y  (N, C, OH, OW)     OH = (H - PH) / stride + 1, OW likewise
 *
 * Each output is the maximum (or the mean) of a PH x PW window of one channel;
 * channels never mix. Max pooling remembers which input won (arg, one int per
 * output) so backward can send the gradient there and nowhere else. Written
 * directly rather than through im2col: a window is a few numbers, and the
 * direct loop needs no col buffer. No padding (the book's nets use none). */
#ifndef DL_POOLING_H
#define DL_POOLING_H

#include <stddef.h>

#include "tensor.h"

typedef enum { POOL_MAX, POOL_AVERAGE } PoolKind;

typedef struct {
    PoolKind kind;
    int C, H, W;
    int PH, PW, stride;
    int OH, OW;
} PoolShape;

/* The shape of a pooling; dies with a clear message if the window does not fit. */
PoolShape pool_shape(PoolKind kind, int C, int H, int W, int PH, int PW, int stride);
size_t pool_out_size(const PoolShape *s, int N);   /* y, dy, arg: N*C*OH*OW */

/* y = max (or mean) of each window. arg (pool_out_size ints) receives, for max
 * pooling, the index in x of each window's maximum (the first one on ties);
 * it is unused for average pooling and may be NULL. */
void pooling_forward(real *y, int *arg, const real *x, const PoolShape *s, int N);

/* dx (N, C, H, W) is overwritten:
 *   max:      dx[arg[i]] += dy[i], 0 elsewhere
 *   average:  every input of a window gets dy / (PH*PW)
 * (+= because windows overlap when stride < the window size). */
void pooling_backward(real *dx, const real *dy, const int *arg, const PoolShape *s, int N);

/* The backward pass of a ReLU then this pool, in one pass over dx: the same
 * numbers as pooling_backward then relu_backward(dx, dx, x), where y and x are
 * the pool's output and input (x is the ReLU's output). A pool after a ReLU
 * is how the book's nets use it; done apart, the ReLU reads dx once more just
 * to zero what pooling had already left zero, bar each window's maximum, and
 * that maximum is y: so max pooling reads y, not x. */
void pooling_relu_backward(real *dx, const real *dy, const int *arg, const real *y, const real *x,
                           const PoolShape *s, int N);

#endif
