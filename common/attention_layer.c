/* attention_layer.c - AttentionWeight, WeightSum, Attention, TimeAttention (see attention_layer.h). */
#include "attention_layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "matmul.h"
#include "threads.h"
#include "util.h"

/* ---- AttentionWeight --------------------------------------------------------------------- */

void attention_weight_forward(real *a, const real *hs, const real *h, int N, int T, int H)
{
    for (int n = 0; n < N; n++) {
        real *an = a + (size_t)n * T;
        const real *hn = h + (size_t)n * H;
        double max = -INFINITY;
        for (int t = 0; t < T; t++) {           /* s = hs . h: the book's (hs * hr).sum(axis=2) */
            const real *hst = hs + ((size_t)n * T + t) * H;
            double s = 0;
            for (int k = 0; k < H; k++)
                s += (double)hst[k] * hn[k];
            an[t] = (real)s;
            if (s > max)
                max = s;
        }
        double sum = 0;                         /* softmax over the T input steps */
        for (int t = 0; t < T; t++)
            sum += exp(an[t] - max);
        for (int t = 0; t < T; t++)
            an[t] = (real)(exp(an[t] - max) / sum);
    }
}

void attention_weight_backward(real *dhs, real *dh, const real *da, const real *a, const real *hs,
                               const real *h, int N, int T, int H)
{
    for (int n = 0; n < N; n++) {
        const real *an = a + (size_t)n * T, *dan = da + (size_t)n * T, *hn = h + (size_t)n * H;
        real *dhn = dh + (size_t)n * H;
        double dot = 0;
        for (int t = 0; t < T; t++)
            dot += (double)an[t] * dan[t];
        memset(dhn, 0, (size_t)H * sizeof(real));
        for (int t = 0; t < T; t++) {
            real ds = (real)(an[t] * (dan[t] - dot));   /* through the softmax */
            const real *hst = hs + ((size_t)n * T + t) * H;
            real *dhst = dhs + ((size_t)n * T + t) * H;
            for (int k = 0; k < H; k++) {
                dhst[k] = ds * hn[k];
                dhn[k] += ds * hst[k];
            }
        }
    }
}

/* ---- WeightSum ------------------------------------------------------------------------------ */

void weight_sum_forward(real *c, const real *hs, const real *a, int N, int T, int H)
{
    for (int n = 0; n < N; n++) {
        real *cn = c + (size_t)n * H;
        memset(cn, 0, (size_t)H * sizeof(real));
        for (int t = 0; t < T; t++) {
            real w = a[(size_t)n * T + t];
            const real *hst = hs + ((size_t)n * T + t) * H;
            for (int k = 0; k < H; k++)
                cn[k] += w * hst[k];
        }
    }
}

void weight_sum_backward(real *dhs, real *da, const real *dc, const real *hs, const real *a, int N, int T, int H)
{
    for (int n = 0; n < N; n++) {
        const real *dcn = dc + (size_t)n * H;
        for (int t = 0; t < T; t++) {
            real w = a[(size_t)n * T + t];
            const real *hst = hs + ((size_t)n * T + t) * H;
            real *dhst = dhs + ((size_t)n * T + t) * H;
            double s = 0;
            for (int k = 0; k < H; k++) {
                dhst[k] = w * dcn[k];           /* the sum's share of each step */
                s += (double)dcn[k] * hst[k];
            }
            da[(size_t)n * T + t] = (real)s;
        }
    }
}

/* ---- Attention ------------------------------------------------------------------------------- */

void attention_forward(real *c, real *a, const real *hs, const real *h, int N, int T, int H)
{
    attention_weight_forward(a, hs, h, N, T, H);
    weight_sum_forward(c, hs, a, N, T, H);
}

void attention_backward(real *dhs, real *dh, const real *dc, const real *a, const real *hs, const real *h,
                        real *da, real *dhs2, int N, int T, int H)
{
    weight_sum_backward(dhs, da, dc, hs, a, N, T, H);
    attention_weight_backward(dhs2, dh, da, a, hs, h, N, T, H);
    for (size_t i = 0; i < (size_t)N * T * H; i++)  /* hs went into both: the weights and the sum */
        dhs[i] += dhs2[i];
}

/* ---- TimeAttention ------------------------------------------------------------------------------ */

