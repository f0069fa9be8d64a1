/* attention_layer.h - the sequel's attention_layer.py: AttentionWeight,
 * WeightSum, Attention and TimeAttention.
 *
 * A seq2seq decoder that only gets the encoder's last h must squeeze the whole
 * input into H numbers. Attention lets every decoder step look at all the
 * encoder's states hs (N, T, H) and take a weighted mix of them:
 *
 *   AttentionWeight  s[n, t] = hs[n, t] . h[n]       how much each input step
 *                    a[n] = softmax(s[n]) over t      resembles the decoder's h
 *   WeightSum        c[n] = sum_t a[n, t] hs[n, t]    the mix: the context vector
 *   Attention        both: (hs, h) -> c, keeping a for backward (and pictures)
 *   TimeAttention    Attention at every decoder step: (enc_hs, dec_hs) -> cs
 *
 * There are no parameters: what to look at is learnt by the LSTMs around it.
 * Backward, as every layer's here, overwrites dx (dhs, dh). */
#ifndef DL_ATTENTION_LAYER_H
#define DL_ATTENTION_LAYER_H

#include "tensor.h"

/* hs (N, T, H), h (N, H), a (N, T) */
void attention_weight_forward(real *a, const real *hs, const real *h, int N, int T, int H);
/* ds = a * (da - sum_t a da)  (softmax backward), then
 * dhs[n, t] = ds[n, t] h[n],  dh[n] = sum_t ds[n, t] hs[n, t] */
void attention_weight_backward(real *dhs, real *dh, const real *da, const real *a, const real *hs,
                               const real *h, int N, int T, int H);

/* hs (N, T, H), a (N, T), c (N, H):  c[n] = sum_t a[n, t] hs[n, t] */
void weight_sum_forward(real *c, const real *hs, const real *a, int N, int T, int H);
/* dhs[n, t] = a[n, t] dc[n],  da[n, t] = dc[n] . hs[n, t] */
void weight_sum_backward(real *dhs, real *da, const real *dc, const real *hs, const real *a, int N, int T, int H);

/* Attention: c (N, H) from hs (N, T, H) and h (N, H); a (N, T) receives the weights. */
void attention_forward(real *c, real *a, const real *hs, const real *h, int N, int T, int H);
/* dhs (N, T, H) and dh (N, H) from dc (N, H); da (N, T) and dhs2 (N, T, H) are scratch. */
void attention_backward(real *dhs, real *dh, const real *dc, const real *a, const real *hs, const real *h,
                        real *da, real *dhs2, int N, int T, int H);

/* TimeAttention: the decoder's Ty steps, each attending over the encoder's Tx
 * (Attention at every step, computed a sequence at a time: see attention_layer.c). */
typedef struct {
    int N_max, Tx_max, Ty_max, H;
    int N, Tx, Ty;          /* the last forward */
    real *a;                /* (N_max, Ty_max, Tx_max) the weights of every step: the attention map */
    real *da;               /* the same size, scratch of backward */
} TimeAttention;

void time_attention_init(TimeAttention *l, int N_max, int Tx_max, int Ty_max, int H);
void time_attention_free(TimeAttention *l);
/* enc_hs (N, Tx, H), dec_hs (N, Ty, H) -> cs (N, Ty, H). The weights of
 * example n, step t are l->a + (n * Ty + t) * Tx (the last forward's Ty and Tx). */
void time_attention_forward(TimeAttention *l, real *cs, const real *enc_hs, const real *dec_hs, int N, int Tx,
                            int Ty);
/* From dcs (N, Ty, H): denc_hs (N, Tx, H) (every step's part added up) and
 * ddec_hs (N, Ty, H). */
void time_attention_backward(TimeAttention *l, real *denc_hs, real *ddec_hs, const real *dcs, const real *enc_hs,
                             const real *dec_hs);

#endif
