/* gradcheck.h - helpers the gradient-check tests share.
 *
 * A layer's output y is turned into a scalar L = sum(y * R) with fixed random
 * weights R, so dL/dy = R is what backward receives. The analytic gradient
 * from backward is compared with central differences of L. The comparison is
 * the relative error of the whole gradient vector,
 *     |a - b| / (|a| + |b|)   (Euclidean norms),
 * which must stay below 1e-6 in the double build (and 1e-2 in float, where
 * rounding in f(x+h) - f(x-h) limits what the numerical side can resolve). */
#ifndef DL_GRADCHECK_H
#define DL_GRADCHECK_H

#include <math.h>
#include <stddef.h>

#include "gradient.h"
#include "rng.h"
#include "tensor.h"

static inline double gradcheck_tolerance(void)
{
    return sizeof(real) == sizeof(double) ? 1e-6 : 1e-2;
}

static inline double vector_relative_error(const real *a, const real *b, size_t n)
{
    double diff = 0, na = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        diff += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
    }
    double scale = sqrt(na) + sqrt(nb);
    return scale == 0 ? 0 : sqrt(diff) / scale;
}

static inline double dot_real(const real *a, const real *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

static inline void fill_uniform(Rng *rng, real *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (real)(lo + (hi - lo) * rng_uniform(rng));
}

#endif