void time_attention_init(TimeAttention *l, int N_max, int Tx_max, int Ty_max, int H)
{
    memset(l, 0, sizeof *l);
    l->N_max = N_max, l->Tx_max = Tx_max, l->Ty_max = Ty_max, l->H = H;
    size_t NTT = (size_t)N_max * Ty_max * Tx_max;
    l->a = xcalloc(NTT, sizeof(real));
    l->da = xcalloc(NTT, sizeof(real));
}

void time_attention_free(TimeAttention *l)
{
    free(l->a);
    free(l->da);
    memset(l, 0, sizeof *l);
}

/* The book's TimeAttention calls Attention at each of the Ty steps, for the
 * whole batch. The N sequences never mix, and for one sequence the Ty steps
 * together are three matrix products (He = enc_hs[n] (Tx, H), Hd = dec_hs[n]
 * (Ty, H)):
 *   S = Hd He^T (Ty, Tx)     every step's AttentionWeight scores at once
 *   A = softmax of each row of S
 *   C = A He (Ty, H)         every step's WeightSum
 * So each thread takes whole sequences and multiplies, rather than looping
 * over the steps with dot products of H numbers. Each sequence's arithmetic is
 * the same whatever thread runs it: 1 or 2 threads give the same bits. */
void time_attention_forward(TimeAttention *l, real *cs, const real *enc_hs, const real *dec_hs, int N, int Tx,
                            int Ty)
{
    if (N > l->N_max || Tx > l->Tx_max || Ty > l->Ty_max)
        die("TimeAttention: a batch of %d x (%d, %d) steps, buffers hold %d x (%d, %d)", N, Tx, Ty, l->N_max,
            l->Tx_max, l->Ty_max);
    const int H = l->H;
    l->N = N, l->Tx = Tx, l->Ty = Ty;
#pragma omp parallel for schedule(static) num_threads(get_threads()) if (N >= 2)
    for (int n = 0; n < N; n++) {
        const real *He = enc_hs + (size_t)n * Tx * H, *Hd = dec_hs + (size_t)n * Ty * H;
        real *A = l->a + (size_t)n * Ty * Tx;
        matmul(0, 1, Ty, Tx, H, Hd, He, 0, A);          /* S = Hd He^T */
        softmax(A, A, Ty, Tx);                          /* A: each step's weights over the Tx inputs */
        matmul(0, 0, Ty, H, Tx, A, He, 0, cs + (size_t)n * Ty * H);     /* C = A He */
    }
}

/* Backward of the three products, per sequence (dC = dcs[n]):
 *   dA = dC He^T             WeightSum's da at every step
 *   dHe = A^T dC             WeightSum's share of the encoder states
 *   dS = A * (dA - rowsum(A * dA))    through each row's softmax
 *   dHd = dS He              AttentionWeight's dh at every step
 *   dHe += dS^T Hd           AttentionWeight's share: every step looked at all of He */
void time_attention_backward(TimeAttention *l, real *denc_hs, real *ddec_hs, const real *dcs, const real *enc_hs,
                             const real *dec_hs)
{
    const int N = l->N, Tx = l->Tx, Ty = l->Ty, H = l->H;
#pragma omp parallel for schedule(static) num_threads(get_threads()) if (N >= 2)
    for (int n = 0; n < N; n++) {
        const real *He = enc_hs + (size_t)n * Tx * H, *Hd = dec_hs + (size_t)n * Ty * H;
        const real *dC = dcs + (size_t)n * Ty * H, *A = l->a + (size_t)n * Ty * Tx;
        real *dHe = denc_hs + (size_t)n * Tx * H, *dA = l->da + (size_t)n * Ty * Tx;
        matmul(0, 1, Ty, Tx, H, dC, He, 0, dA);
        matmul(1, 0, Tx, H, Ty, A, dC, 0, dHe);
        for (int t = 0; t < Ty; t++) {                  /* dA becomes dS */
            const real *at = A + (size_t)t * Tx;
            real *dat = dA + (size_t)t * Tx;
            real dot = 0;
            for (int k = 0; k < Tx; k++)
                dot += at[k] * dat[k];
            for (int k = 0; k < Tx; k++)
                dat[k] = at[k] * (dat[k] - dot);
        }
        matmul(0, 0, Ty, H, Tx, dA, He, 0, ddec_hs + (size_t)n * Ty * H);
        matmul(1, 0, Tx, H, Ty, dA, Hd, 1, dHe);
    }
}
