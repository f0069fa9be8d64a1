/* gru.c - the GRU cell and TimeGRU (the sequel's appendix C). */
#include "gru.h"
#include "functions.h"
#include "layers.h"
#include "matmul.h"
#include "util.h"
#include "vector_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- one step, the part that must wait for the previous step ------------------------ */

/* gates (N, 3H) holds x Wx + b on entry and z, r, h~ on exit.
 * work: hw (N, 2H) = h_prev Wh, rh (N, H) = r * h_prev, rhw (N, H) = rh Whh. */
static void gru_step_forward(real *h_next, real *gates, real *work, const real *h_prev,
                             const real *Wh, const real *Whh, int N, int H)
{
    real *hw = work, *rh = work + (size_t)N * 2 * H, *rhw = work + (size_t)N * 3 * H;
    matmul(0, 0, N, 2 * H, H, h_prev, Wh, 0, hw);       /* [h_prev Wh_z | h_prev Wh_r] */
    for (int n = 0; n < N; n++) {
        real *G = gates + (size_t)n * 3 * H;
        const real *hwr = hw + (size_t)n * 2 * H;
        for (int j = 0; j < 2 * H; j++)
            G[j] += hwr[j];
        sigmoid_array(G, G, 2 * H);                     /* z and r, side by side */
        for (int j = 0; j < H; j++)
            rh[(size_t)n * H + j] = G[H + j] * h_prev[(size_t)n * H + j];   /* r * h_prev */
    }
    matmul(0, 0, N, H, H, rh, Whh, 0, rhw);             /* (r * h_prev) Whh */
    for (int n = 0; n < N; n++) {
        real *G = gates + (size_t)n * 3 * H;
        real *hh = G + 2 * H;                           /* h~ */
        for (int j = 0; j < H; j++)
            hh[j] += rhw[(size_t)n * H + j];
        tanh_array(hh, hh, H);
        for (int j = 0; j < H; j++) {
            size_t k = (size_t)n * H + j;
            h_next[k] = (1 - G[j]) * h_prev[k] + G[j] * hh[j];  /* keep some of h_prev, take some of h~ */
        }
    }
}

/* dA and dh_prev from dh_next (see gru.h), with dWh and dWhh added to. The x
 * side (dx, dWx, db) is left to the caller, who has x.
 * work: dahr (N, 2H) = [dA_z | dA_r], dah (N, H) = dA_h, rh (N, H), drh (N, H). */
static void gru_step_backward(real *da, real *dh_prev, real *dWh, real *dWhh, real *work,
                              const real *dh_next, const real *gates, const real *h_prev,
                              const real *Wh, const real *Whh, int N, int H)
{
    real *dahr = work, *dah = work + (size_t)N * 2 * H;
    real *rh = work + (size_t)N * 3 * H, *drh = work + (size_t)N * 4 * H;
    for (int n = 0; n < N; n++) {
        const real *G = gates + (size_t)n * 3 * H;
        real *dA = da + (size_t)n * 3 * H;
        for (int j = 0; j < H; j++) {
            size_t k = (size_t)n * H + j;
            real z = G[j], r = G[H + j], hh = G[2 * H + j], dhn = dh_next[k];
            dh_prev[k] = dhn * (1 - z);                 /* the direct path, through 1 - z */
            real dz = dhn * (hh - h_prev[k]);
            dA[j] = dz * z * (1 - z);                   /* dA_z, through sigmoid */
            dah[k] = dhn * z * (1 - hh * hh);           /* dA_h, through tanh */
            dA[2 * H + j] = dah[k];
            rh[k] = r * h_prev[k];
        }
    }
    matmul(1, 0, H, H, N, rh, dah, 1, dWhh);            /* dWhh += (r * h_prev)^T dA_h */
    matmul(0, 1, N, H, H, dah, Whh, 0, drh);            /* d(r * h_prev) = dA_h Whh^T */
    for (int n = 0; n < N; n++) {
        const real *G = gates + (size_t)n * 3 * H;
        real *dA = da + (size_t)n * 3 * H;
        for (int j = 0; j < H; j++) {
            size_t k = (size_t)n * H + j;
            real r = G[H + j];
            dA[H + j] = drh[k] * h_prev[k] * r * (1 - r);   /* dA_r = dr * r(1-r) */
            dh_prev[k] += drh[k] * r;                   /* h_prev's path through r * h_prev */
            dahr[(size_t)n * 2 * H + j] = dA[j];
            dahr[(size_t)n * 2 * H + H + j] = dA[H + j];
        }
    }
    matmul(1, 0, H, 2 * H, N, h_prev, dahr, 1, dWh);    /* dWh += h_prev^T [dA_z | dA_r] */
    matmul(0, 1, N, H, 2 * H, dahr, Wh, 1, dh_prev);    /* dh_prev += [dA_z | dA_r] Wh^T */
}

