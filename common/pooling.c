#include "pooling.h"
#include "layers.h"
#include "threads.h"
#include "util.h"

#include <string.h>

PoolShape pool_shape(PoolKind kind, int C, int H, int W, int PH, int PW, int stride)
{
    if (C < 1 || H < 1 || W < 1 || PH < 1 || PW < 1 || stride < 1 || PH > H || PW > W)
        die("pooling: a %dx%d window (stride %d) does not fit a %dx%d input", PH, PW, stride, H, W);
    PoolShape s = {kind, C, H, W, PH, PW, stride, (H - PH) / stride + 1, (W - PW) / stride + 1};
    return s;
}

size_t pool_out_size(const PoolShape *s, int N)
{
    return (size_t)N * s->C * s->OH * s->OW;
}

/* Both passes loop over the N*C planes on OpenMP threads: a plane's outputs
 * depend on that plane only, so no two threads touch the same number. Small
 * jobs (under PARALLEL_MIN numbers, threads.h) stay on one thread. */

/* The common case, a 2 x 2 max-pool with stride 2, with the window written
 * out: the same maximum and the same argument as the general loop below (the
 * first of equal values wins). For planes of odd width; max_pool_2x2_even
 * below takes the others. */
static void max_pool_2x2(real *out, int *arg, const real *in, int W, int OH, int OW, int first)
{
    for (int oy = 0; oy < OH; oy++) {
        const real *r0 = in + 2 * oy * W, *r1 = r0 + W;
        for (int ox = 0; ox < OW; ox++) {
            const int i = 2 * oy * W + 2 * ox;
            real m = r0[2 * ox];
            int a = i;
            if (r0[2 * ox + 1] > m) m = r0[2 * ox + 1], a = i + 1;
            if (r1[2 * ox] > m) m = r1[2 * ox], a = i + W;
            if (r1[2 * ox + 1] > m) m = r1[2 * ox + 1], a = i + W + 1;
            out[oy * OW + ox] = m;
            arg[oy * OW + ox] = first + a;
        }
    }
}

/* Pairs of neighbours per block of max_pool_2x2_even: its buffers, 8 KB. */
#define POOL_PAIRS 1024

/* The same pooling for planes of even width, in two passes over a block of
 * rows. Across: the larger of each two neighbours in a row. With W even, pair
 * j of the block is x[2j], x[2j + 1] whatever its row, so this is one long
 * loop that the compiler turns into vector instructions. A row alone, 4 to 14
 * outputs in the book's nets, is too short for that: max_pool_2x2 then runs
 * as scalar code with branches, mispredicted on real activations, at 7 to
 * 14 ns an output (2 to 4 ns this way, one thread). Then down: the larger of
 * the two pairs above each other, the choice of argument written as
 * arithmetic so that it needs no branch either. The same maximum and
 * argument as the window read in order, for every input without NaN: in
 * both, a value wins only if it is larger than every value before it. */
static void max_pool_2x2_even(real *out, int *arg, const real *in, int W, int OH, int OW, int first)
{
    real h[POOL_PAIRS];
    int ha[POOL_PAIRS];
    const int rows = POOL_PAIRS / (2 * OW);         /* output rows per block */
    for (int oy0 = 0; oy0 < OH; oy0 += rows) {
        const int n = OH - oy0 < rows ? OH - oy0 : rows;
        const int start = 2 * oy0 * W;              /* the block's first input */
        const real *x = in + start;
        for (int j = 0; j < 2 * n * OW; j++) {
            const int right = x[2 * j + 1] > x[2 * j];
            h[j] = right ? x[2 * j + 1] : x[2 * j];
            ha[j] = start + 2 * j + right;
        }
        for (int r = 0; r < n; r++) {
            const real *top = h + 2 * r * OW, *bottom = top + OW;
            const int *atop = ha + 2 * r * OW, *abottom = atop + OW;
            real *o = out + (size_t)(oy0 + r) * OW;
            int *a = arg + (size_t)(oy0 + r) * OW;
            for (int ox = 0; ox < OW; ox++) {
                o[ox] = bottom[ox] > top[ox] ? bottom[ox] : top[ox];
                a[ox] = first + atop[ox] + (bottom[ox] > top[ox]) * (abottom[ox] - atop[ox]);
            }
        }
    }
}

/* Planes pooled in one call of max_pool_2x2_even: about this many inputs. */
#define POOL_STACK 16384

