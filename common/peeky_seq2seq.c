/* peeky_seq2seq.c - the PeekyDecoder (see peeky_seq2seq.h). */
#include "peeky_seq2seq.h"

#include <string.h>

#include "embedding.h"
#include "time_layers.h"

const real *peeky_decoder_forward(Decoder *d, const int *ids, const real *h, int N, int T)
{
    const int H = d->H, D = d->D, in = d->in, out = d->out;
    d->N = N, d->T = T;
    memcpy(d->ids, ids, (size_t)N * T * sizeof(int));
    memcpy(d->h_enc, h, (size_t)N * H * sizeof(real));
    time_embedding_forward(d->emb, ids, d->E, N, T, d->V, D);
    for (int n = 0; n < N; n++)             /* lin[n, t] = [h[n], emb[n, t]] */
        for (int t = 0; t < T; t++) {
            size_t r = (size_t)n * T + t;
            memcpy(d->lin + r * in, h + (size_t)n * H, (size_t)H * sizeof(real));
            memcpy(d->lin + r * in + H, d->emb + r * D, (size_t)D * sizeof(real));
        }
    time_lstm_set_state(&d->lstm, h, NULL, N);
    time_lstm_forward(&d->lstm, d->hs, d->lin, d->Wx, d->Wh, d->b, N, T);
    for (int n = 0; n < N; n++)             /* aff[n, t] = [h[n], hs[n, t]] */
        for (int t = 0; t < T; t++) {
            size_t r = (size_t)n * T + t;
            memcpy(d->aff + r * out, h + (size_t)n * H, (size_t)H * sizeof(real));
            memcpy(d->aff + r * out + H, d->hs + r * H, (size_t)H * sizeof(real));
        }
    time_affine_forward(d->scores, d->aff, d->W, d->bo, N, T, out, d->V);
    return d->scores;
}

void peeky_decoder_backward(Decoder *d, const real *dscores)
{
    const int N = d->N, T = d->T, H = d->H, D = d->D, in = d->in, out = d->out;
    time_affine_backward(d->daff, d->dW, d->dbo, dscores, d->aff, d->W, N, T, out, d->V);
    /* dh: the LSTM's dL/dh_0, plus h's share of every step's two concatenations */
    for (int n = 0; n < N; n++)
        memset(d->dh + (size_t)n * H, 0, (size_t)H * sizeof(real));
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++) {
            size_t r = (size_t)n * T + t;
            for (int k = 0; k < H; k++)
                d->dh[(size_t)n * H + k] += d->daff[r * out + k];
            memcpy(d->dhs + r * H, d->daff + r * out + H, (size_t)H * sizeof(real));
        }
    time_lstm_backward(&d->lstm, d->dlin, d->dWx, d->dWh, d->db, d->dhs, d->lin, d->Wx, d->Wh, N, T);
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++) {
            size_t r = (size_t)n * T + t;
            for (int k = 0; k < H; k++)
                d->dh[(size_t)n * H + k] += d->dlin[r * in + k];
            memcpy(d->demb + r * D, d->dlin + r * in + H, (size_t)D * sizeof(real));
        }
    for (size_t i = 0; i < (size_t)N * H; i++)
        d->dh[i] += d->lstm.dh[i];
    time_embedding_backward(d->dE, d->demb, d->ids, N, T, d->V, D);
}
