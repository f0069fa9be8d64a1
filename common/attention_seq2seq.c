/* attention_seq2seq.c - the AttentionDecoder (see attention_seq2seq.h). */
#include "attention_seq2seq.h"

#include <string.h>

#include "time_layers.h"

const real *attention_decoder_forward(Decoder *d, const int *ids, const real *enc_hs, int N, int Tx, int T)
{
    const int H = d->H, out = d->out;
    d->N = N, d->T = T, d->Tx = Tx, d->enc_hs = enc_hs;
    memcpy(d->ids, ids, (size_t)N * T * sizeof(int));
    for (int n = 0; n < N; n++)             /* the LSTM starts from enc_hs[:, -1] */
        memcpy(d->h_enc + (size_t)n * H, enc_hs + ((size_t)n * Tx + Tx - 1) * H, (size_t)H * sizeof(real));
    decoder_table(d);
    time_lstm_set_state(&d->lstm, d->h_enc, NULL, N);
    decoder_lstm_forward(d, ids, N, T);
    time_attention_forward(&d->attn, d->cs, enc_hs, d->hs, N, Tx, T);
    for (size_t r = 0; r < (size_t)N * T; r++) {    /* aff = [c, h] */
        memcpy(d->aff + r * out, d->cs + r * H, (size_t)H * sizeof(real));
        memcpy(d->aff + r * out + H, d->hs + r * H, (size_t)H * sizeof(real));
    }
    time_affine_forward(d->scores, d->aff, d->W, d->bo, N, T, out, d->V);
    return d->scores;
}

void attention_decoder_backward(Decoder *d, const real *dscores)
{
    const int N = d->N, T = d->T, Tx = d->Tx, H = d->H, out = d->out;
    time_affine_backward(d->daff, d->dW, d->dbo, dscores, d->aff, d->W, N, T, out, d->V);
    for (size_t r = 0; r < (size_t)N * T; r++) {
        memcpy(d->dcs + r * H, d->daff + r * out, (size_t)H * sizeof(real));
        memcpy(d->dhs + r * H, d->daff + r * out + H, (size_t)H * sizeof(real));
    }
    time_attention_backward(&d->attn, d->denc_hs, d->dhs2, d->dcs, d->enc_hs, d->hs);
    for (size_t i = 0; i < (size_t)N * T * H; i++)  /* each h_t went to the Affine and to attention */
        d->dhs[i] += d->dhs2[i];
    decoder_lstm_backward(d, d->dhs);
    for (int n = 0; n < N; n++)             /* enc_hs[:, -1] also started the LSTM */
        for (int k = 0; k < H; k++)
            d->denc_hs[((size_t)n * Tx + Tx - 1) * H + k] += d->lstm.dh[(size_t)n * H + k];
}
