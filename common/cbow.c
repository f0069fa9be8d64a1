/* cbow.c - CBOW with negative sampling (the sequel's ch04/cbow.py). */
#include "cbow.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int create_contexts_target(int *contexts, int *target, const int *corpus, int n, int window_size)
{
    int count = n - 2 * window_size;
    for (int i = 0; i < count; i++) {
        int t = i + window_size;                /* the target's position */
        target[i] = corpus[t];
        int *c = contexts + (size_t)i * 2 * window_size;
        for (int d = -window_size, j = 0; d <= window_size; d++)
            if (d != 0)
                c[j++] = corpus[t + d];          /* left words, then right words */
    }
    return count > 0 ? count : 0;
}

void cbow_init(CBOW *m, int V, int D, int window_size, int sample_size, int max_batch, Rng *rng)
{
    if (V < 2 || D < 1 || window_size < 1 || sample_size < 0 || max_batch < 1)
        die("cbow: V = %d, D = %d, window %d, sample size %d, batch %d are not usable",
            V, D, window_size, sample_size, max_batch);
    m->V = V;
    m->D = D;
    m->window_size = window_size;
    m->sample_size = sample_size;
    m->max_batch = max_batch;
    int shape[2] = { V, D };
    params_init(&m->params);
    int in = params_add(&m->params, "W_in", 2, shape, 0);
    int out = params_add(&m->params, "W_out", 2, shape, 0);
    params_alloc(&m->params);
    m->W_in = params_value(&m->params, in);
    m->W_out = params_value(&m->params, out);
    rng_fill_normal(rng, m->W_in, (size_t)V * D, 0.01);
    rng_fill_normal(rng, m->W_out, (size_t)V * D, 0.01);
    /* a batch touches at most 2w rows of W_in and 1 + S rows of W_out per target */
    sparse_grad_init(&m->dW_in, V, D, max_batch * 2 * window_size);
    sparse_grad_init(&m->dW_out, V, D, max_batch * (1 + sample_size));
    negative_sampling_loss_init(&m->ns_loss, max_batch, sample_size);
    m->N = 0;
    m->contexts = xmalloc((size_t)max_batch * 2 * window_size * sizeof(int));
    m->h = xmalloc((size_t)max_batch * D * sizeof(real));
    m->dh = xmalloc((size_t)max_batch * D * sizeof(real));
}

void cbow_free(CBOW *m)
{
    params_free(&m->params);
    sparse_grad_free(&m->dW_in);
    sparse_grad_free(&m->dW_out);
    negative_sampling_loss_free(&m->ns_loss);
    free(m->contexts);
    free(m->h);
    free(m->dh);
    memset(m, 0, sizeof *m);
}

real cbow_forward(CBOW *m, const int *contexts, const int *target, const int *negatives, int N)
{
    if (N < 1 || N > m->max_batch)
        die("cbow: batch of %d, outside [1, %d]", N, m->max_batch);
    int C = 2 * m->window_size, D = m->D;
    memcpy(m->contexts, contexts, (size_t)N * C * sizeof(int));
    m->N = N;
    real inv = (real)1 / C;
    for (int n = 0; n < N; n++) {
        real *hn = m->h + (size_t)n * D;
        memset(hn, 0, (size_t)D * sizeof(real));
        for (int i = 0; i < C; i++) {
            int c = contexts[n * C + i];
            if (c < 0 || c >= m->V)
                die("cbow: context word id %d is outside the vocabulary [0, %d)", c, m->V);
            const real *row = m->W_in + (size_t)c * D;
            for (int j = 0; j < D; j++)
                hn[j] += row[j];                /* h = sum of the context words' rows */
        }
        for (int j = 0; j < D; j++)
            hn[j] *= inv;                       /* ... divided by 2w: their mean */
    }
    return negative_sampling_loss_forward(&m->ns_loss, m->h, target, negatives, m->W_out, N, m->V, D);
}

void cbow_backward(CBOW *m)
{
    int N = m->N, C = 2 * m->window_size, D = m->D;
    negative_sampling_loss_backward(&m->ns_loss, m->dh, &m->dW_out, m->h, m->W_out, N, m->V, D);
    real inv = (real)1 / C;
    for (int n = 0; n < N; n++) {
        const real *dhn = m->dh + (size_t)n * D;
        for (int i = 0; i < C; i++) {
            real *dw = sparse_grad_row(&m->dW_in, m->contexts[n * C + i]);
            for (int j = 0; j < D; j++)
                dw[j] += dhn[j] * inv;          /* dW_in[c] += dh / (2w), Embedding's scatter-add */
        }
    }
}

void cbow_zero_grads(CBOW *m)
{
    sparse_grad_zero(&m->dW_in);
    sparse_grad_zero(&m->dW_out);
}

void cbow_sgd_update(CBOW *m, real lr)
{
    sparse_sgd_update(m->W_in, &m->dW_in, lr);
    sparse_sgd_update(m->W_out, &m->dW_out, lr);
}
