/* functions.h - the book's functions.py: activation functions, softmax, losses.
 * Vector functions work element-wise on n numbers; row functions on N rows of C. */
#ifndef DL_FUNCTIONS_H
#define DL_FUNCTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "tensor.h"

real step_function(real x);             /* 1 if x > 0, else 0 */
real sigmoid(real x);                   /* 1 / (1 + e^-x), without overflow for any x */
real relu(real x);                      /* max(0, x) */

/* Softmax of each of N rows of C numbers. Subtracting the row's maximum first
 * keeps exp() from overflowing: softmax(x) = softmax(x - max(x)). y may alias x. */
void softmax(real *y, const real *x, int N, int C);

/* Mean over N rows of -log(y[n, t[n]]), with y probabilities and t class labels.
 * A tiny delta inside the log keeps log(0) from being -infinity. */
real cross_entropy_error(const real *y, const int *t, int N, int C);

/* Mean over the rows of 0.5 * sum (y - t)^2, t one-hot from the labels. */
real mean_squared_error(const real *y, const int *t, int N, int C);

/* Index of the largest of n numbers (the first one on ties). */
int argmax(const real *x, int n);

/* How many of N rows of C scores have their largest score at the row's label
 * (the book's np.sum(np.argmax(y, axis=1) == t)). */
int count_correct(const real *scores, const uint8_t *labels, int N, int C);

#endif
