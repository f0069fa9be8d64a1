/* attention_seq2seq.h - the sequel's AttentionDecoder and AttentionSeq2seq
 * (attention_seq2seq.py).
 *
 * The encoder is the plain one, but the decoder gets all its states enc_hs:
 *
 *   TimeLSTM started from enc_hs[:, Tx-1], reading the answer so far -> dec_hs
 *   TimeAttention(enc_hs, dec_hs) -> cs (N, T, H)   what each step looked at
 *   aff[n, t] = [cs[n, t], dec_hs[n, t]] (2H) -> TimeAffine -> scores
 *
 * Backward returns dL/d enc_hs (N, Tx, H): attention's part plus, at the last
 * input step, the LSTM's dh. AttentionSeq2seq is Seq2seq of kind
 * ATTENTION_SEQ2SEQ (seq2seq.h). */
#ifndef DL_ATTENTION_SEQ2SEQ_H
#define DL_ATTENTION_SEQ2SEQ_H

#include "seq2seq.h"

/* scores (N, T, V) of ids (N, T), attending over enc_hs (N, Tx, H) (kept, not copied) */
const real *attention_decoder_forward(Decoder *d, const int *ids, const real *enc_hs, int N, int Tx, int T);
/* From dscores (N, T, V): gradients added to, d->denc_hs set. */
void attention_decoder_backward(Decoder *d, const real *dscores);

#endif
