/* batch_norm.c - BatchNormalization forward and backward (see batch_norm.h).
 *
 * One pair of loops serves both layouts: features (N, D) are channels with one
 * position each, (N, C = D, P = 1); a convolution's (N, C, H, W) has P = H*W
 * positions per channel, and each channel's statistics are taken over all N*P
 * numbers of the channel.
 *
 * Channels are independent, so threads take whole channels (above a size
 * worth waking them for): each sum is still added up by one thread in one
 * order, and the results do not depend on the number of threads. */
#include "batch_norm.h"
#include "threads.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Element (n, c, p) of an (N, C, P) array. */
#define AT(n, c, p) (((size_t)(n) * C + (c)) * P + (p))

/* Each channel's sums run over n, then p, in that order; the loops go n, c, p
 * so that for features (P = 1) the innermost loop can be the features side by
 * side, which the compiler vectorises ("features:" below). Every sum is still
 * added up in the same order, so both give the same bits. Thread t takes
 * channels [c0, c1). */
static void channel_range(int C, int *c0, int *c1)
{
#ifdef _OPENMP
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    int t = 0, nt = 1;
#endif
    *c0 = (int)((long)C * t / nt);
    *c1 = (int)((long)C * (t + 1) / nt);
}

static void forward(real *y, real *xn, real *std, const real *x, const real *gamma, const real *beta,
                    real *running_mean, real *running_var, int N, int C, int P, double momentum, int train)
{
    if (!train) {
        /* y = gamma (x - running_mean) / sqrt(running_var + eps) + beta */
#pragma omp parallel for schedule(static) if ((long)N * C * P > PARALLEL_MIN)
        for (int c = 0; c < C; c++) {
            real scale = gamma[c] / (real)sqrt((double)running_var[c] + BATCH_NORM_EPS);
            real shift = beta[c] - running_mean[c] * scale;
            for (int n = 0; n < N; n++)
                for (int p = 0; p < P; p++)
                    y[AT(n, c, p)] = x[AT(n, c, p)] * scale + shift;
        }
        return;
    }
    const double count = (double)N * P;
    /* Statistics per feature or channel, accumulated in double for accuracy. */
    double *mean = xcalloc(3 * (size_t)C, sizeof(double)), *var = mean + C, *sd = var + C;
#pragma omp parallel if ((long)N * C * P > PARALLEL_MIN)
    {
        int c0, c1;
        channel_range(C, &c0, &c1);
        for (int n = 0; n < N; n++) {
            const real *xr = x + AT(n, 0, 0);
            if (P == 1)                                         /* features: side by side */
                for (int c = c0; c < c1; c++)
                    mean[c] += xr[c];
            else
                for (int c = c0; c < c1; c++)
                    for (int p = 0; p < P; p++)
                        mean[c] += xr[(size_t)c * P + p];
        }
        for (int c = c0; c < c1; c++)
            mean[c] /= count;                                   /* mu = mean(x) */
        for (int n = 0; n < N; n++) {
            const real *xr = x + AT(n, 0, 0);                   /* xc = x - mu */
            if (P == 1)
                for (int c = c0; c < c1; c++)
                    var[c] += (xr[c] - mean[c]) * (xr[c] - mean[c]);
            else
                for (int c = c0; c < c1; c++)
                    for (int p = 0; p < P; p++) {
                        double xc = xr[(size_t)c * P + p] - mean[c];
                        var[c] += xc * xc;
                    }
        }
        for (int c = c0; c < c1; c++) {
            var[c] /= count;                                    /* var = mean(xc^2) */
            sd[c] = sqrt(var[c] + BATCH_NORM_EPS);              /* std = sqrt(var + eps) */
            std[c] = (real)sd[c];
            running_mean[c] = (real)(momentum * running_mean[c] + (1 - momentum) * mean[c]);
            running_var[c] = (real)(momentum * running_var[c] + (1 - momentum) * var[c]);
        }
        for (int n = 0; n < N; n++)                             /* xn = xc / std, */
            for (int c = c0; c < c1; c++)                       /* y = gamma xn + beta */
                for (int p = 0; p < P; p++) {
                    size_t i = AT(n, c, p);
                    xn[i] = (real)((x[i] - mean[c]) / sd[c]);
                    y[i] = gamma[c] * xn[i] + beta[c];
                }
    }
    free(mean);
}

static void backward(real *dx, real *dgamma, real *dbeta, const real *dy, const real *xn,
                     const real *std, const real *gamma, int N, int C, int P)
{
    const double count = (double)N * P;
    double *sum_dy = xcalloc(5 * (size_t)C, sizeof(double)), *sum_dy_xn = sum_dy + C;
    double *g = sum_dy + 2 * C, *m1 = sum_dy + 3 * C, *m2 = sum_dy + 4 * C;
#pragma omp parallel if ((long)N * C * P > PARALLEL_MIN)
    {
        int c0, c1;
        channel_range(C, &c0, &c1);
        for (int n = 0; n < N; n++) {
            const real *dyr = dy + AT(n, 0, 0), *xnr = xn + AT(n, 0, 0);
            if (P == 1)                                         /* features: side by side */
                for (int c = c0; c < c1; c++) {
                    sum_dy[c] += dyr[c];
                    sum_dy_xn[c] += (double)dyr[c] * xnr[c];
                }
            else
                for (int c = c0; c < c1; c++)
                    for (int p = 0; p < P; p++) {
                        size_t i = (size_t)c * P + p;
                        sum_dy[c] += dyr[i];
                        sum_dy_xn[c] += (double)dyr[i] * xnr[i];
                    }
        }
        /* dxn = gamma dy; then through xn = (x - mu) / std, where mu and std
         * depend on every x of the channel:
         *   dx = (1 / std) (dxn - mean(dxn) - xn mean(dxn xn)) */
        for (int c = c0; c < c1; c++) {
            dbeta[c] += (real)sum_dy[c];                        /* dbeta = sum dy */
            dgamma[c] += (real)sum_dy_xn[c];                    /* dgamma = sum dy xn */
            g[c] = (double)gamma[c] / std[c];
            m1[c] = sum_dy[c] / count;
            m2[c] = sum_dy_xn[c] / count;
        }
        for (int n = 0; n < N; n++)
            for (int c = c0; c < c1; c++)
                for (int p = 0; p < P; p++) {
                    size_t i = AT(n, c, p);
                    dx[i] = (real)(g[c] * (dy[i] - m1[c] - xn[i] * m2[c]));
                }
    }
    free(sum_dy);
}

void batch_norm_forward(real *y, real *xn, real *std, const real *x, const real *gamma,
                        const real *beta, real *running_mean, real *running_var,
                        int N, int D, double momentum, int train)
{
    forward(y, xn, std, x, gamma, beta, running_mean, running_var, N, D, 1, momentum, train);
}

void batch_norm_backward(real *dx, real *dgamma, real *dbeta, const real *dy, const real *xn,
                         const real *std, const real *gamma, int N, int D)
{
    backward(dx, dgamma, dbeta, dy, xn, std, gamma, N, D, 1);
}

void batch_norm_channels_forward(real *y, real *xn, real *std, const real *x, const real *gamma,
                                 const real *beta, real *running_mean, real *running_var,
                                 int N, int C, int P, double momentum, int train)
{
    forward(y, xn, std, x, gamma, beta, running_mean, running_var, N, C, P, momentum, train);
}

void batch_norm_channels_backward(real *dx, real *dgamma, real *dbeta, const real *dy, const real *xn,
                                  const real *std, const real *gamma, int N, int C, int P)
{
    backward(dx, dgamma, dbeta, dy, xn, std, gamma, N, C, P);
}
