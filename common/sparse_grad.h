/* sparse_grad.h - the gradient of a big matrix of which a batch uses few rows.
 *
 * word2vec's W_in and W_out are (V, D) with V = 10,000 words or more, but one
 * batch of 100 targets, 10 context words and 5 negatives each touches at most
 * 1,600 of their rows. A dense dW would be zeroed, filled and applied over all
 * V rows at every step, for mostly zeros. Instead the gradient keeps only the
 * rows that were touched:
 *
 *   rows[i]    the id of the i-th row touched (each row once, in the order of
 *              first touch, so the update is the same at every run)
 *   grads[i]   its gradient (D numbers)
 *
 * and slot[w] says where row w is (-1: untouched), so adding into a row is one
 * look-up. Zeroing forgets only the touched rows: the cost of a step follows
 * the batch, not the vocabulary. */
#ifndef DL_SPARSE_GRAD_H
#define DL_SPARSE_GRAD_H

#include "tensor.h"

typedef struct {
    int V, D;           /* the gradient of a (V, D) matrix */
    int capacity;       /* the most rows one batch may touch */
    int count;          /* rows touched since the last sparse_grad_zero */
    int *rows;          /* (capacity) row ids */
    real *grads;        /* (capacity, D) their gradients */
    int *slot;          /* (V) index into rows and grads, or -1 */
} SparseGrad;

/* capacity is cut to V (a batch cannot touch more rows than there are). */
void sparse_grad_init(SparseGrad *g, int V, int D, int capacity);
void sparse_grad_free(SparseGrad *g);

/* The gradient of row w, to add into (zero the first time w is touched).
 * Dies if w is outside [0, V) or more than capacity rows are touched. */
real *sparse_grad_row(SparseGrad *g, int w);

/* Forget the touched rows: O(count), not O(V). */
void sparse_grad_zero(SparseGrad *g);

/* dW (V, D) += the sparse gradient: for tests and for code that wants it dense. */
void sparse_grad_add_to_dense(real *dW, const SparseGrad *g);

/* SGD on the touched rows only: W[rows[i]] -= lr * grads[i]. */
void sparse_sgd_update(real *W, const SparseGrad *g, real lr);

#endif
