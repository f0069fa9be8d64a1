/* cooccurrence.h - the sequel's counting method (vol. 2 ch. 2, util.py):
 * a word is known by the company it keeps.
 *
 * create_co_matrix counts, for every word of the corpus, which words stand
 * within window_size positions of it. ppmi turns the counts into positive
 * pointwise mutual information, which no longer rewards a pair just for
 * containing a frequent word such as "the":
 *
 *   PMI(x, y) = log2( P(x, y) / (P(x) P(y)) ) = log2( C(x, y) N / (S(x) S(y)) )
 *   PPMI(x, y) = max(0, PMI(x, y))
 *
 * with N the sum of all counts and S(x) the sum of x's column (the same as its
 * row: C is symmetric). The book takes S(x) for x's count in the corpus; it
 * counts x once per neighbour, 2w times per occurrence away from the ends.
 *
 * Both matrices are dense V x V, as in the book: 4 bytes a cell, so 400 MB each
 * for the book's PTB vocabulary of 10,000 words (576 MB at 12,000). Most cells
 * are zero: a corpus of n words with window w fills at most 2wn of them. */
#ifndef DL_COOCCURRENCE_H
#define DL_COOCCURRENCE_H

#include "tensor.h"

/* The book's eps inside ppmi's log: log2(0 + eps) is a large negative number,
 * which max(0, .) turns into 0, instead of log2(0) = -infinity. */
#define PPMI_EPS 1e-8

/* corpus (n) word ids in [0, V); C (V, V) is overwritten with
 * C[w, c] = how many times c stands within window_size positions of w.
 * It is symmetric. Dies on an id outside [0, V). */
void create_co_matrix(int *C, const int *corpus, int n, int V, int window_size);

/* M (V, V) = PPMI of the co-occurrence counts C (V, V). */
void ppmi(real *M, const int *C, int V);

#endif