/* ---- the cell ------------------------------------------------------------------------------ */

void gru_forward(real *h_next, real *gates, real *work, const real *x, const real *h_prev,
                 const real *Wx, const real *Wh, const real *Whh, const real *b, int N, int D, int H)
{
    affine_forward(gates, x, Wx, b, N, D, 3 * H);       /* x Wx + b */
    gru_step_forward(h_next, gates, work, h_prev, Wh, Whh, N, H);
}

void gru_backward(real *dx, real *dh_prev, real *dWx, real *dWh, real *dWhh, real *db, real *da,
                  real *work, const real *dh_next, const real *gates, const real *x, const real *h_prev,
                  const real *Wx, const real *Wh, const real *Whh, int N, int D, int H)
{
    gru_step_backward(da, dh_prev, dWh, dWhh, work, dh_next, gates, h_prev, Wh, Whh, N, H);
    affine_backward(dx, dWx, db, da, x, Wx, N, D, 3 * H);   /* dx = dA Wx^T, dWx += x^T dA, db += sum dA */
}

static double sigmoid_d(double a) { return 1 / (1 + exp(-a)); }

/* Column col of x Wx + b, for one row x (D) */
static double gru_x_part(const real *x, const real *Wx, const real *b, int D, int H, int col)
{
    double a = b[col];
    for (int d = 0; d < D; d++)
        a += (double)x[d] * Wx[(size_t)d * 3 * H + col];
    return a;
}

/* Column col of h Wh, for one row h (H) */
static double gru_h_part(const real *h, const real *Wh, int H, int col)
{
    double a = 0;
    for (int k = 0; k < H; k++)
        a += (double)h[k] * Wh[(size_t)k * 2 * H + col];
    return a;
}

void gru_direct_forward(real *h_next, const real *x, const real *h_prev, const real *Wx,
                        const real *Wh, const real *Whh, const real *b, int N, int D, int H)
{
    for (int n = 0; n < N; n++) {
        const real *xr = x + (size_t)n * D, *hr = h_prev + (size_t)n * H;
        for (int j = 0; j < H; j++) {
            double z = sigmoid_d(gru_x_part(xr, Wx, b, D, H, j) + gru_h_part(hr, Wh, H, j));
            double a = gru_x_part(xr, Wx, b, D, H, 2 * H + j);
            for (int k = 0; k < H; k++) {               /* + (r * h_prev) Whh: every unit's r */
                double r = sigmoid_d(gru_x_part(xr, Wx, b, D, H, H + k) + gru_h_part(hr, Wh, H, H + k));
                a += r * hr[k] * Whh[(size_t)k * H + j];
            }
            double hh = tanh(a);
            h_next[(size_t)n * H + j] = (real)((1 - z) * hr[j] + z * hh);
        }
    }
}

/* ---- TimeGRU ------------------------------------------------------------------------------- */

void time_gru_init(TimeGRU *l, int D, int H, int N_max, int T_max, int stateful)
{
    memset(l, 0, sizeof *l);
    l->D = D, l->H = H, l->N_max = N_max, l->T_max = T_max, l->stateful = stateful;
    size_t NH = (size_t)N_max * H, NT3H = NH * T_max * 3;
    l->h = xcalloc(NH, sizeof(real));
    l->dh = xcalloc(NH, sizeof(real));
    l->hs = xcalloc(NH * (T_max + 1), sizeof(real));
    l->gates = xcalloc(NT3H, sizeof(real));
    l->xw = xcalloc(NT3H, sizeof(real));
    l->das = xcalloc(NT3H, sizeof(real));
    l->dh_next = xcalloc(NH, sizeof(real));
    l->da = xcalloc(NH * 3, sizeof(real));
    l->work = xcalloc(NH * GRU_WORK, sizeof(real));
}

