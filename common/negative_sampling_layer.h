/* negative_sampling_layer.h - the sequel's negative_sampling_layer.py (vol. 2 ch. 4):
 * EmbeddingDot, UnigramSampler and NegativeSamplingLoss.
 *
 * word2vec's output layer would be a softmax over all V words: V dot products
 * and V exponentials per target. Negative sampling asks cheaper yes/no
 * questions instead: "is the target the word here?" (yes) and, for a few words
 * drawn at random, "is this one?" (no). Each question is one dot product of
 * the hidden vector h with one row of W_out, and a SigmoidWithLoss.
 *
 * Gradients of W go into a SparseGrad (sparse_grad.h): only the 1 + S rows per
 * target that the questions used. */
#ifndef DL_NEGATIVE_SAMPLING_LAYER_H
#define DL_NEGATIVE_SAMPLING_LAYER_H

#include "rng.h"
#include "sparse_grad.h"
#include "tensor.h"

/* ---- EmbeddingDot ----------------------------------------------------------------
 * Embedding (pick rows of W) followed by a dot product with h, without
 * building the picked rows:
 *
 *   h (N, D), idx (N, K) word ids in [0, V), W (V, D), out (N, K)
 *   out[n, k] = h[n] . W[idx[n, k]]
 *
 * The book has one EmbeddingDot per question, each with K = 1, all sharing h;
 * here one call asks a row of h all K of its questions. */
void embedding_dot_forward(real *out, const real *h, const int *idx, const real *W,
                           int N, int K, int V, int D);
/* dh[n] = sum over k of dout[n, k] W[idx[n, k]]   (overwritten; skipped if dh is NULL)
 * dW[idx[n, k]] += dout[n, k] h[n]                 (an id met twice gets both) */
void embedding_dot_backward(real *dh, SparseGrad *dW, const real *dout, const real *h,
                            const int *idx, const real *W, int N, int K, int V, int D);

/* ---- UnigramSampler --------------------------------------------------------------
 * Draws negatives with P(w) = counts[w]^power / sum over v of counts[v]^power.
 * The book's power 0.75 raises rare words a little (0.01^0.75 = 0.03), so
 * they are asked about now and then, and frequent words dominate less.
 *
 * One draw is a uniform number u in [0, total) and a binary search for the
 * first word whose cumulative weight exceeds u: O(log V), where the book's
 * np.random.choice scans all V words. */
typedef struct {
    int V;
    double *cumulative;     /* (V) cumulative[w] = sum over v <= w of counts[v]^power */
} UnigramSampler;

/* counts (V) nonnegative, not all zero (the corpus's word counts). */
void unigram_sampler_init(UnigramSampler *s, const int *counts, int V, double power);
void unigram_sampler_free(UnigramSampler *s);
/* P(w), for tests and for printing. */
double unigram_sampler_probability(const UnigramSampler *s, int w);
/* One word drawn with probability P(w). */
int unigram_sampler_draw(const UnigramSampler *s, Rng *rng);
/* negatives (N, sample_size): for each target[n], sample_size draws, never
 * target[n] itself (a draw of the target is drawn again, which is the book's
 * p[target] = 0 followed by renormalising). Draws are independent, so a row
 * may repeat a negative, as in word2vec's C code and the book's GPU path (its
 * CPU path draws without replacement). Dies if the target is the only word
 * that can be drawn. */
void unigram_sampler_get_negative_sample(const UnigramSampler *s, int *negatives, const int *target,
                                         int N, int sample_size, Rng *rng);

/* ---- NegativeSamplingLoss --------------------------------------------------------
 * For each row of h: EmbeddingDot with the target (label 1) and with its S
 * negatives (label 0), then SigmoidWithLoss over the 1 + S scores:
 *
 *   loss = 1/N sum over n of [ -log sigmoid(h[n] . W[target[n]])
 *                              - sum over s of log(1 - sigmoid(h[n] . W[neg[n, s]])) ]
 *
 * The book draws the negatives inside forward; here the caller draws them
 * (unigram_sampler_get_negative_sample) and passes them in, so that a
 * gradient check can hold them fixed. The struct holds what backward needs,
 * allocated once for batches of up to max_N rows. */
typedef struct {
    int max_N, sample_size;
    int *idx;       /* (max_N, 1 + S): the target, then the S negatives */
    int *label;     /* (max_N, 1 + S): 1, then S zeros */
    real *score;    /* (max_N, 1 + S): h . W[idx] */
    real *y;        /* (max_N, 1 + S): sigmoid(score) */
    real *dscore;   /* (max_N, 1 + S): dloss/dscore, in backward */
} NegativeSamplingLoss;

void negative_sampling_loss_init(NegativeSamplingLoss *l, int max_N, int sample_size);
void negative_sampling_loss_free(NegativeSamplingLoss *l);
/* h (N, D), target (N), negatives (N, S), W (V, D). Returns the loss. */
real negative_sampling_loss_forward(NegativeSamplingLoss *l, const real *h, const int *target,
                                    const int *negatives, const real *W, int N, int V, int D);
/* dh (N, D) = dloss/dh (overwritten); dW += dloss/dW on the rows used. */
void negative_sampling_loss_backward(NegativeSamplingLoss *l, real *dh, SparseGrad *dW,
                                     const real *h, const real *W, int N, int V, int D);

#endif
