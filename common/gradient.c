#include "gradient.h"

#include <math.h>
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
    return scale < 1e-12 ? 0.0 : fabs(a - b) / scale;
}
