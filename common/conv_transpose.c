/* conv_transpose.c - transposed convolution through col2im (see conv_transpose.h). */
#include "conv_transpose.h"
#include "im2col.h"
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

/* The convolution's slicing, as in convolution.c: a fixed number of slices of
 * the batch, so the results do not depend on the number of threads, and chunks
 * of as many images as the scratch holds (dcol is K x g*P, the input FN x g*P). */
static int chunk_images(const ConvShape *s, const ConvWork *work)
{
    size_t K = (size_t)s->C * s->FH * s->FW, rows = K > (size_t)s->FN ? K : (size_t)s->FN;
    size_t per_image = (size_t)s->OH * s->OW * rows;
    size_t n = work->cap / per_image;
    return n < 1 ? 1 : (int)n;
}

/* y (g, C, Q) += b, a number per channel (none if b is NULL) */
static void add_bias(real *y, const real *b, int g, int C, int Q)
{
    if (b)
        for (int i = 0; i < g; i++)
            for (int c = 0; c < C; c++) {
                real *dst = y + ((size_t)i * C + c) * Q;
                for (int q = 0; q < Q; q++)
                    dst[q] += b[c];
            }
}

/* g images from image n, through in and dcol: on this thread (inside the
 * slices' parallel loop), or with all threads on the multiply (shared: a thin
 * layer). */
static void forward_chunk(real *y, const real *x, const real *W, const real *b, const ConvShape *s,
                          int n, int g, real *in, real *dcol, int shared)
{
    const int P = s->OH * s->OW, FN = s->FN, K = s->C * s->FH * s->FW, Q = s->H * s->W;
    real *yn = y + (size_t)n * s->C * Q;
    conv_images_to_rows(in, x + (size_t)n * FN * P, FN, g, P);
    /* dcol = W^T x: (K, FN) times (FN, g*P); then onto the pixels of y */
    conv_multiply(shared, 1, 0, K, g * P, FN, W, in, 0, dcol);
    col2im(yn, dcol, g, s->C, s->H, s->W, s->FH, s->FW, s->stride, s->pad);
    add_bias(yn, b, g, s->C, Q);
}

void conv_transpose_forward(real *y, const real *x, const real *W, const real *b,
                            const ConvShape *s, int N, ConvWork *work)
{
    const int P = s->OH * s->OW, K = s->C * s->FH * s->FW;
    if (conv_thin(s, N)) {              /* a band of the batch per thread, wide chunks */
        const int G = conv_thin_images(s), T = conv_thin_threads(work);
#pragma omp parallel for schedule(static) num_threads(T) if (T > 1)
        for (int t = 0; t < T; t++) {
            const int n0 = (int)((long)N * t / T), n1 = (int)((long)N * (t + 1) / T);
            for (int n = n0; n < n1; n += G)
                forward_chunk(y, x, W, b, s, n, n1 - n < G ? n1 - n : G, work->out[t], work->dcol[t], 0);
        }
        return;
    }
    const int G = chunk_images(s, work);
#pragma omp parallel for schedule(static) if ((long)N * P * K > (1L << 15))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        for (int n = n0; n < n1; n += G)
            forward_chunk(y, x, W, b, s, n, n1 - n < G ? n1 - n : G, work->out[k], work->dcol[k], 0);
    }
}

void conv_transpose_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                             const real *W, const ConvShape *s, int N, ConvWork *work)
{
    const int Q = s->H * s->W;
    /* db += sum of dy over n and the positions */
    for (int c = 0; c < s->C; c++) {
        double sum = 0;
        for (int n = 0; n < N; n++) {
            const real *src = dy + ((size_t)n * s->C + c) * Q;
            for (int q = 0; q < Q; q++)
                sum += src[q];
        }
        db[c] += (real)sum;
    }
    /* dW += x col(dy)^T: a convolution's dW with dy as its input and x as its dout */
    convolution_backward(NULL, dW, NULL, x, dy, W, s, N, work);
    /* dx = conv(dy, W): the convolution this layer transposes */
    if (dx)
        convolution_forward(dx, dy, W, NULL, s, N, work);
}
