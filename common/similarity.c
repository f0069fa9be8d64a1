/* similarity.c - cosine similarity, most_similar and analogy (the sequel's util.py). */
#include "similarity.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

static double norm(const real *x, int D)
{
    double s = 0;
    for (int i = 0; i < D; i++)
        s += (double)x[i] * x[i];
    return sqrt(s);
}

double cos_similarity(const real *x, const real *y, int D)
{
    double dot = 0;
    for (int i = 0; i < D; i++)
        dot += (double)x[i] * y[i];
    return dot / ((norm(x, D) + COS_SIMILARITY_EPS) * (norm(y, D) + COS_SIMILARITY_EPS));
}

/* Keep the best `top` of a stream of (id, sim), best first: insert each new one
 * into its place in the short sorted list. O(V * top), fine for top ~ 10; ids
 * arrive in increasing order, so on equal sims the smaller id stays first. */
static void keep_best(int *ids, double *sims, int *count, int top, int id, double sim)
{
    int pos = *count;
    while (pos > 0 && sims[pos - 1] < sim)
        pos--;
    if (pos >= top)
        return;
    int last = *count < top ? *count : top - 1;
    for (int i = last; i > pos; i--) {
        ids[i] = ids[i - 1];
        sims[i] = sims[i - 1];
    }
    ids[pos] = id;
    sims[pos] = sim;
    if (*count < top)
        (*count)++;
}

static void check_word(const char *who, int w, int V)
{
    if (w < 0 || w >= V)
        die("%s: word id %d is outside the vocabulary [0, %d)", who, w, V);
}

int most_similar(int *ids, double *sims, int query, const real *word_matrix, int V, int D, int top)
{
    check_word("most_similar", query, V);
    const real *q = word_matrix + (size_t)query * D;
    int count = 0;
    for (int w = 0; w < V && top > 0; w++)
        if (w != query)
            keep_best(ids, sims, &count, top, w, cos_similarity(word_matrix + (size_t)w * D, q, D));
    return count;
}

int analogy(int *ids, double *sims, int a, int b, int c, const real *word_matrix, int V, int D, int top)
{
    check_word("analogy", a, V);
    check_word("analogy", b, V);
    check_word("analogy", c, V);
    /* king - man + woman: the query vector is b - a + c */
    real *query = xmalloc((size_t)D * sizeof(real));
    for (int i = 0; i < D; i++)
        query[i] = word_matrix[(size_t)b * D + i] - word_matrix[(size_t)a * D + i]
                 + word_matrix[(size_t)c * D + i];
    int count = 0;
    for (int w = 0; w < V && top > 0; w++)
        if (w != a && w != b && w != c)
            keep_best(ids, sims, &count, top, w, cos_similarity(word_matrix + (size_t)w * D, query, D));
    free(query);
    return count;
}
