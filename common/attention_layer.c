/* attention_layer.c - AttentionWeight, WeightSum, Attention, TimeAttention (see attention_layer.h). */
#include "attention_layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    size_t NH = (size_t)N_max * H, NTH = NH * Tx_max;
    l->a = xcalloc((size_t)Ty_max * N_max * Tx_max, sizeof(real));
    l->h = xcalloc(NH, sizeof(real));
    l->c = xcalloc(NH, sizeof(real));
    l->dc = xcalloc(NH, sizeof(real));
    l->dh = xcalloc(NH, sizeof(real));
    l->dhs = xcalloc(NTH, sizeof(real));
    l->dhs2 = xcalloc(NTH, sizeof(real));
    l->da = xcalloc((size_t)N_max * Tx_max, sizeof(real));
}

void time_attention_free(TimeAttention *l)
{
    real *bufs[] = {l->a, l->h, l->c, l->dc, l->dh, l->dhs, l->dhs2, l->da};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    memset(l, 0, sizeof *l);
}

/* rows (N, H) <-> step t of a (N, T, H) sequence */
static void get_step(real *rows, const real *seq, int N, int T, int t, int H)
{
    for (int n = 0; n < N; n++)
        memcpy(rows + (size_t)n * H, seq + ((size_t)n * T + t) * H, (size_t)H * sizeof(real));
}

static void put_step(real *seq, const real *rows, int N, int T, int t, int H)
{
    for (int n = 0; n < N; n++)
        memcpy(seq + ((size_t)n * T + t) * H, rows + (size_t)n * H, (size_t)H * sizeof(real));
}

void time_attention_forward(TimeAttention *l, real *cs, const real *enc_hs, const real *dec_hs, int N, int Tx,
                            int Ty)
{
    if (N > l->N_max || Tx > l->Tx_max || Ty > l->Ty_max)
        die("TimeAttention: a batch of %d x (%d, %d) steps, buffers hold %d x (%d, %d)", N, Tx, Ty, l->N_max,
            l->Tx_max, l->Ty_max);
    l->N = N, l->Tx = Tx, l->Ty = Ty;
    for (int t = 0; t < Ty; t++) {
        get_step(l->h, dec_hs, N, Ty, t, l->H);
        attention_forward(l->c, l->a + (size_t)t * N * Tx, enc_hs, l->h, N, Tx, l->H);
        put_step(cs, l->c, N, Ty, t, l->H);
    }
}

void time_attention_backward(TimeAttention *l, real *denc_hs, real *ddec_hs, const real *dcs, const real *enc_hs,
                             const real *dec_hs)
{
    const int N = l->N, Tx = l->Tx, Ty = l->Ty, H = l->H;
    const size_t NTH = (size_t)N * Tx * H;
    memset(denc_hs, 0, NTH * sizeof(real));
    for (int t = 0; t < Ty; t++) {
        get_step(l->dc, dcs, N, Ty, t, H);
        get_step(l->h, dec_hs, N, Ty, t, H);
        attention_backward(l->dhs, l->dh, l->dc, l->a + (size_t)t * N * Tx, enc_hs, l->h, l->da, l->dhs2, N, Tx, H);
        for (size_t i = 0; i < NTH; i++)        /* every step looked at all of enc_hs */
            denc_hs[i] += l->dhs[i];
        put_step(ddec_hs, l->dh, N, Ty, t, H);
    }
}
