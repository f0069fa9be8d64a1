/* sparse_grad.c - a gradient that holds only the rows a batch touched. */
#include "sparse_grad.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void sparse_grad_init(SparseGrad *g, int V, int D, int capacity)
{
    if (V < 1 || D < 1 || capacity < 1)
        die("sparse_grad_init: V = %d, D = %d and capacity = %d must be positive", V, D, capacity);
    g->V = V;
    g->D = D;
    g->capacity = capacity < V ? capacity : V;
    g->count = 0;
    g->rows = xmalloc((size_t)g->capacity * sizeof(int));
    g->grads = xmalloc((size_t)g->capacity * D * sizeof(real));
    g->slot = xmalloc((size_t)V * sizeof(int));
    for (int w = 0; w < V; w++)
        g->slot[w] = -1;
}

void sparse_grad_free(SparseGrad *g)
{
    free(g->rows);
    free(g->grads);
    free(g->slot);
    memset(g, 0, sizeof *g);
}

real *sparse_grad_row(SparseGrad *g, int w)
{
    if (w < 0 || w >= g->V)
        die("sparse gradient: word id %d is outside the vocabulary [0, %d)", w, g->V);
    int s = g->slot[w];
    if (s < 0) {
        if (g->count == g->capacity)
            die("sparse gradient: more than %d rows touched in one batch", g->capacity);
        s = g->count++;
        g->slot[w] = s;
        g->rows[s] = w;
        memset(g->grads + (size_t)s * g->D, 0, (size_t)g->D * sizeof(real));
    }
    return g->grads + (size_t)s * g->D;
}

void sparse_grad_zero(SparseGrad *g)
{
    for (int i = 0; i < g->count; i++)
        g->slot[g->rows[i]] = -1;
    g->count = 0;
}

void sparse_grad_add_to_dense(real *dW, const SparseGrad *g)
{
    for (int i = 0; i < g->count; i++) {
        real *row = dW + (size_t)g->rows[i] * g->D;
        const real *d = g->grads + (size_t)i * g->D;
        for (int j = 0; j < g->D; j++)
            row[j] += d[j];
    }
}

void sparse_sgd_update(real *W, const SparseGrad *g, real lr)
{
    for (int i = 0; i < g->count; i++) {
        real *row = W + (size_t)g->rows[i] * g->D;
        const real *d = g->grads + (size_t)i * g->D;
        for (int j = 0; j < g->D; j++)
            row[j] -= lr * d[j];                   /* W <- W - lr dL/dW, on the touched rows */
    }
}
