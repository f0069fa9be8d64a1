#include "convolution.h"
#include "im2col.h"
#include "matmul.h"
#include "util.h"

/* Loops smaller than this stay on one thread: waking the others would cost more. */
#define PARALLEL_MIN (1 << 15)

ConvShape conv_shape(int C, int H, int W, int FN, int FH, int FW, int stride, int pad)
{
    ConvShape s = {C, H, W, FN, FH, FW, stride, pad, 0, 0};
    if (C < 1 || H < 1 || W < 1 || FN < 1 || FH < 1 || FW < 1 || stride < 1 || pad < 0)
        die("convolution: bad shape (C %d, H %d, W %d, FN %d, FH %d, FW %d, stride %d, pad %d)",
            C, H, W, FN, FH, FW, stride, pad);
    if (H + 2 * pad < FH || W + 2 * pad < FW)
        die("convolution: a %dx%d filter does not fit a %dx%d input with padding %d", FH, FW, H, W, pad);
    s.OH = conv_output_size(H, FH, stride, pad);
    s.OW = conv_output_size(W, FW, stride, pad);
    return s;
}

size_t conv_col_size(const ConvShape *s, int N)
{
    return (size_t)N * s->OH * s->OW * s->C * s->FH * s->FW;
}

size_t conv_out_size(const ConvShape *s, int N)
{
    return (size_t)N * s->FN * s->OH * s->OW;
}

void convolution_forward(real *y, real *col, real *work, const real *x, const real *W,
                         const real *b, const ConvShape *s, int N)
{
    const int P = s->OH * s->OW, FN = s->FN, K = s->C * s->FH * s->FW;
    im2col(col, x, N, s->C, s->H, s->W, s->FH, s->FW, s->stride, s->pad);
    /* out = col W^T: (N*P, K) times (K, FN); W is stored (FN, K), hence transB */
    matmul(0, 1, N * P, FN, K, col, W, 0, work);
    /* (N, P, FN) -> (N, FN, P), adding the bias on the way */
#pragma omp parallel for schedule(static) if ((long)N * P * FN > PARALLEL_MIN)
    for (int n = 0; n < N; n++) {
        const real *src = work + (size_t)n * P * FN;
        real *dst = y + (size_t)n * FN * P;
        for (int f = 0; f < FN; f++)
            for (int p = 0; p < P; p++)
                dst[(size_t)f * P + p] = src[(size_t)p * FN + f] + b[f];
    }
}

void convolution_backward(real *dx, real *dW, real *db, real *dcol, real *work,
                          const real *dy, const real *col, const real *W,
                          const ConvShape *s, int N)
{
    const int P = s->OH * s->OW, FN = s->FN, K = s->C * s->FH * s->FW;
    /* dout: dy (N, FN, P) -> (N, P, FN), the layout of the forward's product */
#pragma omp parallel for schedule(static) if ((long)N * P * FN > PARALLEL_MIN)
    for (int n = 0; n < N; n++) {
        const real *src = dy + (size_t)n * FN * P;
        real *dst = work + (size_t)n * P * FN;
        for (int f = 0; f < FN; f++)
            for (int p = 0; p < P; p++)
                dst[(size_t)p * FN + f] = src[(size_t)f * P + p];
    }
    /* db += sum of dy over the batch and the positions (one thread per filter) */
#pragma omp parallel for schedule(static) if ((long)N * P * FN > PARALLEL_MIN)
    for (int f = 0; f < FN; f++) {
        double sum = 0;
        for (int n = 0; n < N; n++) {
            const real *src = dy + ((size_t)n * FN + f) * P;
            for (int p = 0; p < P; p++)
                sum += src[p];
        }
        db[f] += (real)sum;
    }
    /* dW += dout^T col: (FN, N*P) times (N*P, K) */
    matmul(1, 0, FN, K, N * P, work, col, 1, dW);
    if (!dx)
        return;
    /* dcol = dout W: (N*P, FN) times (FN, K); then back onto the pixels */
    matmul(0, 0, N * P, K, FN, work, W, 0, dcol);
    col2im(dx, dcol, N, s->C, s->H, s->W, s->FH, s->FW, s->stride, s->pad);
}

void convolution_direct_forward(real *y, const real *x, const real *W, const real *b,
                                const ConvShape *s, int N)
{
    for (int n = 0; n < N; n++)
        for (int f = 0; f < s->FN; f++)
            for (int oy = 0; oy < s->OH; oy++)
                for (int ox = 0; ox < s->OW; ox++) {
                    real sum = b[f];
                    for (int c = 0; c < s->C; c++)
                        for (int fy = 0; fy < s->FH; fy++)
                            for (int fx = 0; fx < s->FW; fx++) {
                                int iy = oy * s->stride + fy - s->pad;
                                int ix = ox * s->stride + fx - s->pad;
                                if (iy < 0 || iy >= s->H || ix < 0 || ix >= s->W)
                                    continue;       /* the zero padding */
                                sum += W[((size_t)(f * s->C + c) * s->FH + fy) * s->FW + fx] *
                                       x[((size_t)(n * s->C + c) * s->H + iy) * s->W + ix];
                            }
                    y[(((size_t)n * s->FN + f) * s->OH + oy) * s->OW + ox] = sum;
                }
}
