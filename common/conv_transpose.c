/* conv_transpose.c - transposed convolution through col2im (see conv_transpose.h). */
#include "conv_transpose.h"
#include "threads.h"
#include "util.h"

ConvShape conv_transpose_shape(int in_C, int in_H, int in_W, int out_C, int FH, int FW, int stride, int pad)
{
    int H = (in_H - 1) * stride - 2 * pad + FH, W = (in_W - 1) * stride - 2 * pad + FW;
    if (in_C < 1 || out_C < 1 || H < 1 || W < 1 || stride < 1 || pad < 0)
        die("transposed convolution: %dx%dx%d with %d filters %dx%d, stride %d, pad %d has no output",
            in_C, in_H, in_W, out_C, FH, FW, stride, pad);
    ConvShape s = conv_shape(out_C, H, W, in_C, FH, FW, stride, pad);
    if (s.OH != in_H || s.OW != in_W)
        die("transposed convolution: %dx%d is not what a %dx%d convolution of %dx%d gives back",
            in_H, in_W, FH, FW, H, W);
    return s;
}

/* y (N, C, Q) += b, a number per channel (none if b is NULL) */
static void add_bias(real *y, const real *b, int N, int C, int Q)
{
    if (!b)
        return;
#pragma omp parallel for schedule(static) if ((long)N * C * Q > PARALLEL_MIN)
    for (int i = 0; i < N; i++)
        for (int c = 0; c < C; c++) {
            real *dst = y + ((size_t)i * C + c) * Q;
            for (int q = 0; q < Q; q++)
                dst[q] += b[c];
        }
}

void conv_transpose_forward(real *y, const real *x, const real *W, const real *b,
                            const ConvShape *s, int N, ConvWork *work)
{
    /* y = col2im(W^T x): the convolution's dx for dy = x, through im2col's
     * algorithm (its chunks, its slices or a thin layer's bands) */
    convolution_im2col_backward(y, NULL, NULL, x, NULL, W, s, N, work);
    add_bias(y, b, N, s->C, s->H * s->W);
}

void conv_transpose_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                             const real *W, const ConvShape *s, int N, ConvWork *work)
{
    /* db += sum of dy over n and the positions: a convolution's db, over the
     * C channels of this layer's output */
    conv_bias_backward(db, dy, N, s->C, s->H * s->W);
    /* dW += x col(dy)^T: a convolution's dW with dy as its input and x as its dout */
    convolution_backward(NULL, dW, NULL, x, dy, W, s, N, work);
    /* dx = conv(dy, W): the convolution this layer transposes */
    if (dx)
        convolution_forward(dx, dy, W, NULL, s, N, work);
}
