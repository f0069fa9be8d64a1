/* rnnlm.h - the sequel's language models over characters (rnnlm.py,
 * better_rnnlm.py), with the recurrent cell to choose:
 *
 *   TimeEmbedding - [TimeDropout] - (TimeRNN | TimeLSTM | TimeGRU - [TimeDropout]) x layers
 *                 - TimeAffine - TimeSoftmaxWithLoss
 *
 * With two LSTM layers and dropout it is the book's BetterRnnlm (without weight
 * tying: a character vocabulary is small, the softmax layer costs little).
 * One layer and no dropout is its Rnnlm. The net reads N streams of T
 * characters at a time and carries its state from one batch to the next
 * (truncated BPTT). */
#ifndef CH05_RNNLM_H
#define CH05_RNNLM_H

#include "corpus.h"
#include "gru.h"
#include "lstm.h"
#include "params.h"
#include "rng.h"
#include "rnn.h"
#include "summary.h"

#define RNNLM_MAX_LAYERS 4

typedef enum { CELL_RNN, CELL_LSTM, CELL_GRU } CellKind;

typedef struct {
    CellKind cell;
    int V, D, H, layers;    /* vocabulary, embedding, hidden size, recurrent layers */
    double dropout;         /* ratio of every TimeDropout (0: none) */
    int N, T;               /* the largest batch: N streams of T steps */
} RnnlmShape;

typedef struct {
    RnnlmShape s;
    ParamSet ps;
    real *E, *dE, *W, *dW, *bo, *dbo;
    real *Wx[RNNLM_MAX_LAYERS], *Wh[RNNLM_MAX_LAYERS], *Whh[RNNLM_MAX_LAYERS], *b[RNNLM_MAX_LAYERS];
    real *dWx[RNNLM_MAX_LAYERS], *dWh[RNNLM_MAX_LAYERS], *dWhh[RNNLM_MAX_LAYERS], *db[RNNLM_MAX_LAYERS];
    TimeRNN rnn[RNNLM_MAX_LAYERS];
    TimeLSTM lstm[RNNLM_MAX_LAYERS];
    TimeGRU gru[RNNLM_MAX_LAYERS];
    /* activations of one batch: xs the embedded input, hs[l] layer l's output
     * (both after dropout, which works in place), the scores and softmax */
    real *xs, *hs[RNNLM_MAX_LAYERS], *scores, *ys;
    real *mask_x, *mask_h[RNNLM_MAX_LAYERS];    /* dropout masks */
    real *dscores, *dh, *dx;                    /* gradients flowing down */
    int *ids, *ts;                              /* (N, T) inputs and targets */
    Rng rng;                                    /* dropout masks */
} Rnnlm;

const char *cell_name(CellKind c);      /* "RNN", "LSTM", "GRU" */
const char *cell_tag(CellKind c);       /* "rnn", "lstm", "gru" */
int cell_parse(const char *name, CellKind *c);      /* -1 if unknown */

/* The "network" a saved language model declares in its metadata. */
#define RNNLM_NETWORK "char_rnnlm"
/* The shape and vocabulary of a model saved by `05_rnn lm`, from its metadata,
 * with N = T = 1 (one stream, one step: generation). A file that is not such
 * a model is a one-line error naming it, and exit. */
void rnnlm_read_shape(const char *path, RnnlmShape *s, CharVocab *vocab);

/* Parameters of the layers, initialised (Xavier-like, std 1/sqrt(fan-in), as
 * the book's), buffers for batches up to s.N x s.T. */
void rnnlm_init(Rnnlm *m, const RnnlmShape *s, uint64_t seed);
void rnnlm_free(Rnnlm *m);
size_t rnnlm_param_count(const RnnlmShape *s);

/* The next batch starts from zero states. */
void rnnlm_reset_state(Rnnlm *m);
/* The carried state: h (and c for an LSTM) of every layer, N x H each. */
size_t rnnlm_state_size(const Rnnlm *m);
void rnnlm_get_state(const Rnnlm *m, real *out);
void rnnlm_set_state(Rnnlm *m, const real *in);

/* The mean loss of m->ids against m->ts, (n, t) with n <= N, t <= T; train
 * draws dropout masks, otherwise dropout is the identity. */
real rnnlm_forward(Rnnlm *m, int n, int t, int train);
/* After a training forward: gradients of every parameter (set, not added). */
void rnnlm_backward(Rnnlm *m, int n, int t);
/* The scores (V) of the next character after the last step of stream 0 of the
 * last forward: what generation samples from. */
const real *rnnlm_last_scores(const Rnnlm *m, int t);

/* The --summary table of the net. */
void rnnlm_summary(Summary *sum, const RnnlmShape *s);

#endif
