/* similarity.h - comparing word vectors (the sequel's util.py, vol. 2 ch. 2-4).
 *
 * Word vectors are the rows of a (V, D) matrix: a row of the PPMI matrix, of
 * its SVD, or of word2vec's W_in. Two words are alike when their vectors point
 * the same way, whatever their lengths:
 *
 *   cos_similarity(x, y) = (x . y) / (|x| |y|)     in [-1, 1]
 *
 * computed, as in the book, as (x / (|x| + eps)) . (y / (|y| + eps)), so that
 * a zero vector gives 0 instead of a division by zero. */
#ifndef DL_SIMILARITY_H
#define DL_SIMILARITY_H

#include "tensor.h"

#define COS_SIMILARITY_EPS 1e-8

/* Cosine similarity of x and y (D). */
double cos_similarity(const real *x, const real *y, int D);

/* The top words most similar to word `query` (never the query itself), best
 * first; equal similarities are ordered by word id. word_matrix (V, D).
 * ids and sims (top) receive them; returns how many there are (top, or V - 1
 * if that is fewer). */
int most_similar(int *ids, double *sims, int query, const real *word_matrix, int V, int D, int top);

/* a is to b as c is to ?  The words whose vectors point most like
 * b - a + c (never a, b or c themselves), best first, in ids and sims (top).
 * The book dots the normalised query with the raw rows; we use the cosine,
 * so a long vector (often a frequent word) does not win by its length.
 * Returns how many words there are. */
int analogy(int *ids, double *sims, int a, int b, int c, const real *word_matrix, int V, int D, int top);

#endif
