/* gru.h - the GRU cell and TimeGRU layer (the sequel's appendix C).
 *
 * A GRU keeps no memory cell apart from h: two gates decide how much of h_prev
 * to keep (z, the update gate) and how much of it to use when proposing the
 * new content (r, the reset gate).
 *
 *   z  = sigmoid(x Wx_z + h_prev Wh_z + b_z)
 *   r  = sigmoid(x Wx_r + h_prev Wh_r + b_r)
 *   h~ = tanh(x Wx_h + (r * h_prev) Whh + b_h)
 *   h_next = (1 - z) * h_prev + z * h~
 *     x (N, D), h (N, H)
 *     Wx (D, 3H) = [ z | r | h~ ],  b (3H) = [ z | r | h~ ]
 *     Wh (H, 2H) = [ z | r ],       Whh (H, H)
 *
 * The book keeps Wh as one (H, 3H) matrix. Here its last H columns are a
 * parameter of their own, Whh: they multiply r * h_prev, which is known only
 * after the first multiply, and a matrix of their own is what the multiply
 * needs (a block of columns of a wider matrix is not a contiguous matrix).
 *
 * TimeGRU runs the cell over T steps, xs (N, T, D) in, hs (N, T, H) out, with
 * x Wx + b for all steps in one multiply and a state carried between batches,
 * exactly as TimeRNN (see rnn.h). gru_direct_forward is the definition as
 * plain loops, the specification the fast versions are tested against. */
#ifndef DL_GRU_H
#define DL_GRU_H

#include "tensor.h"

/* Reals of scratch per row the cell needs: work is (N, GRU_WORK * H). */
#define GRU_WORK 5

/* ---- the GRU cell: one step --------------------------------------------------------- */

/* h_next (N, H); gates (N, 3H) receives z, r, h~ (backward needs them). */
void gru_forward(real *h_next, real *gates, real *work, const real *x, const real *h_prev,
                 const real *Wx, const real *Wh, const real *Whh, const real *b, int N, int D, int H);
/* From dh_next (N, H):
 *   dh~ = dh_next * z                dz = dh_next * (h~ - h_prev)
 *   dA_h = dh~ * (1 - h~^2)          dWhh += (r * h_prev)^T dA_h,   d(r h_prev) = dA_h Whh^T
 *   dr = d(r h_prev) * h_prev
 *   dA_z = dz * z(1-z)               dA_r = dr * r(1-r)
 *   dWh += h_prev^T [dA_z | dA_r],   dWx += x^T dA,   db += sum of dA,   dA = [dA_z | dA_r | dA_h]
 *   dh_prev = dh_next * (1 - z) + d(r h_prev) * r + [dA_z | dA_r] Wh^T
 *   dx = dA Wx^T (skipped if dx is NULL)
 * da (N, 3H) and work (N, GRU_WORK * H) are scratch the caller provides. */
void gru_backward(real *dx, real *dh_prev, real *dWx, real *dWh, real *dWhh, real *db, real *da,
                  real *work, const real *dh_next, const real *gates, const real *x, const real *h_prev,
                  const real *Wx, const real *Wh, const real *Whh, int N, int D, int H);
/* The same h_next as gru_forward, every sum a written-out loop. */
void gru_direct_forward(real *h_next, const real *x, const real *h_prev, const real *Wx,
                        const real *Wh, const real *Whh, const real *b, int N, int D, int H);

/* ---- TimeGRU: T steps ------------------------------------------------------------------- */

typedef struct {
    int D, H;               /* input and hidden sizes */
    int N_max, T_max;       /* the largest batch the buffers hold */
    int stateful;           /* start each batch where the last one stopped */
    int N, T;               /* the batch of the last forward */
    int state_rows;         /* rows of h holding a state; 0: start from h = 0 */
    real *h;                /* (N_max, H) the state for the next batch */
    real *dh;               /* (N_max, H) dL/dh_0 of the last backward */
    real *hs;               /* (T_max + 1, N_max, H) h_0 .. h_T, time-major */
    real *gates;            /* (T_max, N_max, 3H) z, r, h~ of every step, time-major */
    real *xw;               /* (N_max, T_max, 3H) x Wx + b for every step */
    real *das;              /* (N_max, T_max, 3H) dL/dA for every step */
    real *dh_next;          /* (N_max, H) scratch: dL/dh_t of one step */
    real *da;               /* (N_max, 3H) scratch: dL/dA of one step */
    real *work;             /* (N_max, GRU_WORK * H) scratch of the cell */
} TimeGRU;

void time_gru_init(TimeGRU *l, int D, int H, int N_max, int T_max, int stateful);
void time_gru_free(TimeGRU *l);
/* The next batch starts from h = 0. */
void time_gru_reset_state(TimeGRU *l);
/* The next batch of a stateful layer starts from h (N, H). */
void time_gru_set_state(TimeGRU *l, const real *h, int N);

/* hs (N, T, H) = the hidden states of xs (N, T, D). */
void time_gru_forward(TimeGRU *l, real *hs, const real *xs, const real *Wx, const real *Wh,
                      const real *Whh, const real *b, int N, int T);
/* From dhs (N, T, H) and the last forward: dxs (N, T, D) (skipped if NULL),
 * dWx, dWh, dWhh, db added to; dL/dh_0 into l->dh. */
void time_gru_backward(TimeGRU *l, real *dxs, real *dWx, real *dWh, real *dWhh, real *db,
                       const real *dhs, const real *xs, const real *Wx, const real *Wh,
                       const real *Whh, int N, int T);

#endif
