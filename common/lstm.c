/* lstm.c - the LSTM cell and TimeLSTM (the sequel's time_layers.py). */
#include "lstm.h"
#include "functions.h"
#include "layers.h"
#include "matmul.h"
#include "threads.h"
#include "util.h"
#include "vector_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- one step, the part that must wait for the previous step ------------------------ */

/* gates (N, 4H) holds x Wx + b on entry. Adds h_prev Wh, then turns A into
 * f, g, i, o in place and computes c_next and h_next. The activations go over
 * whole blocks of a row at once (vector_math.h), which the compiler vectorises.
 * Wh NULL says that h_prev is all zeros (a sequence's first step), so that
 * h_prev Wh adds nothing and is skipped. */
static void lstm_step_forward(real *h_next, real *c_next, real *gates, const real *h_prev,
                              const real *c_prev, const real *Wh, int N, int H)
{
    if (Wh)
        matmul(0, 0, N, 4 * H, H, h_prev, Wh, 1, gates);    /* A = x Wx + b + h_prev Wh */
    for (int n = 0; n < N; n++) {
        real *A = gates + (size_t)n * 4 * H;
        sigmoid_array(A, A, H);                         /* f */
        tanh_array(A + H, A + H, H);                    /* g */
        sigmoid_array(A + 2 * H, A + 2 * H, 2 * H);     /* i and o, side by side */
        const real *f = A, *g = A + H, *i = A + 2 * H, *o = A + 3 * H;
        const real *cp = c_prev + (size_t)n * H;
        real *cn = c_next + (size_t)n * H, *hn = h_next + (size_t)n * H;
        for (int j = 0; j < H; j++)
            cn[j] = f[j] * cp[j] + g[j] * i[j];         /* forget some memory, add some new */
        tanh_array(hn, cn, H);
        for (int j = 0; j < H; j++)
            hn[j] *= o[j];                              /* show some of it: o * tanh(c_next) */
    }
}

/* One row of lstm_gates_backward. A function of its own, with restrict on the
 * rows that never overlap, so that the compiler vectorises the loop: with
 * seven pointers of unknown overlap it would not. dcp and dcn may be the same
 * row (each element is read before it is written), which it checks at run time. */
static void lstm_gates_backward_row(real *restrict dA, real *dcp, const real *dcn, const real *restrict G,
                                    const real *restrict dhn, const real *restrict cp, const real *restrict cn, int H)
{
    tanh_array(dA + 3 * H, cn, H);                      /* tanh(c_next), parked where do goes */
    for (int j = 0; j < H; j++) {
        real f = G[j], g = G[H + j], i = G[2 * H + j], o = G[3 * H + j];
        real tc = dA[3 * H + j];
        real ds = dcn[j] + dhn[j] * o * (1 - tc * tc);  /* all that reaches c_next */
        dA[j] = ds * cp[j] * f * (1 - f);               /* df, through sigmoid */
        dA[H + j] = ds * i * (1 - g * g);               /* dg, through tanh */
        dA[2 * H + j] = ds * g * i * (1 - i);           /* di */
        dA[3 * H + j] = dhn[j] * tc * o * (1 - o);      /* do */
        dcp[j] = ds * f;                                /* the memory's path back: a product with f */
    }
}

/* dA (N, 4H) from dh_next and dc_next (see lstm.h), and dc_prev, which may be
 * the same buffer as dc_next. Only what this step's gates did: no matrices. */
static void lstm_gates_backward(real *da, real *dc_prev, const real *dh_next, const real *dc_next,
                                const real *gates, const real *c_prev, const real *c_next, int N, int H)
{
    for (int n = 0; n < N; n++) {
        size_t r = (size_t)n * H;
        lstm_gates_backward_row(da + 4 * r, dc_prev + r, dc_next + r, gates + 4 * r, dh_next + r, c_prev + r,
                                c_next + r, H);
    }
}

/* dA from dh_next and dc_next, then dWh += h_prev^T dA and dh_prev = dA Wh^T.
 * The x side (dx, dWx, db) is left to the caller, who has x. */
