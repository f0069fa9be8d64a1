/* cooccurrence.c - the co-occurrence matrix and PPMI (the sequel's util.py). */
#include "cooccurrence.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void create_co_matrix(int *C, const int *corpus, int n, int V, int window_size)
{
    memset(C, 0, (size_t)V * V * sizeof(int));
    for (int i = 0; i < n; i++)
        if (corpus[i] < 0 || corpus[i] >= V)
            die("create_co_matrix: word id %d at position %d is outside the vocabulary [0, %d)",
                corpus[i], i, V);
    for (int i = 0; i < n; i++) {
        int *row = C + (size_t)corpus[i] * V;
        for (int d = 1; d <= window_size; d++) {
            if (i - d >= 0)
                row[corpus[i - d]]++;       /* the neighbour d words to the left */
            if (i + d < n)
                row[corpus[i + d]]++;       /* and d words to the right */
        }
    }
}

/* Cost: the book's double loop computes a log for every one of the V^2 cells
 * (10^8 for PTB, a few minutes in Python). A cell with C = 0 always gives
 * max(0, log2(eps)) = 0, so we write 0 there without the log: the result is
 * the same, and the logs are paid only for the (at most 2wn) nonzero counts.
 * Touching V^2 cells once remains, as long as M is dense. */
void ppmi(real *M, const int *C, int V)
{
    double *S = xcalloc((size_t)V, sizeof(double));  /* S[j] = sum over i of C[i, j] */
    double N = 0;                                    /* sum of all counts */
    for (int i = 0; i < V; i++)
        for (int j = 0; j < V; j++) {
            S[j] += C[(size_t)i * V + j];
            N += C[(size_t)i * V + j];
        }
    for (int i = 0; i < V; i++)
        for (int j = 0; j < V; j++) {
            int c = C[(size_t)i * V + j];
            real m = 0;
            if (c > 0) {
                /* PMI = log2(C(i, j) N / (S(i) S(j)) + eps), the book's formula */
                double pmi = log2(c * N / (S[i] * S[j]) + PPMI_EPS);
                m = pmi > 0 ? (real)pmi : 0;
            }
            M[(size_t)i * V + j] = m;
        }
    free(S);
}
