/* dropout.c - the book's Dropout layer (layers.py), as two free functions. */
#include "dropout.h"

/* x, y (n); mask (n): 1 where the unit is kept.
 *   train:     mask = (u > ratio) for u uniform in [0, 1);  y = x * mask
 *   inference: y = x * (1 - ratio), the expected value of the training output */
void dropout_forward(real *y, const real *x, uint8_t *mask, size_t n, double ratio, int train, Rng *rng)
{
    if (train) {
        for (size_t i = 0; i < n; i++) {
            mask[i] = rng_uniform(rng) > ratio;
            y[i] = mask[i] ? x[i] : 0;
        }
    } else {
        const real keep = (real)(1 - ratio);
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] * keep;
    }
}

/* dx = dy * mask: a dropped unit took no part in the output, so it gets no gradient. */
void dropout_backward(real *dx, const real *dy, const uint8_t *mask, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = mask[i] ? dy[i] : 0;
}