static void lstm_step_backward(real *da, real *dh_prev, real *dc_prev, real *dWh,
                               const real *dh_next, const real *dc_next, const real *gates,
                               const real *h_prev, const real *c_prev, const real *c_next,
                               const real *Wh, int N, int H)
{
    lstm_gates_backward(da, dc_prev, dh_next, dc_next, gates, c_prev, c_next, N, H);
    matmul(1, 0, H, 4 * H, N, h_prev, da, 1, dWh);      /* dWh += h_prev^T dA */
    matmul(0, 1, N, H, 4 * H, da, Wh, 0, dh_prev);      /* dh_prev = dA Wh^T */
}

/* ---- the cell ---------------------------------------------------------------------------- */

void lstm_forward(real *h_next, real *c_next, real *gates, const real *x, const real *h_prev,
                  const real *c_prev, const real *Wx, const real *Wh, const real *b, int N, int D, int H)
{
    affine_forward(gates, x, Wx, b, N, D, 4 * H);       /* x Wx + b */
    lstm_step_forward(h_next, c_next, gates, h_prev, c_prev, Wh, N, H);
}

void lstm_backward(real *dx, real *dh_prev, real *dc_prev, real *dWx, real *dWh, real *db, real *da,
                   const real *dh_next, const real *dc_next, const real *gates, const real *x,
                   const real *h_prev, const real *c_prev, const real *c_next,
                   const real *Wx, const real *Wh, int N, int D, int H)
{
    lstm_step_backward(da, dh_prev, dc_prev, dWh, dh_next, dc_next, gates, h_prev, c_prev, c_next, Wh, N, H);
    affine_backward(dx, dWx, db, da, x, Wx, N, D, 4 * H);   /* dx = dA Wx^T, dWx += x^T dA, db += sum dA */
}

/* A[n, col] = b[col] + sum_d x[n, d] Wx[d, col] + sum_k h[n, k] Wh[k, col] */
static double lstm_preactivation(const real *x, const real *h, const real *Wx, const real *Wh,
                                 const real *b, int n, int col, int D, int H)
{
    double a = b[col];
    for (int d = 0; d < D; d++)
        a += (double)x[(size_t)n * D + d] * Wx[(size_t)d * 4 * H + col];
    for (int k = 0; k < H; k++)
        a += (double)h[(size_t)n * H + k] * Wh[(size_t)k * 4 * H + col];
    return a;
}

static double sigmoid_d(double a) { return 1 / (1 + exp(-a)); }

void lstm_direct_forward(real *h_next, real *c_next, const real *x, const real *h_prev,
                         const real *c_prev, const real *Wx, const real *Wh, const real *b,
                         int N, int D, int H)
{
    for (int n = 0; n < N; n++)
        for (int j = 0; j < H; j++) {
            double f = sigmoid_d(lstm_preactivation(x, h_prev, Wx, Wh, b, n, j, D, H));
            double g = tanh(lstm_preactivation(x, h_prev, Wx, Wh, b, n, H + j, D, H));
            double i = sigmoid_d(lstm_preactivation(x, h_prev, Wx, Wh, b, n, 2 * H + j, D, H));
            double o = sigmoid_d(lstm_preactivation(x, h_prev, Wx, Wh, b, n, 3 * H + j, D, H));
            size_t k = (size_t)n * H + j;
            double c = f * c_prev[k] + g * i;
            c_next[k] = (real)c;
            h_next[k] = (real)(o * tanh(c));
        }
}

/* Batches of fewer rows than this run their time loop on one thread: a band
 * of a few rows would leave the multiply's register tiles mostly empty. */
#define PARALLEL_ROWS 16

/* ---- TimeLSTM ----------------------------------------------------------------------------- */

void time_lstm_init(TimeLSTM *l, int D, int H, int N_max, int T_max, int stateful)
{
    memset(l, 0, sizeof *l);
    l->D = D, l->H = H, l->N_max = N_max, l->T_max = T_max, l->stateful = stateful;
    size_t NH = (size_t)N_max * H, NT4H = NH * T_max * 4;
    l->h = xcalloc(NH, sizeof(real));
    l->c = xcalloc(NH, sizeof(real));
    l->dh = xcalloc(NH, sizeof(real));
    l->dc = xcalloc(NH, sizeof(real));
    l->hs = xcalloc(NH * (T_max + 1), sizeof(real));
    l->cs = xcalloc(NH * (T_max + 1), sizeof(real));
    l->gates = xcalloc(NT4H, sizeof(real));
    l->xs_t = xcalloc((size_t)N_max * T_max * D, sizeof(real));
    l->das = xcalloc(NT4H, sizeof(real));
    l->das_t = xcalloc(NT4H, sizeof(real));
    l->WhT = xcalloc((size_t)4 * H * H, sizeof(real));
    l->dh_next = xcalloc(NH, sizeof(real));
}

