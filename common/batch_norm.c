/* batch_norm.c - BatchNormalization forward and backward (see batch_norm.h). */
#include "batch_norm.h"

#include <math.h>

void batch_norm_forward(real *y, real *xn, real *std, const real *x, const real *gamma,
                        const real *beta, real *running_mean, real *running_var,
                        int N, int D, double momentum, int train)
{
    if (!train) {
        /* y = gamma (x - running_mean) / sqrt(running_var + eps) + beta */
        for (int j = 0; j < D; j++) {
            real scale = gamma[j] / (real)sqrt((double)running_var[j] + BATCH_NORM_EPS);
            real shift = beta[j] - running_mean[j] * scale;
            for (int n = 0; n < N; n++)
                y[(size_t)n * D + j] = x[(size_t)n * D + j] * scale + shift;
        }
        return;
    }
    /* Statistics per feature (column), accumulated in double for accuracy. */
    for (int j = 0; j < D; j++) {
        double mean = 0, var = 0;
        for (int n = 0; n < N; n++)
            mean += x[(size_t)n * D + j];
        mean /= N;                                              /* mu = mean_n(x) */
        for (int n = 0; n < N; n++) {
            double xc = x[(size_t)n * D + j] - mean;            /* xc = x - mu */
            var += xc * xc;
        }
        var /= N;                                               /* var = mean_n(xc^2) */
        double s = sqrt(var + BATCH_NORM_EPS);                  /* std = sqrt(var + eps) */
        std[j] = (real)s;
        for (int n = 0; n < N; n++) {
            size_t i = (size_t)n * D + j;
            xn[i] = (real)((x[i] - mean) / s);                  /* xn = xc / std */
            y[i] = gamma[j] * xn[i] + beta[j];                  /* y = gamma xn + beta */
        }
        running_mean[j] = (real)(momentum * running_mean[j] + (1 - momentum) * mean);
        running_var[j] = (real)(momentum * running_var[j] + (1 - momentum) * var);
    }
}

void batch_norm_backward(real *dx, real *dgamma, real *dbeta, const real *dy, const real *xn,
                         const real *std, const real *gamma, int N, int D)
{
    for (int j = 0; j < D; j++) {
        double sum_dy = 0, sum_dy_xn = 0;
        for (int n = 0; n < N; n++) {
            size_t i = (size_t)n * D + j;
            sum_dy += dy[i];
            sum_dy_xn += (double)dy[i] * xn[i];
        }
        dbeta[j] += (real)sum_dy;                               /* dbeta = sum_n dy */
        dgamma[j] += (real)sum_dy_xn;                           /* dgamma = sum_n dy xn */
        /* dxn = gamma dy; then through xn = (x - mu) / std, where mu and std
         * depend on every x of the column:
         *   dx = (1 / std) (dxn - mean_n(dxn) - xn mean_n(dxn xn)) */
        double g = (double)gamma[j] / std[j];
        double m1 = sum_dy / N, m2 = sum_dy_xn / N;
        for (int n = 0; n < N; n++) {
            size_t i = (size_t)n * D + j;
            dx[i] = (real)(g * (dy[i] - m1 - xn[i] * m2));
        }
    }
}