void pooling_forward(real *y, int *arg, const real *x, const PoolShape *s, int N)
{
    const int planes = N * s->C, HW = s->H * s->W, OHW = s->OH * s->OW;
    if (s->kind == POOL_MAX && s->PH == 2 && s->PW == 2 && s->stride == 2) {
        /* With H and W even, the planes one under the other are one tall
         * plane whose windows never straddle two of them, and whose indices
         * are the planes' own (row q H + r of the stack is row r of plane
         * q): pooled a stack at a time, DeepConvNet's 8 x 8 planes run in
         * vectors as long as its 28 x 28. */
        const int even = s->W % 2 == 0 && 2 * s->OW <= POOL_PAIRS;
        const int stack = even && s->H % 2 == 0 && HW < POOL_STACK ? POOL_STACK / HW : 1;
#pragma omp parallel for schedule(static) if ((long)planes * HW > PARALLEL_MIN)
        for (int q = 0; q < planes; q += stack) {
            const int n = planes - q < stack ? planes - q : stack;
            if (even)
                max_pool_2x2_even(y + (size_t)q * OHW, arg + (size_t)q * OHW, x + (size_t)q * HW,
                                  s->W, n * s->OH, s->OW, q * HW);
            else
                max_pool_2x2(y + (size_t)q * OHW, arg + (size_t)q * OHW, x + (size_t)q * HW,
                             s->W, s->OH, s->OW, q * HW);
        }
        return;
    }
    const real scale = (real)1 / (s->PH * s->PW);
#pragma omp parallel for schedule(static) if ((long)planes * HW > PARALLEL_MIN)
    for (int q = 0; q < planes; q++) {
        const real *in = x + (size_t)q * HW;
        real *out = y + (size_t)q * OHW;
        for (int oy = 0; oy < s->OH; oy++)
            for (int ox = 0; ox < s->OW; ox++) {
                const int y0 = oy * s->stride, x0 = ox * s->stride;
                if (s->kind == POOL_MAX) {
                    int best = y0 * s->W + x0;
                    for (int py = 0; py < s->PH; py++)
                        for (int px = 0; px < s->PW; px++) {
                            int i = (y0 + py) * s->W + x0 + px;
                            if (in[i] > in[best])
                                best = i;
                        }
                    out[oy * s->OW + ox] = in[best];
                    arg[(size_t)q * OHW + oy * s->OW + ox] = q * HW + best;  /* index in x */
                } else {
                    real sum = 0;
                    for (int py = 0; py < s->PH; py++)
                        for (int px = 0; px < s->PW; px++)
                            sum += in[(y0 + py) * s->W + x0 + px];
                    out[oy * s->OW + ox] = sum * scale;
                }
            }
    }
}

/* A max-pool's backward pass: each window's gradient goes to its maximum, and
 * only there (the rest of dx is zero). y NULL: every maximum passes; else
 * only where y > 0, the ReLU before the pool (pooling_relu_backward). */
static void max_pool_backward(real *dx, const real *dy, const int *arg, const real *y,
                              const PoolShape *s, int N)
{
    const int planes = N * s->C, HW = s->H * s->W, OHW = s->OH * s->OW;
    /* Windows that do not overlap send each input at most one gradient: it
     * can be stored, 0 + g as the sum onto zero would give (+0 for -0), not
     * added, a load and an addition less for each. */
    const int apart = s->stride >= s->PH && s->stride >= s->PW;
#pragma omp parallel for schedule(static) if ((long)planes * HW > PARALLEL_MIN)
    for (int q = 0; q < planes; q++) {
        memset(dx + (size_t)q * HW, 0, HW * sizeof(real));
        if (apart)
            for (int o = q * OHW; o < (q + 1) * OHW; o++)
                dx[arg[o]] = 0 + (!y || y[o] > 0 ? dy[o] : 0);
        else
            for (int o = q * OHW; o < (q + 1) * OHW; o++)
                dx[arg[o]] += !y || y[o] > 0 ? dy[o] : 0;   /* arg holds indices in x */
    }
}

void pooling_backward(real *dx, const real *dy, const int *arg, const PoolShape *s, int N)
{
    if (s->kind == POOL_MAX) {
        max_pool_backward(dx, dy, arg, NULL, s, N);
        return;
    }
    const int planes = N * s->C, HW = s->H * s->W, OHW = s->OH * s->OW;
    const real scale = (real)1 / (s->PH * s->PW);
#pragma omp parallel for schedule(static) if ((long)planes * HW > PARALLEL_MIN)
    for (int q = 0; q < planes; q++) {
        real *din = dx + (size_t)q * HW;
        const real *dout = dy + (size_t)q * OHW;
        memset(din, 0, HW * sizeof(real));
        for (int oy = 0; oy < s->OH; oy++)
            for (int ox = 0; ox < s->OW; ox++) {
                const int o = oy * s->OW + ox, y0 = oy * s->stride, x0 = ox * s->stride;
                for (int py = 0; py < s->PH; py++)
                    for (int px = 0; px < s->PW; px++)
                        din[(y0 + py) * s->W + x0 + px] += dout[o] * scale;
            }
    }
}

void pooling_relu_backward(real *dx, const real *dy, const int *arg, const real *y, const real *x,
                           const PoolShape *s, int N)
{
    if (s->kind == POOL_MAX) {
        /* y[o] is x[arg[o]], the window's maximum: the ReLU let it through if positive */
        max_pool_backward(dx, dy, arg, y, s, N);
        return;
    }
    pooling_backward(dx, dy, arg, s, N);
    relu_backward(dx, dx, x, (size_t)N * s->C * s->H * s->W);
}