void time_lstm_free(TimeLSTM *l)
{
    real *bufs[] = {l->h, l->c, l->dh, l->dc, l->hs, l->cs, l->gates, l->xs_t, l->das, l->das_t, l->dh_next, l->WhT};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    memset(l, 0, sizeof *l);
}

void time_lstm_reset_state(TimeLSTM *l)
{
    l->state_rows = 0;
}

void time_lstm_set_state(TimeLSTM *l, const real *h, const real *c, int N)
{
    if (N > l->N_max)
        die("TimeLSTM: a state of %d rows, buffers hold %d", N, l->N_max);
    size_t bytes = (size_t)N * l->H * sizeof(real);
    memcpy(l->h, h, bytes);
    if (c)
        memcpy(l->c, c, bytes);
    else
        memset(l->c, 0, bytes);
    l->state_rows = N;
}

void time_lstm_input_forward(TimeLSTM *l, const real *xs, const real *Wx, const real *b, int N, int T)
{
    const int D = l->D, H = l->H;
    if (N > l->N_max || T > l->T_max)
        die("TimeLSTM: a batch of %d x %d steps, buffers hold %d x %d", N, T, l->N_max, l->T_max);
    /* x_t Wx + b for all steps at once, straight into the gates: with xs put
     * in time order first (D numbers a row), the product's rows come out in
     * the gates' order (4H numbers a row), so no step has to copy its rows. */
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++)
            memcpy(l->xs_t + ((size_t)t * N + n) * D, xs + ((size_t)n * T + t) * D, (size_t)D * sizeof(real));
    affine_forward(l->gates, l->xs_t, Wx, b, N * T, D, 4 * H);
}

void time_lstm_recurrent_forward(TimeLSTM *l, real *hs, const real *Wh, int N, int T)
{
    const int H = l->H;
    if (N > l->N_max || T > l->T_max)
        die("TimeLSTM: a batch of %d x %d steps, buffers hold %d x %d", N, T, l->N_max, l->T_max);
    int carried = l->stateful && l->state_rows;
    if (carried && l->state_rows != N)
        die("TimeLSTM: the carried state has %d rows, the batch %d (reset the state first)", l->state_rows, N);
    size_t NH = (size_t)N * H;
    if (carried) {                                      /* h_0, c_0: where the last batch stopped */
        memcpy(l->hs, l->h, NH * sizeof(real));
        memcpy(l->cs, l->c, NH * sizeof(real));
    } else {
        memset(l->hs, 0, NH * sizeof(real));
        memset(l->cs, 0, NH * sizeof(real));
    }
    l->zero_start = !carried;
    /* The N sequences of a batch never mix on the way through time, so each
     * thread carries its own band of them through all T steps: one start of
     * the threads per layer, not one per step's small multiply. */
#pragma omp parallel num_threads(get_threads()) if (N >= PARALLEL_ROWS)
    {
        int n0, n1;
        thread_band(N, &n0, &n1);
        for (int t = 0; t < T; t++) {
            real *gates = l->gates + t * NH * 4;        /* x_t Wx + b on entry */
            real *h_next = l->hs + (t + 1) * NH, *c_next = l->cs + (t + 1) * NH;
            size_t r = (size_t)n0 * H;                  /* where this band starts */
            lstm_step_forward(h_next + r, c_next + r, gates + 4 * r, l->hs + t * NH + r, l->cs + t * NH + r,
                              t == 0 && !carried ? NULL : Wh, n1 - n0, H);     /* h_0 = 0: no h_0 Wh */
            for (int n = n0; n < n1; n++)               /* hs[n, t] = h_t[n] */
                memcpy(hs + ((size_t)n * T + t) * H, h_next + (size_t)n * H, (size_t)H * sizeof(real));
        }
    }
    l->N = N, l->T = T;
    if (l->stateful)                                    /* h_T and c_T start the next batch */
        time_lstm_set_state(l, l->hs + T * NH, l->cs + T * NH, N);
}

