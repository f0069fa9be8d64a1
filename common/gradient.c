#include "gradient.h"

#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double numerical_gradient_step(void)
{
    /* The book uses h = 1e-4: small enough for a good estimate, large enough
     * that float rounding in f(x+h) - f(x-h) does not swamp the difference.
     * Doubles carry 9 more digits, so the double build can afford a smaller h
     * (its truncation error h^2 f'''/6 and rounding error eps f/h balance near 1e-5). */
    return sizeof(real) == sizeof(double) ? 1e-5 : 1e-4;
}

void numerical_gradient(ScalarFunction f, void *ctx, real *x, size_t n, real *grad)
{
    const double h = numerical_gradient_step();
    for (size_t i = 0; i < n; i++) {
        real saved = x[i];
        x[i] = (real)(saved + h);
        double fxh1 = f(ctx);           /* f(x + h) */
        x[i] = (real)(saved - h);
        double fxh2 = f(ctx);           /* f(x - h) */
        x[i] = saved;
        /* Divide by the step actually taken: in float, saved + h is rounded. */
        double step = (double)(real)(saved + h) - (double)(real)(saved - h);
        grad[i] = (real)((fxh1 - fxh2) / step);
    }
}

void gradient_descent(ScalarFunction f, void *ctx, real *x, size_t n, double lr,
                      int step_num, real *path)
{
    real grad[64];
    if (n > 64)
        return;     /* meant for plottable functions of a few variables */
    if (path)
        memcpy(path, x, n * sizeof(real));
    for (int s = 0; s < step_num; s++) {
        numerical_gradient(f, ctx, x, n, grad);
        for (size_t i = 0; i < n; i++)
            x[i] -= (real)(lr * grad[i]);
        if (path)
            memcpy(path + (size_t)(s + 1) * n, x, n * sizeof(real));
    }
}

double relative_error(double a, double b)
{
    double scale = fabs(a) + fabs(b);
    return scale == 0 ? 0.0 : fabs(a - b) / scale;
}

double directional_gradient_check(ScalarFunction f, void *ctx, real *x, const real *grad,
                                  size_t n, Rng *rng, double *numerical, double *analytic)
{
    const double h = numerical_gradient_step();
    real *u = xmalloc(n * sizeof(real));
    real *saved = xmalloc(n * sizeof(real));
    memcpy(saved, x, n * sizeof(real));

    /* A normal draw per number, scaled to length 1: every direction equally likely. */
    rng_fill_normal(rng, u, n, 1.0);
    double norm = 0;
    for (size_t i = 0; i < n; i++)
        norm += (double)u[i] * u[i];
    norm = sqrt(norm);
    for (size_t i = 0; i < n; i++)
        u[i] = (real)(u[i] / norm);

    for (size_t i = 0; i < n; i++)
        x[i] = (real)(saved[i] + h * u[i]);
    double f_plus = f(ctx);                 /* f(x + h u) */
    /* x+ and x- are rounded like x itself, so the step actually taken, x+ - x-,
     * is not exactly 2h u: u becomes that step, and the analytic side uses it
     * (as numerical_gradient divides by the step actually taken). */
    for (size_t i = 0; i < n; i++) {
        real plus = x[i];
        x[i] = (real)(saved[i] - h * u[i]);
        u[i] = plus - x[i];
    }
    double f_minus = f(ctx);                /* f(x - h u) */
    memcpy(x, saved, n * sizeof(real));
    double dot = 0;
    for (size_t i = 0; i < n; i++)
        dot += (double)grad[i] * u[i];
    free(u);
    free(saved);

    double num = (f_plus - f_minus) / (2 * h);
    double ana = dot / (2 * h);             /* grad . (x+ - x-) / 2h, which is grad . u */
    if (numerical)
        *numerical = num;
    if (analytic)
        *analytic = ana;
    return relative_error(num, ana);
}
