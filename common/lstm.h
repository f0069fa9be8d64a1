/* lstm.h - the sequel's LSTM cell and TimeLSTM layer (time_layers.py).
 *
 * An LSTM keeps a memory cell c beside the hidden state h. Gates decide what
 * the memory forgets (f), what new content g it takes in (i) and how much of
 * it shows in h (o). The four gates' pre-activations come from one affine map
 * of x and h_prev, split into four blocks of H columns in the book's order:
 *
 *   A = x Wx + h_prev Wh + b                 (N, 4H) = [ f | g | i | o ]
 *   f = sigmoid(A_f)   g = tanh(A_g)   i = sigmoid(A_i)   o = sigmoid(A_o)
 *   c_next = f * c_prev + g * i
 *   h_next = o * tanh(c_next)
 *     x (N, D), h and c (N, H), Wx (D, 4H), Wh (H, 4H), b (4H)
 *
 * The memory's gradient passes from c_next to c_prev through a product with f
 * only, not through a matrix and a squashing function at every step as in the
 * RNN: that is why gradients survive over many more steps.
 *
 * TimeLSTM runs the cell over T steps, xs (N, T, D) in, hs (N, T, H) out, with
 * x Wx + b for all steps in one multiply and a state carried between batches,
 * exactly as TimeRNN (see rnn.h). lstm_direct_forward is the definition as
 * plain loops, the specification the fast versions are tested against. */
#ifndef DL_LSTM_H
#define DL_LSTM_H

#include "tensor.h"

/* ---- the LSTM cell: one step -------------------------------------------------------- */

/* h_next, c_next (N, H); gates (N, 4H) receives f, g, i, o after their
 * activation functions: backward needs them. */
void lstm_forward(real *h_next, real *c_next, real *gates, const real *x, const real *h_prev,
                  const real *c_prev, const real *Wx, const real *Wh, const real *b, int N, int D, int H);
/* From dh_next and dc_next (N, H), with ds = dc_next + dh_next * o * (1 - tanh(c_next)^2):
 *   dc_prev = ds * f
 *   dA = [ ds * c_prev * f(1-f) | ds * i * (1-g^2) | ds * g * i(1-i) | dh_next * tanh(c_next) * o(1-o) ]
 *   db += sum of dA, dWh += h_prev^T dA, dWx += x^T dA
 *   dh_prev = dA Wh^T, dx = dA Wx^T (skipped if dx is NULL)
 * da (N, 4H) is scratch the caller provides. */
void lstm_backward(real *dx, real *dh_prev, real *dc_prev, real *dWx, real *dWh, real *db, real *da,
                   const real *dh_next, const real *dc_next, const real *gates, const real *x,
                   const real *h_prev, const real *c_prev, const real *c_next,
                   const real *Wx, const real *Wh, int N, int D, int H);
/* The same h_next and c_next as lstm_forward, every sum a written-out loop. */
void lstm_direct_forward(real *h_next, real *c_next, const real *x, const real *h_prev,
                         const real *c_prev, const real *Wx, const real *Wh, const real *b,
                         int N, int D, int H);

/* ---- TimeLSTM: T steps ----------------------------------------------------------------- */

typedef struct {
    int D, H;               /* input and hidden sizes */
    int N_max, T_max;       /* the largest batch the buffers hold */
    int stateful;           /* start each batch where the last one stopped */
    int N, T;               /* the batch of the last forward */
    int state_rows;         /* rows of h and c holding a state; 0: start from zeros */
    int zero_start;         /* the last forward started from h_0 = c_0 = 0 */
    real *h, *c;            /* (N_max, H) the state for the next batch */
    real *dh, *dc;          /* (N_max, H) dL/dh_0 and dL/dc_0 of the last backward */
    real *hs, *cs;          /* (T_max + 1, N_max, H) h_0 .. h_T and c_0 .. c_T, time-major */
    real *gates;            /* (T_max, N_max, 4H) f, g, i, o of every step, time-major */
    real *xs_t;             /* (T_max, N_max, D) the input in time order */
    real *das_t;            /* (T_max, N_max, 4H) dL/dA for every step, time-major */
    real *das;              /* (N_max, T_max, 4H) the same in xs's order, for time_lstm_backward's x side */
    real *WhT;              /* (4H, H) Wh transposed, for dh_prev = dA Wh^T at every step */
    real *dh_next;          /* (N_max, H) scratch: dL/dh_t of one step */
} TimeLSTM;

void time_lstm_init(TimeLSTM *l, int D, int H, int N_max, int T_max, int stateful);
void time_lstm_free(TimeLSTM *l);
/* The next batch starts from h = c = 0. */
void time_lstm_reset_state(TimeLSTM *l);
/* The next batch of a stateful layer starts from h and c (N, H); c may be NULL
 * for c = 0 (the book's set_state(h, c=None)). */
void time_lstm_set_state(TimeLSTM *l, const real *h, const real *c, int N);

/* hs (N, T, H) = the hidden states of xs (N, T, D). */
void time_lstm_forward(TimeLSTM *l, real *hs, const real *xs, const real *Wx, const real *Wh,
                       const real *b, int N, int T);
/* From dhs (N, T, H) and the last forward: dxs (N, T, D) (skipped if NULL),
 * dWx, dWh, db added to; dL/dh_0 and dL/dc_0 into l->dh and l->dc. After a
 * forward from h_0 = c_0 = 0 (not stateful, or reset) dL/dh_0 is not computed
 * but left 0: nothing made h_0, so nobody needs it. */
void time_lstm_backward(TimeLSTM *l, real *dxs, real *dWx, real *dWh, real *db, const real *dhs,
                        const real *xs, const real *Wx, const real *Wh, int N, int T);

/* time_lstm_forward and _backward in their two halves, for a layer that makes
 * the gates' input part itself (seq2seq's decoders and encoder take x_t Wx + b
 * from a table of every character's, and the peeky decoder adds h_enc Wx_h,
 * computed once per sequence: see seq2seq.h):
 *   input_forward       l->gates (T, N, 4H) = x_t Wx + b for every step
 *   recurrent_forward   then, step by step, A = gates + h_prev Wh, the
 *                       activations, c and h: hs (N, T, H)
 *   recurrent_backward  dWh added to; dL/dA of every step into l->das_t
 *                       (T, N, 4H), dL/dh_0 and dL/dc_0 into l->dh and l->dc
 *                       (dL/dh_0 is left 0 after a forward from h_0 = 0);
 *                       the x side (dx, dWx, db from l->das_t) is the caller's */
void time_lstm_input_forward(TimeLSTM *l, const real *xs, const real *Wx, const real *b, int N, int T);
void time_lstm_recurrent_forward(TimeLSTM *l, real *hs, const real *Wh, int N, int T);
void time_lstm_recurrent_backward(TimeLSTM *l, real *dWh, const real *dhs, const real *Wh, int N, int T);

#endif
