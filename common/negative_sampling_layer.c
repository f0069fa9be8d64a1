/* negative_sampling_layer.c - EmbeddingDot, UnigramSampler, NegativeSamplingLoss
 * (the sequel's negative_sampling_layer.py). */
#include "negative_sampling_layer.h"
#include "sigmoid_with_loss.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- EmbeddingDot ---------------------------------------------------------------- */

static void check_ids(const int *idx, size_t n, int V)
{
    for (size_t i = 0; i < n; i++)
        if (idx[i] < 0 || idx[i] >= V)
            die("embedding_dot: word id %d at position %zu is outside the vocabulary [0, %d)", idx[i], i, V);
}

void embedding_dot_forward(real *out, const real *h, const int *idx, const real *W,
                           int N, int K, int V, int D)
{
    check_ids(idx, (size_t)N * K, V);
    for (int n = 0; n < N; n++) {
        const real *hn = h + (size_t)n * D;
        for (int k = 0; k < K; k++) {
            const real *w = W + (size_t)idx[n * K + k] * D;
            real dot = 0;
            for (int j = 0; j < D; j++)
                dot += hn[j] * w[j];
            out[n * K + k] = dot;               /* out[n, k] = h[n] . W[idx[n, k]] */
        }
    }
}

void embedding_dot_backward(real *dh, SparseGrad *dW, const real *dout, const real *h,
                            const int *idx, const real *W, int N, int K, int V, int D)
{
    check_ids(idx, (size_t)N * K, V);
    for (int n = 0; n < N; n++) {
        const real *hn = h + (size_t)n * D;
        real *dhn = dh ? dh + (size_t)n * D : NULL;
        if (dhn)
            memset(dhn, 0, (size_t)D * sizeof(real));
        for (int k = 0; k < K; k++) {
            real d = dout[n * K + k];
            const real *w = W + (size_t)idx[n * K + k] * D;
            real *dw = sparse_grad_row(dW, idx[n * K + k]);
            for (int j = 0; j < D; j++)
                dw[j] += d * hn[j];             /* dW[idx[n, k]] += dout[n, k] h[n] */
            if (dhn)
                for (int j = 0; j < D; j++)
                    dhn[j] += d * w[j];         /* dh[n] += dout[n, k] W[idx[n, k]] */
        }
    }
}

/* ---- UnigramSampler -------------------------------------------------------------- */

void unigram_sampler_init(UnigramSampler *s, const int *counts, int V, double power)
{
    if (V < 1)
        die("unigram_sampler: the vocabulary is empty");
    s->V = V;
    s->cumulative = xmalloc((size_t)V * sizeof(double));
    double total = 0;
    for (int w = 0; w < V; w++) {
        if (counts[w] < 0)
            die("unigram_sampler: word %d has a negative count %d", w, counts[w]);
        total += counts[w] > 0 ? pow(counts[w], power) : 0;    /* counts^0.75 */
        s->cumulative[w] = total;
    }
    if (total <= 0)
        die("unigram_sampler: every word count is zero");
}

void unigram_sampler_free(UnigramSampler *s)
{
    free(s->cumulative);
    s->cumulative = NULL;
}

double unigram_sampler_probability(const UnigramSampler *s, int w)
{
    double below = w > 0 ? s->cumulative[w - 1] : 0;
    return (s->cumulative[w] - below) / s->cumulative[s->V - 1];
}

int unigram_sampler_draw(const UnigramSampler *s, Rng *rng)
{
    double u = rng_uniform(rng) * s->cumulative[s->V - 1];     /* in [0, total) */
    /* the first w with cumulative[w] > u: the word whose share of [0, total) holds u
     * (a word of weight 0 has no share, so it is never the answer) */
    int lo = 0, hi = s->V - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (s->cumulative[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void unigram_sampler_get_negative_sample(const UnigramSampler *s, int *negatives, const int *target,
                                         int N, int sample_size, Rng *rng)
{
    for (int n = 0; n < N; n++) {
        if (target[n] < 0 || target[n] >= s->V)
            die("unigram_sampler: target %d is outside the vocabulary [0, %d)", target[n], s->V);
        /* Redrawing is quick unless the target holds nearly all the weight. */
        if (unigram_sampler_probability(s, target[n]) > 1 - 1e-9)
            die("unigram_sampler: word %d is the only word to draw, and it is the target", target[n]);
        for (int i = 0; i < sample_size; i++) {
            int w;
            do
                w = unigram_sampler_draw(s, rng);
            while (w == target[n]);
            negatives[(size_t)n * sample_size + i] = w;
        }
    }
}

/* ---- NegativeSamplingLoss -------------------------------------------------------- */

void negative_sampling_loss_init(NegativeSamplingLoss *l, int max_N, int sample_size)
{
    if (max_N < 1 || sample_size < 0)
        die("negative_sampling_loss: batch %d and sample size %d are not usable", max_N, sample_size);
    size_t n = (size_t)max_N * (1 + sample_size);
    l->max_N = max_N;
    l->sample_size = sample_size;
    l->idx = xmalloc(n * sizeof(int));
    l->label = xmalloc(n * sizeof(int));
    l->score = xmalloc(n * sizeof(real));
    l->y = xmalloc(n * sizeof(real));
    l->dscore = xmalloc(n * sizeof(real));
}

void negative_sampling_loss_free(NegativeSamplingLoss *l)
{
    free(l->idx);
    free(l->label);
    free(l->score);
    free(l->y);
    free(l->dscore);
    memset(l, 0, sizeof *l);
}

real negative_sampling_loss_forward(NegativeSamplingLoss *l, const real *h, const int *target,
                                    const int *negatives, const real *W, int N, int V, int D)
{
    if (N > l->max_N)
        die("negative_sampling_loss: batch of %d, more than the %d allocated", N, l->max_N);
    int S = l->sample_size, K = 1 + S;
    /* One row of questions per target: the target (yes), then its negatives (no). */
    for (int n = 0; n < N; n++) {
        l->idx[n * K] = target[n];
        l->label[n * K] = 1;
        for (int s = 0; s < S; s++) {
            l->idx[n * K + 1 + s] = negatives[n * S + s];
            l->label[n * K + 1 + s] = 0;
        }
    }
    embedding_dot_forward(l->score, h, l->idx, W, N, K, V, D);
    return sigmoid_with_loss_forward(l->y, l->score, l->label, N, K);
}

void negative_sampling_loss_backward(NegativeSamplingLoss *l, real *dh, SparseGrad *dW,
                                     const real *h, const real *W, int N, int V, int D)
{
    int K = 1 + l->sample_size;
    sigmoid_with_loss_backward(l->dscore, l->y, l->label, N, K, 1);
    embedding_dot_backward(dh, dW, l->dscore, h, l->idx, W, N, K, V, D);
}
