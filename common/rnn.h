/* rnn.h - the sequel's RNN cell and TimeRNN layer (time_layers.py).
 *
 * One step of a simple recurrent net: the new hidden state mixes the input with
 * the previous state, through tanh.
 *
 *   h_next = tanh(h_prev Wh + x Wx + b)
 *     x (N, D), h_prev and h_next (N, H), Wx (D, H), Wh (H, H), b (H)
 *
 * TimeRNN runs the cell over T steps: xs (N, T, D) in, hs (N, T, H) out, the
 * book's layout. Two things make it faster than T calls of the cell, without
 * changing the arithmetic:
 *   - x_t Wx + b does not depend on the previous step, so all T steps' worth is
 *     ONE multiply, (N*T, D) times (D, H), before the loop (Affine over N*T rows).
 *     Only h_prev Wh has to wait for the step before it. Backward likewise
 *     collects every step's dL/da and does dx, dWx and db in one multiply each.
 *   - the states are kept time-major inside the layer, (T+1, N, H), so that
 *     each step's h_prev is one contiguous (N, H) matrix for the multiply.
 *
 * Truncated BPTT: a long text is cut into batches of T steps. A stateful layer
 * starts each batch from the h where the previous batch stopped (the forward
 * pass goes on), but backward stops at the batch's first step (dL/dh_0 is kept
 * in `dh`, and goes nowhere unless the caller uses it, as seq2seq does).
 *
 * rnn_direct_forward is the definition written as plain loops: the
 * specification the cell and TimeRNN are tested against. */
#ifndef DL_RNN_H
#define DL_RNN_H

#include "tensor.h"

/* ---- the RNN cell: one step ------------------------------------------------------- */

/* h_next = tanh(h_prev Wh + x Wx + b) */
void rnn_forward(real *h_next, const real *x, const real *h_prev, const real *Wx, const real *Wh,
                 const real *b, int N, int D, int H);
/* With da = dh_next * (1 - h_next^2)  (tanh's derivative, from the output):
 *   db += sum over rows of da, dWh += h_prev^T da, dWx += x^T da,
 *   dh_prev = da Wh^T, dx = da Wx^T (skipped if dx is NULL).
 * da (N, H) is scratch the caller provides. */
void rnn_backward(real *dx, real *dh_prev, real *dWx, real *dWh, real *db, real *da,
                  const real *dh_next, const real *x, const real *h_prev, const real *h_next,
                  const real *Wx, const real *Wh, int N, int D, int H);
/* The same h_next as rnn_forward, every sum a written-out loop. */
void rnn_direct_forward(real *h_next, const real *x, const real *h_prev, const real *Wx,
                        const real *Wh, const real *b, int N, int D, int H);

/* ---- TimeRNN: T steps ----------------------------------------------------------------- */

typedef struct {
    int D, H;               /* input and hidden sizes */
    int N_max, T_max;       /* the largest batch the buffers hold */
    int stateful;           /* start each batch where the last one stopped */
    int N, T;               /* the batch of the last forward */
    int state_rows;         /* rows of h holding a state; 0: start from h = 0 */
    real *h;                /* (N_max, H) the state for the next batch */
    real *dh;               /* (N_max, H) dL/dh_0 of the last backward */
    real *hs;               /* (T_max + 1, N_max, H) h_0 .. h_T, time-major */
    real *xw;               /* (N_max, T_max, H) x Wx + b for every step */
    real *das;              /* (N_max, T_max, H) dL/da for every step */
    real *dh_next;          /* (N_max, H) scratch: dL/dh_t of one step */
    real *da;               /* (N_max, H) scratch: dL/da of one step */
} TimeRNN;

/* Buffers for batches up to N_max sequences of T_max steps, allocated once. */
void time_rnn_init(TimeRNN *l, int D, int H, int N_max, int T_max, int stateful);
void time_rnn_free(TimeRNN *l);
/* The next batch starts from h = 0 (a new text, or evaluation after training). */
void time_rnn_reset_state(TimeRNN *l);
/* The next batch starts from h (N, H) (the book's set_state: a seq2seq decoder
 * starts from the encoder's last h). As in the book, only a stateful layer uses
 * a state: one that is not starts every batch from h = 0. */
void time_rnn_set_state(TimeRNN *l, const real *h, int N);

/* hs (N, T, H) = the hidden states of xs (N, T, D). */
void time_rnn_forward(TimeRNN *l, real *hs, const real *xs, const real *Wx, const real *Wh,
                      const real *b, int N, int T);
/* From dhs (N, T, H) and the last forward: dxs (N, T, D) (skipped if NULL),
 * dWx, dWh, db added to, dL/dh_0 into l->dh. */
void time_rnn_backward(TimeRNN *l, real *dxs, real *dWx, real *dWh, real *db, const real *dhs,
                       const real *xs, const real *Wx, const real *Wh, int N, int T);

#endif
