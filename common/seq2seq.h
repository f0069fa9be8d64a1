/* seq2seq.h - the sequel's seq2seq.py: Encoder, Decoder and Seq2seq, with the
 * decoders of peeky_seq2seq.py and attention_seq2seq.py beside them (see
 * peeky_seq2seq.h and attention_seq2seq.h), and generation: batched greedy
 * decoding and beam search.
 *
 *   Encoder:  xs (N, Tx) ids -> TimeEmbedding -> TimeLSTM -> hs (N, Tx, H);
 *             its last state h = hs[:, Tx-1] (N, H) is all a plain decoder gets.
 *   Decoder:  TimeLSTM started from h, reading the answer so far (the start
 *             mark, then the true previous character: "teacher forcing"),
 *             -> TimeAffine -> scores (N, Ty, V).
 *   Seq2seq:  both, with TimeSoftmaxWithLoss over the scores (padding ignored).
 *
 * The three kinds differ only in the decoder:
 *   SEQ2SEQ            h starts the decoder's LSTM, nothing more;
 *   PEEKY_SEQ2SEQ      h also goes, concatenated, into the LSTM and the Affine
 *                      at every step (the decoder "peeks" at it all along);
 *   ATTENTION_SEQ2SEQ  every step attends over all of hs (attention_layer.h)
 *                      and the Affine reads [context, h_t].
 *
 * All parameters live in one ParamSet ("enc_E", "enc_Wx", ..., "dec_W",
 * "dec_bo"), so one optimizer, one gradient check and one model file serve
 * every kind. */
#ifndef DL_SEQ2SEQ_H
#define DL_SEQ2SEQ_H

#include "attention_layer.h"
#include "lstm.h"
#include "params.h"
#include "rng.h"
#include "tensor.h"

typedef enum { SEQ2SEQ, PEEKY_SEQ2SEQ, ATTENTION_SEQ2SEQ } Seq2seqKind;

const char *seq2seq_kind_name(Seq2seqKind k);      /* "seq2seq", "peeky", "attention" */
int seq2seq_kind_parse(const char *name, Seq2seqKind *k);   /* -1 if unknown */

typedef struct {
    Seq2seqKind kind;
    int V, D, H;            /* vocabulary, embedding (the book's wordvec_size), hidden */
    int N, Tx, Ty;          /* the largest batch: N pairs, Tx encoder and Ty decoder steps */
} Seq2seqShape;

/* ---- Encoder ------------------------------------------------------------------------- */

typedef struct {
    int V, D, H, N_max, T_max;
    int N, T;                       /* the last forward */
    real *E, *Wx, *Wh, *b;          /* into the ParamSet */
    real *dE, *dWx, *dWh, *db;
    TimeLSTM lstm;                  /* not stateful: every batch starts from 0 */
    int *ids;                       /* (N, T) the last forward's input */
    real *table, *dtable;           /* (V, 4H) E Wx + b: each character's input to the gates */
    real *hs, *dhs;                 /* (N, T, H) */
    real *h;                        /* (N, H) the last step's state */
} Encoder;

/* hs (N, T, H) of xs (N, T); e->h gets hs[:, T-1]. Returns e->hs. */
const real *encoder_forward(Encoder *e, const int *xs, int N, int T);
/* From dh (N, H), the gradient of the last state only: the plain and peeky decoders'. */
void encoder_backward(Encoder *e, const real *dh);
/* From dhs (N, T, H), the gradient of every state: the attention decoder's. */
void attention_encoder_backward(Encoder *e, const real *dhs);

/* ---- Decoder (all three kinds) -------------------------------------------------------------- */

typedef struct {
    Seq2seqKind kind;
    int V, D, H, N_max, T_max, Tx_max;
    int in, out;                    /* the LSTM's input width (D, or H + D peeky) and the Affine's
                                       (H, or 2H for peeky and attention) */
    int N, T;                       /* the last forward */
    real *E, *Wx, *Wh, *b, *W, *bo;
    real *dE, *dWx, *dWh, *db, *dW, *dbo;
    TimeLSTM lstm;                  /* stateful: started from the encoder's h */
    TimeAttention attn;
    int *ids;                       /* (N, T) */
    real *table, *dtable;           /* (V, 4H) E Wx_e + b: each character's input to the gates */
    real *gates_h, *dgates_h;       /* (N, 4H) peeky: h_enc Wx_h, every step's share of the gates */
    real *hs, *dhs, *dhs2;          /* (N, T, H); dhs2 scratch */
    real *cs, *dcs;                 /* (N, T, H) attention's contexts */
    real *aff, *daff;               /* (N, T, out) the Affine's input */
    real *scores;                   /* (N, T, V) */
    real *h_enc;                    /* (N, H) the encoder's h (peeky) */
    const real *enc_hs;             /* (N, Tx, H) the encoder's states (attention), not owned */
    int Tx;
    real *dh;                       /* (N, H) dL/dh of the encoder's last state */
    real *denc_hs;                  /* (N, Tx, H) dL/d enc_hs (attention) */
    int step;                       /* generation: steps taken since decoder_start */
    real *gen_a;                    /* (T_max, N_max, Tx_max) generation's attention weights */
} Decoder;