void time_lstm_forward(TimeLSTM *l, real *hs, const real *xs, const real *Wx, const real *Wh,
                       const real *b, int N, int T)
{
    time_lstm_input_forward(l, xs, Wx, b, N, T);
    time_lstm_recurrent_forward(l, hs, Wh, N, T);
}

void time_lstm_recurrent_backward(TimeLSTM *l, real *dWh, const real *dhs, const real *Wh, int N, int T)
{
    const int H = l->H;
    if (N != l->N || T != l->T)
        die("TimeLSTM: backward of a %d x %d batch after a forward of %d x %d", N, T, l->N, l->T);
    size_t NH = (size_t)N * H;
    memset(l->dh, 0, NH * sizeof(real));                /* nothing flows back from after step T */
    memset(l->dc, 0, NH * sizeof(real));
    /* A batch that started from h_0 = 0 needs no dL/dh_0 (nothing made h_0):
     * its first step skips dh_prev = dA Wh^T, and l->dh is left 0. */
    const int t_last = l->zero_start ? 1 : 0;
#pragma omp parallel num_threads(get_threads()) if (N >= PARALLEL_ROWS)
    {
        /* Wh^T (4H, H) written out once: every step multiplies by it, and the
         * multiply reads an untransposed matrix in place instead of repacking
         * it. The threads share the writing (then wait for each other), in
         * squares of 16 x 16, so that each reads and writes whole cache lines
         * (for H = 128 on 2 threads: 20 us, against 51 a column at a time). */
#pragma omp for schedule(static)
        for (int j0 = 0; j0 < 4 * H; j0 += 16)
            for (int k0 = 0; k0 < H; k0 += 16)
                for (int j = j0; j < j0 + 16 && j < 4 * H; j++)
                    for (int k = k0; k < k0 + 16 && k < H; k++)
                        l->WhT[(size_t)j * H + k] = Wh[(size_t)k * 4 * H + j];
        int n0, n1;                                     /* this thread's band of the batch */
        thread_band(N, &n0, &n1);
        size_t r = (size_t)n0 * H;
        for (int t = T - 1; t >= 0; t--) {
            /* h_t went two ways: to the output hs[:, t] and on to step t+1. */
            for (int n = n0; n < n1; n++)
                for (int j = 0; j < H; j++)
                    l->dh_next[n * H + j] = dhs[((size_t)n * T + t) * H + j] + l->dh[n * H + j];
            real *da = l->das_t + t * NH * 4;
            lstm_gates_backward(da + 4 * r, l->dc + r, l->dh_next + r, l->dc + r, l->gates + t * NH * 4 + 4 * r,
                                l->cs + t * NH + r, l->cs + (t + 1) * NH + r, n1 - n0, H);
            /* dh_prev = dA Wh^T: this must wait for the step */
            if (t >= t_last)
                matmul(0, 0, n1 - n0, H, 4 * H, da + 4 * r, l->WhT, 0, l->dh + r);
            else
                memset(l->dh + r, 0, (size_t)(n1 - n0) * H * sizeof(real));
        }
    }
    /* dWh += h_prev^T dA summed over all steps: one large multiply rather than
     * T small ones, since nothing in the loop needed it (hs holds h_0 .. h_T
     * and das_t dA_1 .. dA_T, both time-major, so their rows match). */
    matmul(1, 0, H, 4 * H, T * N, l->hs, l->das_t, 1, dWh);
}

void time_lstm_backward(TimeLSTM *l, real *dxs, real *dWx, real *dWh, real *db, const real *dhs,
                        const real *xs, const real *Wx, const real *Wh, int N, int T)
{
    time_lstm_recurrent_backward(l, dWh, dhs, Wh, N, T);
    /* The x side of all T steps in one go: dx = dA Wx^T, dWx += x^T dA, db +=
     * sum dA, with dA in the rows' order of xs (N, T), so das[n, t] = das_t[t, n]. */
    const size_t G = (size_t)4 * l->H;
#pragma omp parallel for schedule(static) if ((size_t)N * T * G > PARALLEL_ROWS_MIN)
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++)
            memcpy(l->das + ((size_t)n * T + t) * G, l->das_t + ((size_t)t * N + n) * G, G * sizeof(real));
    affine_backward(dxs, dWx, db, l->das, xs, Wx, N * T, l->D, 4 * l->H);
}
