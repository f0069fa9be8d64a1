/* peeky_seq2seq.c - the PeekyDecoder (see peeky_seq2seq.h). */
#include "peeky_seq2seq.h"

#include <string.h>

#include "matmul.h"
#include "threads.h"
#include "time_layers.h"

/* The LSTM's input [h, e_t] times Wx is h Wx_h + e_t Wx_e, Wx_h being Wx's
 * first H rows and Wx_e the D after them. h is the same at every step, so
 * h Wx_h is computed once per sequence (d->gates_h, by decoder_peek) and added
 * to each step's e_t Wx_e + b (decoder_lstm_forward in seq2seq.c): the book's
 * concatenation without its T-fold product (h Wx_h is 8/9 of the multiply at
 * H = 128, D = 16). */

void decoder_peek(Decoder *d, const real *h, int N)
{
    memcpy(d->h_enc, h, (size_t)N * d->H * sizeof(real));
    matmul(0, 0, N, 4 * d->H, d->H, d->h_enc, d->Wx, 0, d->gates_h);     /* h Wx_h */
}

const real *peeky_decoder_forward(Decoder *d, const int *ids, const real *h, int N, int T)
{
    const int H = d->H, out = d->out;
    d->N = N, d->T = T;
    memcpy(d->ids, ids, (size_t)N * T * sizeof(int));
    decoder_table(d);
    decoder_peek(d, h, N);
    time_lstm_set_state(&d->lstm, h, NULL, N);
    decoder_lstm_forward(d, ids, N, T);
#pragma omp parallel for schedule(static) if ((size_t)N * T * out > PARALLEL_ROWS_MIN)
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
    const int N = d->N, T = d->T, H = d->H, out = d->out, G = 4 * H;
    time_affine_backward(d->daff, d->dW, d->dbo, dscores, d->aff, d->W, N, T, out, d->V);
    /* dh: the LSTM's dL/dh_0, plus h's share of every step's two concatenations */
    memset(d->dh, 0, (size_t)N * H * sizeof(real));
#pragma omp parallel for schedule(static) if ((size_t)N * T * out > PARALLEL_ROWS_MIN)
    for (int n = 0; n < N; n++)             /* each row's sum in the order of t */
        for (int t = 0; t < T; t++) {
            size_t r = (size_t)n * T + t;
            for (int k = 0; k < H; k++)
                d->dh[(size_t)n * H + k] += d->daff[r * out + k];
            memcpy(d->dhs + r * H, d->daff + r * out + H, (size_t)H * sizeof(real));
        }
    TimeLSTM *l = &d->lstm;
    decoder_lstm_backward(d, d->dhs);       /* and the embedding's side of the input, e_t Wx_e + b */
    /* h's side: h Wx_h went into every step, so its gradient is that of the
     * sum of the steps' dA, dgates_h (N, 4H): dWx_h += h^T dgates_h, dh += dgates_h Wx_h^T */
    memset(d->dgates_h, 0, (size_t)N * G * sizeof(real));
#pragma omp parallel for schedule(static) if ((size_t)N * T * G > PARALLEL_ROWS_MIN)
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++) {
            const real *dA = l->das_t + ((size_t)t * N + n) * G;
            real *s = d->dgates_h + (size_t)n * G;
            for (int j = 0; j < G; j++)
                s[j] += dA[j];
        }
    matmul(1, 0, H, G, N, d->h_enc, d->dgates_h, 1, d->dWx);
    matmul(0, 1, N, H, G, d->dgates_h, d->Wx, 1, d->dh);
    for (size_t i = 0; i < (size_t)N * H; i++)
        d->dh[i] += l->dh[i];
}
