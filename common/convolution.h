/* convolution.h - the book's Convolution layer, through im2col and one matrix multiply.
 *
 *   x  (N, C, H, W)            input batch
 *   W  (FN, C, FH, FW)         FN filters (the book's shape; row f is filter f)
 *   b  (FN)                    one bias per filter
 *   y  (N, FN, OH, OW)         OH = (H + 2*pad - FH) / stride + 1, OW likewise
 *
 * Forward: col = im2col(x), (N*OH*OW, K) with K = C*FH*FW, then one multiply
 * for the whole batch, out = col W^T + b, (N*OH*OW, FN), reordered to NCHW.
 * Backward runs the same steps in reverse with the multiply's transpose flags:
 * no matrix is ever transposed in memory.
 *
 * convolution_direct_forward is the definition written as plain loops: the
 * specification the fast version is tested and timed against. */
#ifndef DL_CONVOLUTION_H
#define DL_CONVOLUTION_H

#include <stddef.h>

#include "tensor.h"

typedef struct {
    int C, H, W;            /* input channels and size */
    int FN, FH, FW;         /* filters: count and size */
    int stride, pad;
    int OH, OW;             /* output size */
} ConvShape;

/* The shape of a convolution; dies with a clear message if it has no output. */
ConvShape conv_shape(int C, int H, int W, int FN, int FH, int FW, int stride, int pad);

/* Buffer sizes, in reals, for a batch of N. */
size_t conv_col_size(const ConvShape *s, int N);    /* col, dcol: N*OH*OW * C*FH*FW */
size_t conv_out_size(const ConvShape *s, int N);    /* y, dy and the work buffer: N*FN*OH*OW */

/* y = conv(x, W) + b. col (conv_col_size) receives im2col(x), which backward
 * reads; work (conv_out_size) is scratch. */
void convolution_forward(real *y, real *col, real *work, const real *x, const real *W,
                         const real *b, const ConvShape *s, int N);

/* From dy (N, FN, OH, OW) and the forward's col:
 *   db += sum of dy over n, oy, ox
 *   dW += dout^T col         with dout = dy as (N*OH*OW, FN)
 *   dx  = col2im(dout W)     (skipped if dx is NULL: the first layer needs no dx)
 * dcol (conv_col_size) and work (conv_out_size) are scratch. */
void convolution_backward(real *dx, real *dW, real *db, real *dcol, real *work,
                          const real *dy, const real *col, const real *W,
                          const ConvShape *s, int N);

/* The definition: y[n,f,oy,ox] = b[f] + sum over c, fy, fx of
 *   W[f,c,fy,fx] * x[n, c, oy*stride + fy - pad, ox*stride + fx - pad]   (0 outside x) */
void convolution_direct_forward(real *y, const real *x, const real *W, const real *b,
                                const ConvShape *s, int N);

#endif
