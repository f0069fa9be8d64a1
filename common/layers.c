#include "layers.h"
#include "functions.h"
#include "matmul.h"
#include "threads.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Affine ---------------------------------------------------------------- */

/* y = x W + b
 *   x (N, in), W (in, out), b (out), y (N, out) */
void affine_forward(real *y, const real *x, const real *W, const real *b, int N, int in, int out)
{
    matmul(0, 0, N, out, in, x, W, 0, y);           /* y = x W */
    for (int n = 0; n < N; n++) {
        real *row = y + (size_t)n * out;
        for (int j = 0; j < out; j++)
            row[j] += b[j];                         /* + b, broadcast over rows */
    }
}

/* dW += x^T dy for an Affine of a few outputs (10 digits, 13 characters):
 * x^T dy (in, out) would fill only `out` of the 32 columns of the matrix
 * multiply's register tile. So it computes dW^T += dy^T x (out, in) instead,
 * through a transposed copy of dW, where the outputs are rows (2 tiles of 8
 * for 13). Each element is the same products added in the same order (a
 * fused multiply-add gives the same a b + c as b a + c), so the same bits,
 * in half the time: 20 us against 40-45 for the seq2seq decoders' 512 x 256
 * -> 13 on 2 threads. */
/* "A few": from 2 up to this many outputs, with at least 4 times as many inputs. */
#define AFFINE_NARROW 16

void affine_narrow_dW(real *dW, const real *dy, const real *x, int N, int in, int out)
{
    real *dWT = xmalloc((size_t)in * out * sizeof(real));
    for (int i = 0; i < in; i++)
        for (int j = 0; j < out; j++)
            dWT[(size_t)j * in + i] = dW[(size_t)i * out + j];
    matmul(1, 0, out, in, N, dy, x, 1, dWT);        /* dW^T += dy^T x */
    for (int i = 0; i < in; i++)
        for (int j = 0; j < out; j++)
            dW[(size_t)i * out + j] = dWT[(size_t)j * in + i];
    free(dWT);
}

void affine_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                     const real *W, int N, int in, int out)
{
    if (dx)
        matmul(0, 1, N, in, out, dy, W, 0, dx);     /* dx = dy W^T */
    if (!dW)
        return;
    if (out > 1 && out < AFFINE_NARROW && in >= 4 * out)
        affine_narrow_dW(dW, dy, x, N, in, out);    /* the same, faster for few outputs */
    else
        matmul(1, 0, in, out, N, x, dy, 1, dW);     /* dW += x^T dy */
    for (int n = 0; n < N; n++) {
        const real *row = dy + (size_t)n * out;
        for (int j = 0; j < out; j++)
            db[j] += row[j];                        /* db += sum over the batch */
    }
}

/* ---- Relu -------------------------------------------------------------------- */

/* A convolution's activations run to megabytes, and one thread cannot keep
 * the memory busy: arrays of PARALLEL_MIN numbers or more (threads.h) are
 * split over the OpenMP threads. */

void relu_forward(real *y, const real *x, size_t n)
{
#pragma omp parallel for schedule(static) if (n > PARALLEL_MIN)
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0 ? x[i] : 0;
}

void relu_backward(real *dx, const real *dy, const real *y, size_t n)
{
#pragma omp parallel for schedule(static) if (n > PARALLEL_MIN)
    for (size_t i = 0; i < n; i++)
        dx[i] = y[i] > 0 ? dy[i] : 0;               /* the gradient flows where x > 0 */
}

/* ---- LeakyReLU ---------------------------------------------------------------- */

void leaky_relu_forward(real *y, const real *x, size_t n, real alpha)
{
#pragma omp parallel for schedule(static) if (n > PARALLEL_MIN)
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0 ? x[i] : alpha * x[i];
}

void leaky_relu_backward(real *dx, const real *dy, const real *y, size_t n, real alpha)
{
#pragma omp parallel for schedule(static) if (n > PARALLEL_MIN)
    for (size_t i = 0; i < n; i++)
        dx[i] = y[i] > 0 ? dy[i] : alpha * dy[i];   /* slope 1 or alpha, never 0 */
}

/* ---- Sigmoid ----------------------------------------------------------------- */

void sigmoid_forward(real *y, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = sigmoid(x[i]);
}

void sigmoid_backward(real *dx, const real *dy, const real *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * y[i] * (1 - y[i]);          /* d sigmoid = y (1 - y) */
}

/* ---- Tanh -------------------------------------------------------------------- */

void tanh_forward(real *y, const real *x, size_t n)
{
    /* tanh from the maths library is some twenty times dearer than a ReLU:
     * worth the threads even for a generator's 64 images */
#pragma omp parallel for schedule(static) if (n > PARALLEL_MIN)
    for (size_t i = 0; i < n; i++)
        y[i] = (real)tanh(x[i]);
}

void tanh_backward(real *dx, const real *dy, const real *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * (1 - y[i] * y[i]);          /* d tanh = 1 - y^2 */
}

/* ---- SoftmaxWithLoss --------------------------------------------------------- */

real softmax_with_loss_forward(real *y, const real *x, const int *t, int N, int C)
{
    softmax(y, x, N, C);
    /* The loss straight from the scores: -log softmax(x)[t] = log(sum exp(x - max)) - (x[t] - max).
     * Unlike -log(y[t] + delta) this is exact, and finite even where y[t] rounds to 0. */
    double loss = 0;
    for (int n = 0; n < N; n++) {
        const real *xr = x + (size_t)n * C;
        double max = xr[0], sum = 0;
        for (int c = 1; c < C; c++)
            if (xr[c] > max)
                max = xr[c];
        for (int c = 0; c < C; c++)
            sum += exp((double)xr[c] - max);
        loss += log(sum) - ((double)xr[t[n]] - max);
    }
    return (real)(loss / N);
}

void softmax_with_loss_backward(real *dx, const real *y, const int *t, int N, int C)
{
    /* The loss is a mean over the batch, hence the 1/N. */
    real scale = (real)1 / N;
    for (int n = 0; n < N; n++) {
        const real *yr = y + (size_t)n * C;
        real *dr = dx + (size_t)n * C;
        for (int c = 0; c < C; c++)
            dr[c] = (yr[c] - (c == t[n] ? 1 : 0)) * scale;
    }
}
