#include "pooling.h"
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
 * first of equal values wins), without its data-dependent branches, which the
 * processor mispredicts about half the time on real activations. */
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

void pooling_forward(real *y, int *arg, const real *x, const PoolShape *s, int N)
{
    const int planes = N * s->C, HW = s->H * s->W, OHW = s->OH * s->OW;
    if (s->kind == POOL_MAX && s->PH == 2 && s->PW == 2 && s->stride == 2) {
#pragma omp parallel for schedule(static) if ((long)planes * HW > PARALLEL_MIN)
        for (int q = 0; q < planes; q++)
            max_pool_2x2(y + (size_t)q * OHW, arg + (size_t)q * OHW, x + (size_t)q * HW,
                         s->W, s->OH, s->OW, q * HW);
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

void pooling_backward(real *dx, const real *dy, const int *arg, const PoolShape *s, int N)
{
    const int planes = N * s->C, HW = s->H * s->W, OHW = s->OH * s->OW;
    const real scale = (real)1 / (s->PH * s->PW);
#pragma omp parallel for schedule(static) if ((long)planes * HW > PARALLEL_MIN)
    for (int q = 0; q < planes; q++) {
        real *din = dx + (size_t)q * HW;
        const real *dout = dy + (size_t)q * OHW;
        memset(din, 0, HW * sizeof(real));
        for (int oy = 0; oy < s->OH; oy++)
            for (int ox = 0; ox < s->OW; ox++) {
                const int o = oy * s->OW + ox;
                if (s->kind == POOL_MAX) {
                    dx[arg[(size_t)q * OHW + o]] += dout[o];   /* only the maximum passes */
                } else {
                    const int y0 = oy * s->stride, x0 = ox * s->stride;
                    for (int py = 0; py < s->PH; py++)
                        for (int px = 0; px < s->PW; px++)
                            din[(y0 + py) * s->W + x0 + px] += dout[o] * scale;
                }
            }
    }
}
