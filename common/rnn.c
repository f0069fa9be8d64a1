/* rnn.c - the RNN cell and TimeRNN (the sequel's time_layers.py). */
#include "rnn.h"
#include "layers.h"
#include "matmul.h"
#include "util.h"
#include "vector_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- one step, the part that must wait for the previous step ---------------------- */

/* h_next (N, H) holds x Wx + b on entry; on exit h_next = tanh(h_next + h_prev Wh). */
static void rnn_step_forward(real *h_next, const real *h_prev, const real *Wh, int N, int H)
{
    matmul(0, 0, N, H, H, h_prev, Wh, 1, h_next);       /* a = x Wx + b + h_prev Wh */
    tanh_array(h_next, h_next, (size_t)N * H);          /* h_next = tanh(a) */
}

/* da = dh_next * (1 - h_next^2), dWh += h_prev^T da, dh_prev = da Wh^T.
 * The x side (dx, dWx, db) is left to the caller, who has x. */
static void rnn_step_backward(real *da, real *dh_prev, real *dWh, const real *dh_next,
                              const real *h_prev, const real *h_next, const real *Wh, int N, int H)
{
    tanh_backward(da, dh_next, h_next, (size_t)N * H);  /* da = dh_next * (1 - h_next^2) */
    matmul(1, 0, H, H, N, h_prev, da, 1, dWh);          /* dWh += h_prev^T da */
    matmul(0, 1, N, H, H, da, Wh, 0, dh_prev);          /* dh_prev = da Wh^T */
}

/* ---- the cell ------------------------------------------------------------------------ */

void rnn_forward(real *h_next, const real *x, const real *h_prev, const real *Wx, const real *Wh,
                 const real *b, int N, int D, int H)
{
    affine_forward(h_next, x, Wx, b, N, D, H);          /* x Wx + b */
    rnn_step_forward(h_next, h_prev, Wh, N, H);
}

void rnn_backward(real *dx, real *dh_prev, real *dWx, real *dWh, real *db, real *da,
                  const real *dh_next, const real *x, const real *h_prev, const real *h_next,
                  const real *Wx, const real *Wh, int N, int D, int H)
{
    rnn_step_backward(da, dh_prev, dWh, dh_next, h_prev, h_next, Wh, N, H);
    affine_backward(dx, dWx, db, da, x, Wx, N, D, H);   /* dx = da Wx^T, dWx += x^T da, db += sum da */
}

void rnn_direct_forward(real *h_next, const real *x, const real *h_prev, const real *Wx,
                        const real *Wh, const real *b, int N, int D, int H)
{
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++) {
            double a = b[j];
            for (int d = 0; d < D; d++)
                a += (double)x[(size_t)n * D + d] * Wx[(size_t)d * H + j];
            for (int k = 0; k < H; k++)
                a += (double)h_prev[(size_t)n * H + k] * Wh[(size_t)k * H + j];
            h_next[(size_t)n * H + j] = (real)tanh(a);
        }
}

/* ---- TimeRNN --------------------------------------------------------------------------- */

void time_rnn_init(TimeRNN *l, int D, int H, int N_max, int T_max, int stateful)
{
    memset(l, 0, sizeof *l);
    l->D = D, l->H = H, l->N_max = N_max, l->T_max = T_max, l->stateful = stateful;
    size_t NH = (size_t)N_max * H, NTH = NH * T_max;
    l->h = xcalloc(NH, sizeof(real));
    l->dh = xcalloc(NH, sizeof(real));
    l->hs = xcalloc(NH * (T_max + 1), sizeof(real));
    l->xw = xcalloc(NTH, sizeof(real));
    l->das = xcalloc(NTH, sizeof(real));
    l->dh_next = xcalloc(NH, sizeof(real));
    l->da = xcalloc(NH, sizeof(real));
}

void time_rnn_free(TimeRNN *l)
{
    free(l->h), free(l->dh), free(l->hs), free(l->xw), free(l->das), free(l->dh_next), free(l->da);
    memset(l, 0, sizeof *l);
}

void time_rnn_reset_state(TimeRNN *l)
{
    l->state_rows = 0;
}

void time_rnn_set_state(TimeRNN *l, const real *h, int N)
{
    if (N > l->N_max)
        die("TimeRNN: a state of %d rows, buffers hold %d", N, l->N_max);
    memcpy(l->h, h, (size_t)N * l->H * sizeof(real));
    l->state_rows = N;
}

void time_rnn_forward(TimeRNN *l, real *hs, const real *xs, const real *Wx, const real *Wh,
                      const real *b, int N, int T)
{
    const int D = l->D, H = l->H;
    if (N > l->N_max || T > l->T_max)
        die("TimeRNN: a batch of %d x %d steps, buffers hold %d x %d", N, T, l->N_max, l->T_max);
    int carried = l->stateful && l->state_rows;
    if (carried && l->state_rows != N)
        die("TimeRNN: the carried state has %d rows, the batch %d (reset the state first)", l->state_rows, N);
    size_t NH = (size_t)N * H;
    if (carried)
        memcpy(l->hs, l->h, NH * sizeof(real));         /* h_0: where the last batch stopped */
    else
        memset(l->hs, 0, NH * sizeof(real));            /* h_0 = 0 */

    affine_forward(l->xw, xs, Wx, b, N * T, D, H);      /* x_t Wx + b for all steps at once */
    for (int t = 0; t < T; t++) {
        const real *h_prev = l->hs + t * NH;
        real *h_next = l->hs + (t + 1) * NH;
        for (int n = 0; n < N; n++)                     /* this step's rows of x Wx + b */
            memcpy(h_next + (size_t)n * H, l->xw + ((size_t)n * T + t) * H, (size_t)H * sizeof(real));
        rnn_step_forward(h_next, h_prev, Wh, N, H);
        for (int n = 0; n < N; n++)                     /* hs[n, t] = h_t[n] */
            memcpy(hs + ((size_t)n * T + t) * H, h_next + (size_t)n * H, (size_t)H * sizeof(real));
    }
    l->N = N, l->T = T;
    if (l->stateful)
        time_rnn_set_state(l, l->hs + T * NH, N);       /* h_T starts the next batch */
}

void time_rnn_backward(TimeRNN *l, real *dxs, real *dWx, real *dWh, real *db, const real *dhs,
                       const real *xs, const real *Wx, const real *Wh, int N, int T)
{
    const int D = l->D, H = l->H;
    if (N != l->N || T != l->T)
        die("TimeRNN: backward of a %d x %d batch after a forward of %d x %d", N, T, l->N, l->T);
    size_t NH = (size_t)N * H;
    memset(l->dh, 0, NH * sizeof(real));                /* nothing flows back from after step T */
    for (int t = T - 1; t >= 0; t--) {
        /* h_t went two ways: to the output hs[:, t] and on to step t+1. */
        for (int n = 0; n < N; n++)
            for (int j = 0; j < H; j++)
                l->dh_next[n * H + j] = dhs[((size_t)n * T + t) * H + j] + l->dh[n * H + j];
        rnn_step_backward(l->da, l->dh, dWh, l->dh_next, l->hs + t * NH, l->hs + (t + 1) * NH, Wh, N, H);
        for (int n = 0; n < N; n++)                     /* das[n, t] = da[n] */
            memcpy(l->das + ((size_t)n * T + t) * H, l->da + (size_t)n * H, (size_t)H * sizeof(real));
    }
    /* the x side of all T steps in one go: dx = da Wx^T, dWx += x^T da, db += sum da */
    affine_backward(dxs, dWx, db, l->das, xs, Wx, N * T, D, H);
}