void time_gru_free(TimeGRU *l)
{
    real *bufs[] = {l->h, l->dh, l->hs, l->gates, l->xw, l->das, l->dh_next, l->da, l->work};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    memset(l, 0, sizeof *l);
}

void time_gru_reset_state(TimeGRU *l)
{
    l->state_rows = 0;
}

void time_gru_set_state(TimeGRU *l, const real *h, int N)
{
    if (N > l->N_max)
        die("TimeGRU: a state of %d rows, buffers hold %d", N, l->N_max);
    memcpy(l->h, h, (size_t)N * l->H * sizeof(real));
    l->state_rows = N;
}

void time_gru_forward(TimeGRU *l, real *hs, const real *xs, const real *Wx, const real *Wh,
                      const real *Whh, const real *b, int N, int T)
{
    const int D = l->D, H = l->H;
    if (N > l->N_max || T > l->T_max)
        die("TimeGRU: a batch of %d x %d steps, buffers hold %d x %d", N, T, l->N_max, l->T_max);
    int carried = l->stateful && l->state_rows;
    if (carried && l->state_rows != N)
        die("TimeGRU: the carried state has %d rows, the batch %d (reset the state first)", l->state_rows, N);
    size_t NH = (size_t)N * H;
    if (carried)
        memcpy(l->hs, l->h, NH * sizeof(real));         /* h_0: where the last batch stopped */
    else
        memset(l->hs, 0, NH * sizeof(real));            /* h_0 = 0 */

    affine_forward(l->xw, xs, Wx, b, N * T, D, 3 * H);  /* x_t Wx + b for all steps at once */
    for (int t = 0; t < T; t++) {
        real *gates = l->gates + t * NH * 3;
        for (int n = 0; n < N; n++)                     /* this step's rows of x Wx + b */
            memcpy(gates + (size_t)n * 3 * H, l->xw + ((size_t)n * T + t) * 3 * H, (size_t)3 * H * sizeof(real));
        real *h_next = l->hs + (t + 1) * NH;
        gru_step_forward(h_next, gates, l->work, l->hs + t * NH, Wh, Whh, N, H);
        for (int n = 0; n < N; n++)                     /* hs[n, t] = h_t[n] */
            memcpy(hs + ((size_t)n * T + t) * H, h_next + (size_t)n * H, (size_t)H * sizeof(real));
    }
    l->N = N, l->T = T;
    if (l->stateful)
        time_gru_set_state(l, l->hs + T * NH, N);       /* h_T starts the next batch */
}

void time_gru_backward(TimeGRU *l, real *dxs, real *dWx, real *dWh, real *dWhh, real *db,
                       const real *dhs, const real *xs, const real *Wx, const real *Wh,
                       const real *Whh, int N, int T)
{
    const int D = l->D, H = l->H;
    if (N != l->N || T != l->T)
        die("TimeGRU: backward of a %d x %d batch after a forward of %d x %d", N, T, l->N, l->T);
    size_t NH = (size_t)N * H;
    memset(l->dh, 0, NH * sizeof(real));                /* nothing flows back from after step T */
    for (int t = T - 1; t >= 0; t--) {
        /* h_t went two ways: to the output hs[:, t] and on to step t+1. */
        for (int n = 0; n < N; n++)
            for (int j = 0; j < H; j++)
                l->dh_next[n * H + j] = dhs[((size_t)n * T + t) * H + j] + l->dh[n * H + j];
        gru_step_backward(l->da, l->dh, dWh, dWhh, l->work, l->dh_next, l->gates + t * NH * 3,
                          l->hs + t * NH, Wh, Whh, N, H);
        for (int n = 0; n < N; n++)                     /* das[n, t] = dA[n] */
            memcpy(l->das + ((size_t)n * T + t) * 3 * H, l->da + (size_t)n * 3 * H, (size_t)3 * H * sizeof(real));
    }
    /* the x side of all T steps in one go: dx = dA Wx^T, dWx += x^T dA, db += sum dA */
    affine_backward(dxs, dWx, db, l->das, xs, Wx, N * T, D, 3 * H);
}
