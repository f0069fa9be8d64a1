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

#include <math.h>

/* Element (n, c, p) of an (N, C, P) array. */
#define AT(n, c, p) (((size_t)(n) * C + (c)) * P + (p))

/* Worth waking the threads for: some tens of thousands of numbers. */
#define PARALLEL_SIZE (1L << 15)

static void forward(real *y, real *xn, real *std, const real *x, const real *gamma, const real *beta,
                    real *running_mean, real *running_var, int N, int C, int P, double momentum, int train)
{
    if (!train) {
        /* y = gamma (x - running_mean) / sqrt(running_var + eps) + beta */
#pragma omp parallel for schedule(static) if ((long)N * C * P > PARALLEL_SIZE)
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
#pragma omp parallel for schedule(static) if ((long)N * C * P > PARALLEL_SIZE)
    for (int c = 0; c < C; c++) {
        double mean = 0, var = 0;
        for (int n = 0; n < N; n++)
            for (int p = 0; p < P; p++)
                mean += x[AT(n, c, p)];
        mean /= count;                                          /* mu = mean(x) */
        for (int n = 0; n < N; n++)
            for (int p = 0; p < P; p++) {
                double xc = x[AT(n, c, p)] - mean;              /* xc = x - mu */
                var += xc * xc;
            }
        var /= count;                                           /* var = mean(xc^2) */
        double s = sqrt(var + BATCH_NORM_EPS);                  /* std = sqrt(var + eps) */
        std[c] = (real)s;
        for (int n = 0; n < N; n++)
            for (int p = 0; p < P; p++) {
                size_t i = AT(n, c, p);
                xn[i] = (real)((x[i] - mean) / s);              /* xn = xc / std */
                y[i] = gamma[c] * xn[i] + beta[c];              /* y = gamma xn + beta */
            }
        running_mean[c] = (real)(momentum * running_mean[c] + (1 - momentum) * mean);
        running_var[c] = (real)(momentum * running_var[c] + (1 - momentum) * var);
    }
}

static void backward(real *dx, real *dgamma, real *dbeta, const real *dy, const real *xn,
                     const real *std, const real *gamma, int N, int C, int P)
{
    const double count = (double)N * P;
#pragma omp parallel for schedule(static) if ((long)N * C * P > PARALLEL_SIZE)
    for (int c = 0; c < C; c++) {
        double sum_dy = 0, sum_dy_xn = 0;
        for (int n = 0; n < N; n++)
            for (int p = 0; p < P; p++) {
                size_t i = AT(n, c, p);
                sum_dy += dy[i];
                sum_dy_xn += (double)dy[i] * xn[i];
            }
        dbeta[c] += (real)sum_dy;                               /* dbeta = sum dy */
        dgamma[c] += (real)sum_dy_xn;                           /* dgamma = sum dy xn */
        /* dxn = gamma dy; then through xn = (x - mu) / std, where mu and std
         * depend on every x of the channel:
         *   dx = (1 / std) (dxn - mean(dxn) - xn mean(dxn xn)) */
        double g = (double)gamma[c] / std[c];
        double m1 = sum_dy / count, m2 = sum_dy_xn / count;
        for (int n = 0; n < N; n++)
            for (int p = 0; p < P; p++) {
                size_t i = AT(n, c, p);
                dx[i] = (real)(g * (dy[i] - m1 - xn[i] * m2));
            }
    }
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
