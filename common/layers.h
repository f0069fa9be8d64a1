/* layers.h - the book's layers.py as pairs of free functions.
 *
 * Every layer is `x_forward` and `x_backward`, side by side, with the shapes in
 * a comment. Forward writes its output; backward writes dx (overwriting it) and
 * ADDS (+=) into parameter gradients, which the network zeroes once per step.
 * What backward needs from forward (the input x, or the output y) is passed in
 * by the caller, who keeps it: a network allocates those buffers once. */
#ifndef DL_LAYERS_H
#define DL_LAYERS_H

#include <stddef.h>

#include "tensor.h"

/* Affine: y = x W + b
 *   x (N, in), W (in, out), b (out), y (N, out) */
void affine_forward(real *y, const real *x, const real *W, const real *b, int N, int in, int out);
/* dx = dy W^T (skipped if dx is NULL), dW += x^T dy and db += sum over rows of
 * dy (both skipped if dW is NULL: only dx wanted)
 *   dy (N, out), dx (N, in) */
void affine_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                     const real *W, int N, int in, int out);
/* affine_backward's dW += x^T dy for an Affine of a few outputs, computed as
 * dW^T += dy^T x: the same bits (see layers.c). */
void affine_narrow_dW(real *dW, const real *dy, const real *x, int N, int in, int out);

/* Relu: y = max(0, x). Backward uses the forward output: y > 0 exactly where x > 0.
 *   dx = dy where y > 0, else 0. dx may be the same buffer as dy. */
void relu_forward(real *y, const real *x, size_t n);
void relu_backward(real *dx, const real *dy, const real *y, size_t n);

/* LeakyReLU: y = x for x > 0, alpha x otherwise (alpha 0.2 in a GAN's
 * discriminator). A unit below 0 still passes a little gradient, so the
 * generator hears from the discriminator even where ReLU would be silent.
 * Backward uses the forward output (y > 0 exactly where x > 0, for alpha > 0).
 * dx may be the same buffer as dy. */
void leaky_relu_forward(real *y, const real *x, size_t n, real alpha);
void leaky_relu_backward(real *dx, const real *dy, const real *y, size_t n, real alpha);

/* Sigmoid: y = 1 / (1 + e^-x);  dx = dy * y * (1 - y). dx may alias dy. */
void sigmoid_forward(real *y, const real *x, size_t n);
void sigmoid_backward(real *dx, const real *dy, const real *y, size_t n);

/* Tanh: y = tanh(x), a sigmoid centred on 0;  dx = dy * (1 - y^2). dx may alias dy. */
void tanh_forward(real *y, const real *x, size_t n);
void tanh_backward(real *dx, const real *dy, const real *y, size_t n);

/* SoftmaxWithLoss: y = softmax(x) row by row, loss = mean cross-entropy of y
 * against the labels t (computed from x by log-sum-exp, so it never overflows).
 *   x, y (N, C), t (N) class indices; returns the loss. */
real softmax_with_loss_forward(real *y, const real *x, const int *t, int N, int C);
/* dx = (y - onehot(t)) / N: the reason softmax and cross-entropy are one layer. */
void softmax_with_loss_backward(real *dx, const real *y, const int *t, int N, int C);

#endif
