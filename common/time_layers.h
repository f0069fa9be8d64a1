/* time_layers.h - the sequel's TimeAffine, TimeSoftmaxWithLoss and TimeDropout
 * (time_layers.py): layers that treat each of the T steps the same way.
 *
 * Their data is (N, T, X): N sequences of T steps of X numbers, row-major. As
 * no step depends on another, (N, T, X) is simply N*T rows of X, and each
 * layer is its one-step version over N*T rows: TimeAffine is Affine, with the
 * whole batch in ONE matrix multiply rather than T small ones. */
#ifndef DL_TIME_LAYERS_H
#define DL_TIME_LAYERS_H

#include <stddef.h>

#include "rng.h"
#include "tensor.h"

/* ---- TimeAffine --------------------------------------------------------------------------- */

/* ys = xs W + b:  xs (N, T, D), W (D, M), b (M), ys (N, T, M) */
void time_affine_forward(real *ys, const real *xs, const real *W, const real *b, int N, int T, int D, int M);
/* dxs = dys W^T (skipped if dxs is NULL), dW += xs^T dys, db += sum of dys over N*T rows */
void time_affine_backward(real *dxs, real *dW, real *db, const real *dys, const real *xs,
                          const real *W, int N, int T, int D, int M);

/* ---- TimeSoftmaxWithLoss ---------------------------------------------------------------- */

/* A label that takes no part in the loss: the padding after a short sequence. */
#define IGNORE_LABEL (-1)

/* ys = softmax(xs) at every step; returns the mean cross-entropy over the
 * positions whose label is not IGNORE_LABEL (0 if there is none).
 *   xs, ys (N, T, V), ts (N, T) labels in [0, V) or IGNORE_LABEL.
 * Dies with a clear message on any other label. */
real time_softmax_with_loss_forward(real *ys, const real *xs, const int *ts, int N, int T, int V);
/* dxs = (ys - onehot(ts)) / count at the counted positions, 0 at the ignored
 * ones: count, the number of labels that are not IGNORE_LABEL, is what the
 * loss was averaged over. */
void time_softmax_with_loss_backward(real *dxs, const real *ys, const int *ts, int N, int T, int V);

/* ---- TimeDropout -------------------------------------------------------------------------- */

/* The book's TimeDropout is "inverted" dropout: in training the kept units are
 * scaled up by 1 / (1 - ratio), so that at inference the layer is the
 * identity (chapter 03's Dropout scales at inference instead). The mask holds
 * that factor, or 0 where a unit is dropped; one mask serves every step of a
 * batch, and its drawing is apart from the layer, so a test can give its own. */

/* mask (n) = 1 / (1 - ratio) with probability 1 - ratio, else 0. 0 <= ratio < 1. */
void time_dropout_mask(real *mask, size_t n, double ratio, Rng *rng);
/* train: ys = xs * mask;  inference: ys = xs.  xs, ys, mask (n); ys may alias xs. */
void time_dropout_forward(real *ys, const real *xs, const real *mask, size_t n, int train);
/* dxs = dys * mask: a dropped unit gets no gradient. dxs may alias dys. */
void time_dropout_backward(real *dxs, const real *dys, const real *mask, size_t n);

#endif
