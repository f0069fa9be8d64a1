/* cbow.h - the sequel's CBOW with negative sampling (vol. 2 ch. 3-4, ch04/cbow.py).
 *
 * Continuous bag of words guesses a word from the words around it:
 *
 *   h = 1/(2w) sum over the 2w context words c of W_in[c]     (mean of Embeddings)
 *   loss = NegativeSamplingLoss(h, target, negatives; W_out)
 *
 * with w = window_size. After training, row v of W_in is word v's vector:
 * words that stand in the same contexts are pushed towards the same h, so
 * their rows end up pointing the same way.
 *
 * Backward: dh from the loss, then each context word's row of W_in receives
 * dh / (2w) (the mean spreads the gradient evenly). Both gradients are sparse
 * (sparse_grad.h): a step updates only the rows its batch used. */
#ifndef DL_CBOW_H
#define DL_CBOW_H

#include "negative_sampling_layer.h"
#include "params.h"
#include "rng.h"
#include "sparse_grad.h"

/* The book's create_contexts_target: corpus (n) ids gives n - 2w examples,
 * contexts (n - 2w, 2w) the w words left and the w words right of each
 * target (n - 2w), the words at positions w .. n - w - 1. Returns n - 2w
 * (0 if the corpus is too short). */
int create_contexts_target(int *contexts, int *target, const int *corpus, int n, int window_size);

typedef struct {
    int V, D, window_size, sample_size, max_batch;
    ParamSet params;            /* "W_in" (V, D), "W_out" (V, D); params.grads stays unused */
    real *W_in, *W_out;         /* into params.values */
    SparseGrad dW_in, dW_out;   /* the rows the last batches touched, and their gradients */
    NegativeSamplingLoss ns_loss;
    int N;                      /* batch size of the last forward */
    int *contexts;              /* (max_batch, 2w) its context words, for backward */
    real *h;                    /* (max_batch, D) the mean of their rows of W_in */
    real *dh;                   /* (max_batch, D) */
} CBOW;

/* W_in and W_out ~ 0.01 * normal(0, 1), as in the book. Batches of up to
 * max_batch targets, sample_size negatives each. */
void cbow_init(CBOW *m, int V, int D, int window_size, int sample_size, int max_batch, Rng *rng);
void cbow_free(CBOW *m);

/* contexts (N, 2w), target (N), negatives (N, S). Returns the loss. */
real cbow_forward(CBOW *m, const int *contexts, const int *target, const int *negatives, int N);
/* Adds the gradients of the last forward's loss into dW_in and dW_out. */
void cbow_backward(CBOW *m);
/* Forget the gradients (the touched rows only). */
void cbow_zero_grads(CBOW *m);
/* SGD on the touched rows: W -= lr * dW, for W_in and W_out. */
void cbow_sgd_update(CBOW *m, real lr);

#endif
