/* embedding.h - the sequel's Embedding and TimeEmbedding layers.
 *
 * A word id picks one row of W: the same as multiplying a one-hot vector by W,
 * without building the one-hot vector or doing the V-times-larger multiply.
 *
 *   idx (N) word ids in [0, V), W (V, D), y (N, D):   y[n] = W[idx[n]]
 *
 * Backward scatters dy back into the rows that were picked. An id that comes
 * twice in a batch gets both rows of dy ADDED (the book's np.add.at, not
 * dW[idx] = dout, which would keep only one of them).
 *
 * TimeEmbedding is Embedding over the N*T ids of a batch of sequences:
 *   idx (N, T), y (N, T, D). */
#ifndef DL_EMBEDDING_H
#define DL_EMBEDDING_H

#include "tensor.h"

/* y[n] = W[idx[n]]. Dies with a clear message on an id outside [0, V). */
void embedding_forward(real *y, const int *idx, const real *W, int N, int V, int D);
/* dW[idx[n]] += dy[n] for every n, in the order of n: the sums are the same
 * numbers, bit for bit, whatever the number of threads. There is no dx: the
 * input is ids, not numbers. */
void embedding_backward(real *dW, const real *dy, const int *idx, int N, int V, int D);

/* idx (N, T), W (V, D), y (N, T, D) */
void time_embedding_forward(real *y, const int *idx, const real *W, int N, int T, int V, int D);
void time_embedding_backward(real *dW, const real *dy, const int *idx, int N, int T, int V, int D);

#endif
