/* time_layers.c - TimeAffine, TimeSoftmaxWithLoss, TimeDropout (the sequel's time_layers.py). */
#include "time_layers.h"
#include "functions.h"
#include "layers.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

/* ---- TimeAffine --------------------------------------------------------------------------- */

void time_affine_forward(real *ys, const real *xs, const real *W, const real *b, int N, int T, int D, int M)
{
    affine_forward(ys, xs, W, b, N * T, D, M);          /* (N, T, D) is N*T rows of D */
}

void time_affine_backward(real *dxs, real *dW, real *db, const real *dys, const real *xs,
                          const real *W, int N, int T, int D, int M)
{
    affine_backward(dxs, dW, db, dys, xs, W, N * T, D, M);
}

/* ---- TimeSoftmaxWithLoss ---------------------------------------------------------------- */

/* How many labels count; dies on a label that is neither a class nor IGNORE_LABEL. */
static int counted_labels(const int *ts, int rows, int V)
{
    int count = 0;
    for (int r = 0; r < rows; r++) {
        if (ts[r] == IGNORE_LABEL)
            continue;
        if (ts[r] < 0 || ts[r] >= V)
            die("TimeSoftmaxWithLoss: label %d at position %d is neither in [0, %d) nor %d (ignored)",
                ts[r], r, V, IGNORE_LABEL);
        count++;
    }
    return count;
}

/* Rows of exponentials worth two threads: the seq2seq decoders' 512 rows of
 * 13 took 68 us on one. */
#define SOFTMAX_PARALLEL_MIN 4096

real time_softmax_with_loss_forward(real *ys, const real *xs, const int *ts, int N, int T, int V)
{
    const int rows = N * T;
    int count = counted_labels(ts, rows, V);
    /* Each row on its own (the threads take bands of them), its loss kept
     * apart and the losses added in the rows' order: the same sum on any
     * number of threads. */
    double *row_loss = xmalloc((size_t)rows * sizeof(double));
#pragma omp parallel for schedule(static) if ((long)rows * V >= SOFTMAX_PARALLEL_MIN)
    for (int r = 0; r < rows; r++) {
        const real *x = xs + (size_t)r * V;
        softmax(ys + (size_t)r * V, x, 1, V);
        if (ts[r] == IGNORE_LABEL)
            continue;                                   /* padding: not part of the loss */
        /* -log softmax(x)[t] = log(sum exp(x - max)) - (x[t] - max): exact, and
         * finite even where y[t] rounds to 0 (as in SoftmaxWithLoss). */
        double max = x[0], sum = 0;
        for (int c = 1; c < V; c++)
            if (x[c] > max)
                max = x[c];
        for (int c = 0; c < V; c++)
            sum += exp((double)x[c] - max);
        row_loss[r] = log(sum) - ((double)x[ts[r]] - max);
    }
    double loss = 0;
    for (int r = 0; r < rows; r++)
        if (ts[r] != IGNORE_LABEL)
            loss += row_loss[r];
    free(row_loss);
    return count ? (real)(loss / count) : 0;
}

void time_softmax_with_loss_backward(real *dxs, const real *ys, const int *ts, int N, int T, int V)
{
    const int rows = N * T;
    int count = counted_labels(ts, rows, V);
    /* The loss is a mean over the counted positions, hence the 1/count. */
    real scale = count ? (real)1 / count : 0;
    for (int r = 0; r < rows; r++) {
        const real *y = ys + (size_t)r * V;
        real *dx = dxs + (size_t)r * V;
        for (int c = 0; c < V; c++)
            dx[c] = ts[r] == IGNORE_LABEL ? 0 : (y[c] - (c == ts[r] ? 1 : 0)) * scale;
    }
}

/* ---- TimeDropout -------------------------------------------------------------------------- */

void time_dropout_mask(real *mask, size_t n, double ratio, Rng *rng)
{
    if (!(ratio >= 0 && ratio < 1))
        die("TimeDropout: ratio %g is not in [0, 1)", ratio);
    const real scale = (real)(1 / (1 - ratio));
    for (size_t i = 0; i < n; i++)
        mask[i] = rng_uniform(rng) > ratio ? scale : 0;     /* kept with probability 1 - ratio */
}

void time_dropout_forward(real *ys, const real *xs, const real *mask, size_t n, int train)
{
    for (size_t i = 0; i < n; i++)
        ys[i] = train ? xs[i] * mask[i] : xs[i];
}

void time_dropout_backward(real *dxs, const real *dys, const real *mask, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dxs[i] = dys[i] * mask[i];
}
