#include "functions.h"

#include <math.h>

real step_function(real x)
{
    return x > 0 ? 1 : 0;
}

real sigmoid(real x)
{
    /* For very negative x, exp(-x) overflows; 1/(1+inf) is still 0, but the
     * symmetric form avoids computing an infinity at all. */
    if (x >= 0)
        return 1 / (1 + exp(-x));
    real e = exp(x);
    return e / (1 + e);
}

real relu(real x)
{
    return x > 0 ? x : 0;
}

void softmax(real *y, const real *x, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const real *xr = x + (size_t)n * C;
        real *yr = y + (size_t)n * C;
        real max = xr[0];
        for (int c = 1; c < C; c++)
            if (xr[c] > max)
                max = xr[c];
        real sum = 0;
        for (int c = 0; c < C; c++) {
            yr[c] = exp(xr[c] - max);   /* every exponent <= 0: no overflow */
            sum += yr[c];
        }
        for (int c = 0; c < C; c++)
            yr[c] /= sum;               /* sum >= 1: no division by zero */
    }
}

real cross_entropy_error(const real *y, const int *t, int N, int C)
{
    const double delta = 1e-7;
    double loss = 0;
    for (int n = 0; n < N; n++)
        loss -= log(y[(size_t)n * C + t[n]] + delta);
    return (real)(loss / N);
}

real mean_squared_error(const real *y, const int *t, int N, int C)
{
    double sum = 0;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            double d = y[(size_t)n * C + c] - (c == t[n] ? 1.0 : 0.0);
            sum += d * d;
        }
    return (real)(0.5 * sum / N);
}

int count_correct(const real *scores, const uint8_t *labels, int N, int C)
{
    int right = 0;
    for (int n = 0; n < N; n++)
        right += argmax(scores + (size_t)n * C, C) == labels[n];
    return right;
}

int argmax(const real *x, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}