/* The plain decoder: scores (N, T, V) of ids (N, T) from the encoder's h (N, H). */
const real *decoder_forward(Decoder *d, const int *ids, const real *h, int N, int T);
/* From dscores (N, T, V): the parameters' gradients added to, d->dh set. */
void decoder_backward(Decoder *d, const real *dscores);

/* ---- Seq2seq ------------------------------------------------------------------------------ */

typedef struct {
    Seq2seqShape s;
    ParamSet ps;
    Encoder enc;
    Decoder dec;
    real *ys, *dscores;             /* (N, Ty, V) softmax and dL/dscores */
    const int *ts;                  /* the last forward's targets */
    int N;
    real *work;                     /* (N, V) scratch of generation */
} Seq2seq;

/* Parameters initialised as the book's (embeddings N(0, 0.01^2), weights
 * N(0, 1/fan_in), biases 0) from seed; buffers for s->N x (s->Tx, s->Ty). */
void seq2seq_init(Seq2seq *m, const Seq2seqShape *s, uint64_t seed);
void seq2seq_free(Seq2seq *m);

/* The mean loss of the batch: questions xs (N, Tx), decoder input dec_in
 * (N, Ty), targets ts (N, Ty) with IGNORE_LABEL where nothing is asked. */
real seq2seq_forward(Seq2seq *m, const int *xs, const int *dec_in, const int *ts, int N);
/* After seq2seq_forward: every parameter's gradient, set (not added). */
void seq2seq_backward(Seq2seq *m);

/* Greedy decoding of any number of questions xs (count, Tx), a batch of up to
 * s.N at a time: out (count, steps) gets the characters of highest score, each
 * fed back as the next input. About the cost of one forward pass per batch. */
void seq2seq_generate(Seq2seq *m, int *out, const int *xs, int count, int start_id, int steps);

/* One question x (Tx): decode with a beam of `width` hypotheses (width <= s.N),
 * the most likely by the sum of log-probabilities. A hypothesis that wrote
 * end_id is finished and stays as it is. out (steps) gets the best one; returns
 * its log-probability. width 1 is greedy decoding. */
double seq2seq_beam_search(Seq2seq *m, int *out, const int *x, int start_id, int end_id, int steps, int width);

/* One question x (Tx): each character drawn from softmax(scores / temperature)
 * (0: greedy), restricted to the top_k (0: all), until end_id or steps. */
void seq2seq_sample(Seq2seq *m, int *out, const int *x, int start_id, int end_id, int steps, double temperature,
                    int top_k, Rng *rng);

/* The attention weights of the last seq2seq_generate's last batch: example n
 * (of that batch), output step t, input step k (attention only). */
real seq2seq_attention_weight(const Seq2seq *m, int n, int t, int k);

/* ---- the Embedding and the LSTM's input, as one table (seq2seq.c) ------------------------------ */

/* table (V, 4H) = E Wx + b (E (V, D), Wx (D, 4H)): row v is character v's x Wx + b. */
void input_table_forward(real *table, const real *E, const real *Wx, const real *b, int V, int D, int H);
/* l->gates (T, N, 4H) = table[ids[n, t]]: every step's x_t Wx + b, for time_lstm_recurrent_forward. */
void input_table_lookup(TimeLSTM *l, const int *ids, const real *table, int V, int N, int T);
/* After time_lstm_recurrent_backward: dtable (V, 4H) = the sum of l->das_t over the
 * steps that read each character; then dE, dWx and db added to from it. */
void input_table_backward(real *dE, real *dWx, real *db, real *dtable, const TimeLSTM *l, const int *ids,
                          const real *E, const real *Wx, int V, int D, int N, int T);

/* The decoders' LSTM: d->table from the weights; the forward over ids (N, T)
 * from the state set before (peeky: h_enc Wx_h added to every step), into d->hs;
 * its backward from dhs (N, T, H) (the parameters' gradients added to, dL/dh_0
 * in d->lstm.dh; peeky: the h_enc side is the caller's). */
void decoder_table(Decoder *d);
void decoder_lstm_forward(Decoder *d, const int *ids, int N, int T);
void decoder_lstm_backward(Decoder *d, const real *dhs);

/* ---- one generation step of each decoder (seq2seq.c calls them) --------------------------------- */

/* Start N rows from the encoder's last forward. */
void decoder_start(Decoder *d, const Encoder *e, int N);
/* Scores (N, V) of the next character after ids (N): one step, state carried. */
const real *decoder_step(Decoder *d, const int *ids, int N);

#endif
