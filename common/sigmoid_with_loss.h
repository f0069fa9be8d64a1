/* sigmoid_with_loss.h - the book's SigmoidWithLoss (vol. 2 ch. 4): a yes/no
 * question per score, the loss of negative sampling.
 *
 *   y = sigmoid(x),  loss = -t log y - (1 - t) log(1 - y)   (binary cross-entropy)
 *
 * Written with log y and log(1 - y) as they are, it breaks for large |x|:
 * y rounds to exactly 1 (or 0) and the log gives -infinity. From the logit x
 * itself, the same loss is
 *
 *   loss = log(1 + e^x) - t x = max(x, 0) - x t + log(1 + e^-|x|)
 *
 * which never overflows (e^-|x| <= 1) and keeps its precision. Its derivative
 * is the reason sigmoid and cross-entropy are one layer, as softmax's are:
 *
 *   dloss/dx = sigmoid(x) - t */
#ifndef DL_SIGMOID_WITH_LOSS_H
#define DL_SIGMOID_WITH_LOSS_H

#include "tensor.h"

/* x, y (N, K) scores and their sigmoids, t (N, K) labels 0 or 1. Returns the
 * loss summed over the K scores of a row and averaged over the N rows (K = 1
 * is the book's layer; negative sampling has K = 1 + sample_size and adds the
 * K losses up, as the book's NegativeSamplingLoss does). */
real sigmoid_with_loss_forward(real *y, const real *x, const int *t, int N, int K);
/* dx = dout * (y - t) / N. dx may alias y. */
void sigmoid_with_loss_backward(real *dx, const real *y, const int *t, int N, int K, real dout);

#endif
