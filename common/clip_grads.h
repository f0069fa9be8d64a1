/* clip_grads.h - gradient clipping by the global norm (the sequel's clip_grads).
 *
 * Backpropagation through many time steps multiplies by Wh again and again,
 * and now and then the gradient explodes: one step of that size would throw
 * the parameters far away. Clipping caps the length of the whole gradient
 * (all parameters as one vector) and keeps its direction:
 *
 *   norm = sqrt(sum of g^2 over every gradient)
 *   if norm > max_norm:  g = g * max_norm / norm
 *
 * All of a network's gradients are one block (params.h), so this is one loop
 * over ParamSet.grads, trainable_size numbers. */
#ifndef DL_CLIP_GRADS_H
#define DL_CLIP_GRADS_H

#include <stddef.h>

#include "tensor.h"

/* Clips grads (n numbers) to a norm of at most max_norm; returns the norm
 * before clipping (worth logging: it shows when gradients explode). Well
 * under the limit that norm is summed in another order (see clip_grads.c),
 * and may differ from the in-order one in its last digits. */
double clip_grads(real *grads, size_t n, double max_norm);

#endif
