/* embedding.c - Embedding and TimeEmbedding (the sequel's layers.py and time_layers.py). */
#include "embedding.h"
#include "threads.h"
#include "util.h"

#include <string.h>

void embedding_forward(real *y, const int *idx, const real *W, int N, int V, int D)
{
    for (int n = 0; n < N; n++) {
        if (idx[n] < 0 || idx[n] >= V)
            die("embedding: word id %d at position %d is outside the vocabulary [0, %d)", idx[n], n, V);
        memcpy(y + (size_t)n * D, W + (size_t)idx[n] * D, (size_t)D * sizeof(real));  /* y[n] = W[idx[n]] */
    }
}

/* Rows of dW that repeat an id receive several additions, so threads must not
 * split the ids between them (two threads adding into the same row would race,
 * and the order of the additions would change the rounding). They split the
 * COLUMNS instead: each thread owns some columns of every row, and adds into
 * them in the order of n, as one thread would. Worth it only for big batches. */
#define EMBEDDING_COLUMN_BLOCK 16

void embedding_backward(real *dW, const real *dy, const int *idx, int N, int V, int D)
{
    for (int n = 0; n < N; n++)
        if (idx[n] < 0 || idx[n] >= V)
            die("embedding: word id %d at position %d is outside the vocabulary [0, %d)", idx[n], n, V);
    int blocks = (D + EMBEDDING_COLUMN_BLOCK - 1) / EMBEDDING_COLUMN_BLOCK;
#pragma omp parallel for schedule(static) if ((long)N * D > PARALLEL_ROWS_MIN)
    for (int blk = 0; blk < blocks; blk++) {
        int j0 = blk * EMBEDDING_COLUMN_BLOCK;
        int j1 = j0 + EMBEDDING_COLUMN_BLOCK < D ? j0 + EMBEDDING_COLUMN_BLOCK : D;
        for (int n = 0; n < N; n++) {
            real *row = dW + (size_t)idx[n] * D;
            const real *d = dy + (size_t)n * D;
            for (int j = j0; j < j1; j++)
                row[j] += d[j];                     /* dW[idx[n]] += dy[n] */
        }
    }
}

/* The N sequences of T ids are N*T ids in a row: (N, T) is the same memory as (N*T). */
void time_embedding_forward(real *y, const int *idx, const real *W, int N, int T, int V, int D)
{
    embedding_forward(y, idx, W, N * T, V, D);
}

void time_embedding_backward(real *dW, const real *dy, const int *idx, int N, int T, int V, int D)
{
    embedding_backward(dW, dy, idx, N * T, V, D);
}
