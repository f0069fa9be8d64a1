#include "im2col.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int conv_output_size(int in, int filter, int stride, int pad)
{
    return (in + 2 * pad - filter) / stride + 1;
}

/* Row (c, fy, fx) of col, for image n and output row oy, is the image row
 * y = oy*stride + fy - pad read at x = ox*stride + fx - pad for ox = 0..OW-1:
 * with stride 1 a contiguous run of the image row, with zeros where x or y
 * fall on the padding. The loops below go row of col by row of col, so every
 * write is sequential. Channels are independent, so threads take channels:
 * inside the convolution's own parallel slices (a few images each) that
 * is one thread, and for the "thin" layers of convolution.c, which share one
 * chunk between the threads, all of them. Either way every number of col (and
 * every sum of col2im) is made by one thread in one order. */

/* Worth waking the threads for: some hundred thousand numbers. */
#define PARALLEL_REALS (1L << 17)

/* The range of ox whose x = ox*stride + off lies inside [0, W). */
static void inside(int off, int stride, int W, int OW, int *lo, int *hi)
{
    int a = off >= 0 ? 0 : (-off + stride - 1) / stride;
    int b = W - off > 0 ? (W - off + stride - 1) / stride : 0;     /* first ox past the edge */
    *lo = a < OW ? a : OW;
    *hi = b < OW ? b : OW;
    if (*hi < *lo)
        *hi = *lo;
}

/* Strided filters with small outputs (the DCGAN's 4x4 filters, stride 2, on
 * 14x14 and 28x28 images) make rows of col of only 7 or 14 numbers, too short
 * for the row copies below to pay. There each image plane is first copied
 * into a zeroed, padded plane; then every row of col is read from it through
 * one table of P offsets, the same for every row: no edges to test. (Measured:
 * 1.7x faster for the DCGAN's second layer. col2im the same way, adding
 * through the table, was slower than its loops below, so it keeps them.) */
#define PADDED_MAX 4096     /* the padded plane lives on the stack */

static int use_table(int H, int W, int OW, int stride, int pad)
{
    return stride > 1 && OW < 16 && (size_t)(H + 2 * pad) * (W + 2 * pad) <= PADDED_MAX;
}

/* off[p] for output position p = (oy, ox): its top-left pixel in a padded plane
 * S wide; the filter tap (fy, fx) adds fy * S + fx. */
static void offsets(int *off, int OH, int OW, int stride, int S)
{
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++)
            off[oy * OW + ox] = oy * stride * S + ox * stride;
}

static void im2col_table(real *col, const real *x, int N, int C, int H, int W,
                         int FH, int FW, int stride, int pad, int OH, int OW)
{
    const int P = OH * OW, S = W + 2 * pad, R = H + 2 * pad;
    const size_t cols = (size_t)N * P;
    int *off = xmalloc((size_t)P * sizeof(int));
    offsets(off, OH, OW, stride, S);
#pragma omp parallel for schedule(static) if ((long)cols * C * FH * FW > PARALLEL_REALS)
    for (int c = 0; c < C; c++) {
        real padded[PADDED_MAX];
        memset(padded, 0, (size_t)R * S * sizeof(real));
        for (int n = 0; n < N; n++) {
            const real *plane = x + ((size_t)n * C + c) * H * W;
            for (int y = 0; y < H; y++)
                memcpy(padded + (size_t)(y + pad) * S + pad, plane + (size_t)y * W, W * sizeof(real));
            for (int fy = 0; fy < FH; fy++)
                for (int fx = 0; fx < FW; fx++) {
                    const real *src = padded + fy * S + fx;
                    real *dst = col + ((size_t)(c * FH + fy) * FW + fx) * cols + (size_t)n * P;
                    for (int p = 0; p < P; p++)
                        dst[p] = src[off[p]];
                }
        }
    }
    free(off);
}

void im2col(real *col, const real *x, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad)
{
    const int OH = conv_output_size(H, FH, stride, pad), OW = conv_output_size(W, FW, stride, pad);
    if (use_table(H, W, OW, stride, pad)) {
        im2col_table(col, x, N, C, H, W, FH, FW, stride, pad, OH, OW);
        return;
    }
    const size_t cols = (size_t)N * OH * OW;
#pragma omp parallel for schedule(static) if ((long)cols * C * FH * FW > PARALLEL_REALS)
    for (int c = 0; c < C; c++)
        for (int fy = 0; fy < FH; fy++)
            for (int fx = 0; fx < FW; fx++) {
                real *row = col + ((size_t)(c * FH + fy) * FW + fx) * cols;
                int lo, hi;
                inside(fx - pad, stride, W, OW, &lo, &hi);
                for (int n = 0; n < N; n++) {
                    const real *plane = x + ((size_t)n * C + c) * H * W;
                    for (int oy = 0; oy < OH; oy++) {
                        real *dst = row + ((size_t)n * OH + oy) * OW;
                        int y = oy * stride + fy - pad;
                        if (y < 0 || y >= H) {                  /* a row of padding */
                            memset(dst, 0, OW * sizeof(real));
                            continue;
                        }
                        const real *src = plane + (size_t)y * W;
                        for (int ox = 0; ox < lo; ox++)
                            dst[ox] = 0;
                        if (stride == 1)
                            memcpy(dst + lo, src + lo + fx - pad, (hi - lo) * sizeof(real));
                        else
                            for (int ox = lo; ox < hi; ox++)
                                dst[ox] = src[ox * stride + fx - pad];
                        for (int ox = hi; ox < OW; ox++)
                            dst[ox] = 0;
                    }
                }
            }
}

void col2im(real *x, const real *col, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad)
{
    const int OH = conv_output_size(H, FH, stride, pad), OW = conv_output_size(W, FW, stride, pad);
    const size_t cols = (size_t)N * OH * OW;
#pragma omp parallel for schedule(static) if ((long)cols * C * FH * FW > PARALLEL_REALS)
    for (int c = 0; c < C; c++) {
        for (int n = 0; n < N; n++)
            memset(x + ((size_t)n * C + c) * H * W, 0, (size_t)H * W * sizeof(real));
        for (int fy = 0; fy < FH; fy++)
            for (int fx = 0; fx < FW; fx++) {
                const real *row = col + ((size_t)(c * FH + fy) * FW + fx) * cols;
                int lo, hi;
                inside(fx - pad, stride, W, OW, &lo, &hi);
                for (int n = 0; n < N; n++) {
                    real *plane = x + ((size_t)n * C + c) * H * W;
                    for (int oy = 0; oy < OH; oy++) {
                        int y = oy * stride + fy - pad;
                        if (y < 0 || y >= H)
                            continue;                           /* fell on the padding */
                        const real *src = row + ((size_t)n * OH + oy) * OW;
                        real *dst = plane + (size_t)y * W;
                        if (stride == 1) {      /* contiguous: GCC vectorises this one */
                            real *to = dst + fx - pad;
                            for (int ox = lo; ox < hi; ox++)
                                to[ox] += src[ox];
                        } else {
                            for (int ox = lo; ox < hi; ox++)
                                dst[ox * stride + fx - pad] += src[ox]; /* overlapping patches add up */
                        }
                    }
                }
            }
    }
}
