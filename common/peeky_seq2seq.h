/* peeky_seq2seq.h - the sequel's PeekyDecoder (peeky_seq2seq.py).
 *
 * A plain decoder sees the encoder's h once, as its first state, and must
 * carry it through every step. The peeky one is given h again at every step,
 * concatenated to the LSTM's input and to the Affine's:
 *
 *   lin[n, t] = [h[n], embed(ids[n, t])]   (H + D)  -> TimeLSTM -> hs (N, T, H)
 *   aff[n, t] = [h[n], hs[n, t]]           (2H)     -> TimeAffine -> scores
 *
 * Backward: h was used T times in each concatenation and once as the LSTM's
 * first state, so dh is the sum of all those parts.
 *
 * [h, e_t] Wx is not formed as written: it is h Wx_h + e_t Wx_e (Wx's rows
 * split), and h Wx_h, the same at every step, is computed once per sequence
 * (see peeky_seq2seq.c). */
#ifndef DL_PEEKY_SEQ2SEQ_H
#define DL_PEEKY_SEQ2SEQ_H

#include "seq2seq.h"

/* scores (N, T, V) of ids (N, T), with the encoder's h (N, H) */
const real *peeky_decoder_forward(Decoder *d, const int *ids, const real *h, int N, int T);
/* From dscores (N, T, V): gradients added to, d->dh set. */
void peeky_decoder_backward(Decoder *d, const real *dscores);

/* The encoder's h (N, H) into d->h_enc, and d->gates_h = h Wx_h. */
void decoder_peek(Decoder *d, const real *h, int N);

#endif
