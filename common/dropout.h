/* dropout.h - Dropout (the book's Dropout layer).
 *
 * In training each unit is kept with probability 1 - ratio and dropped (set to
 * 0) otherwise, a fresh random mask per forward pass; backward lets the
 * gradient through the kept units only. At inference every unit is kept and
 * scaled by (1 - ratio), so the expected output matches training's. */
#ifndef DL_DROPOUT_H
#define DL_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "tensor.h"

/* x, y (n numbers); mask (n bytes) is written in training and read by backward.
 * train: 1 for training (random mask from rng), 0 for inference. y may alias x. */
void dropout_forward(real *y, const real *x, uint8_t *mask, size_t n, double ratio, int train, Rng *rng);
/* dx = dy where the unit was kept, else 0. dx may alias dy. */
void dropout_backward(real *dx, const real *dy, const uint8_t *mask, size_t n);

#endif
