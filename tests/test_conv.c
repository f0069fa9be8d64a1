/* Convolution and pooling: im2col and col2im against their definitions, the
 * im2col convolution against the direct one, the fast path without col
 * against im2col, Winograd's path against both, gradient checks of Convolution,
 * Pooling and the SimpleConvNet as a whole, and results that do not depend on
 * the number of threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conv_implicit.h"
#include "conv_one_channel.h"
#include "convolution.h"
#include "conv_transpose.h"
#include "deep_conv_net.h"
#include "gradcheck.h"
#include "im2col.h"
#include "layers.h"
#include "pooling.h"
#include "rng.h"
#include "simple_conv_net.h"
#include "test.h"
#include "threads.h"
#include "util.h"
#include "winograd.h"

static real *rand_buf(Rng *rng, size_t n, double lo, double hi)
{
    real *p = xmalloc(n * sizeof(real));
    fill_uniform(rng, p, n, lo, hi);
    return p;
}

/* Odd sizes, strides and paddings: N, C, H, W, FN, FH, FW, stride, pad */
static const int cases[][9] = {
    {2, 3, 7, 6, 4, 3, 2, 2, 1},
    {1, 1, 5, 5, 1, 5, 5, 1, 0},        /* the filter covers the whole image */
    {3, 2, 9, 11, 5, 3, 3, 1, 1},       /* "same" padding */
    {2, 4, 8, 7, 3, 3, 5, 3, 2},        /* stride 3, a wide filter, wide padding */
    {1, 2, 4, 4, 2, 1, 1, 1, 0},        /* 1x1 filters */
    {2, 1, 28, 28, 6, 5, 5, 1, 0},      /* SimpleConvNet's layer, smaller */
    {2, 3, 6, 5, 2, 2, 3, 2, 3},        /* padding larger than the filter step */
    {3, 2, 6, 7, 3, 3, 3, 1, 2},        /* stride 1, padding 2: DeepConvNet's fourth layer */
    {2, 3, 7, 9, 4, 3, 5, 1, 2},        /* stride 1, a 3x5 filter */
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static ConvShape case_shape(int k, int *N)
{
    const int *c = cases[k];
    *N = c[0];
    return conv_shape(c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
}

/* ---- im2col and col2im ------------------------------------------------------------ */

static void test_im2col_matches_definition(void)
{
    Rng rng;
    rng_seed(&rng, 10);
    for (int k = 0; k < NCASES; k++) {
        int N;
        ConvShape s = case_shape(k, &N);
        real *x = rand_buf(&rng, (size_t)N * s.C * s.H * s.W, -1, 1);
        real *col = xmalloc(conv_col_size(&s, N) * sizeof(real));
        im2col(col, x, N, s.C, s.H, s.W, s.FH, s.FW, s.stride, s.pad);
        size_t cols = (size_t)N * s.OH * s.OW;
        int bad = 0;
        for (int n = 0; n < N; n++)
            for (int oy = 0; oy < s.OH; oy++)
                for (int ox = 0; ox < s.OW; ox++)
                    for (int c = 0; c < s.C; c++)
                        for (int fy = 0; fy < s.FH; fy++)
                            for (int fx = 0; fx < s.FW; fx++) {
                                int iy = oy * s.stride + fy - s.pad, ix = ox * s.stride + fx - s.pad;
                                real want = iy < 0 || iy >= s.H || ix < 0 || ix >= s.W ? 0
                                          : x[((size_t)(n * s.C + c) * s.H + iy) * s.W + ix];
                                size_t row = (size_t)(c * s.FH + fy) * s.FW + fx;
                                size_t column = ((size_t)n * s.OH + oy) * s.OW + ox;
                                bad += col[row * cols + column] != want;
                            }
        CHECK(bad == 0);
        free(x);
        free(col);
    }
}

static void test_col2im_is_the_adjoint_of_im2col(void)
{
    /* <im2col(x), c> = <x, col2im(c)> for every x and c: col2im is exactly the
     * backward pass of im2col. And col2im of ones counts the patches over each pixel. */
    Rng rng;
    rng_seed(&rng, 11);
    for (int k = 0; k < NCASES; k++) {
        int N;
        ConvShape s = case_shape(k, &N);
        size_t nx = (size_t)N * s.C * s.H * s.W, nc = conv_col_size(&s, N);
        real *x = rand_buf(&rng, nx, -1, 1), *c = rand_buf(&rng, nc, -1, 1);
        real *col = xmalloc(nc * sizeof(real)), *back = xmalloc(nx * sizeof(real));
        im2col(col, x, N, s.C, s.H, s.W, s.FH, s.FW, s.stride, s.pad);
        col2im(back, c, N, s.C, s.H, s.W, s.FH, s.FW, s.stride, s.pad);
        double lhs = dot_real(col, c, nc), rhs = dot_real(x, back, nx);
        CHECK_NEAR(lhs, rhs, 1e-4 * (fabs(lhs) + 1));

        for (size_t i = 0; i < nc; i++)
            c[i] = 1;
        col2im(back, c, N, s.C, s.H, s.W, s.FH, s.FW, s.stride, s.pad);
        int bad = 0;
        for (int n = 0; n < N; n++)
            for (int ch = 0; ch < s.C; ch++)
                for (int iy = 0; iy < s.H; iy++)
                    for (int ix = 0; ix < s.W; ix++) {
                        int count = 0;   /* patches (oy, ox) with this pixel under fy, fx */
                        for (int oy = 0; oy < s.OH; oy++)
                            for (int ox = 0; ox < s.OW; ox++) {
                                int fy = iy + s.pad - oy * s.stride, fx = ix + s.pad - ox * s.stride;
                                count += fy >= 0 && fy < s.FH && fx >= 0 && fx < s.FW;
                            }
                        bad += back[((size_t)(n * s.C + ch) * s.H + iy) * s.W + ix] != count;
                    }
        CHECK(bad == 0);
        free(x), free(c), free(col), free(back);
    }
}

/* ---- im2col convolution against the direct one --------------------------------------- */

static void test_convolution_matches_direct(void)
{
    Rng rng;
    rng_seed(&rng, 12);
    for (int k = 0; k < NCASES; k++) {
        int N;
        ConvShape s = case_shape(k, &N);
        size_t nx = (size_t)N * s.C * s.H * s.W, ny = conv_out_size(&s, N);
        real *x = rand_buf(&rng, nx, -1, 1);
        real *W = rand_buf(&rng, (size_t)s.FN * s.C * s.FH * s.FW, -1, 1);
        real *b = rand_buf(&rng, s.FN, -1, 1);
        real *y = xmalloc(ny * sizeof(real)), *yd = xmalloc(ny * sizeof(real));
        ConvWork work = conv_work_create(&s, 1);
        convolution_forward(y, x, W, b, &s, N, &work);
        convolution_direct_forward(yd, x, W, b, &s, N);
        double worst = 0;
        for (size_t i = 0; i < ny; i++)
            worst = fmax(worst, fabs((double)y[i] - yd[i]));
        CHECK(worst <= (sizeof(real) == sizeof(double) ? 1e-12 : 1e-4));
        free(x), free(W), free(b), free(y), free(yd);
        conv_work_free(&work);
    }
}

/* ---- the fast path against im2col ---------------------------------------------------- */

static double max_abs_diff(const real *a, const real *b, size_t n, double *scale)
{
    double worst = 0;
    *scale = 0;
    for (size_t i = 0; i < n; i++) {
        worst = fmax(worst, fabs((double)a[i] - b[i]));
        *scale = fmax(*scale, fabs((double)b[i]));
    }
    return worst;
}

/* One batch of random numbers through the im2col path ([0]) and the path the
 * layers take ([1]), for the tests below to compare. */
typedef struct {
    size_t nx, ny, nw;
    real *y[2], *dx[2], *dW[2], *db[2];
} BothPaths;

static BothPaths run_both_paths(const ConvShape *s, int N, Rng *rng)
{
    BothPaths r;
    r.nx = (size_t)N * s->C * s->H * s->W, r.ny = conv_out_size(s, N);
    r.nw = (size_t)s->FN * s->C * s->FH * s->FW;
    real *x = rand_buf(rng, r.nx, -1, 1), *W = rand_buf(rng, r.nw, -1, 1);
    real *b = rand_buf(rng, s->FN, -1, 1), *dy = rand_buf(rng, r.ny, -1, 1);
    ConvWork work = conv_work_create(s, 1);
    for (int p = 0; p < 2; p++) {
        r.y[p] = xmalloc(r.ny * sizeof(real));
        r.dx[p] = xmalloc(r.nx * sizeof(real));
        r.dW[p] = xcalloc(r.nw, sizeof(real));
        r.db[p] = xcalloc(s->FN, sizeof(real));
        if (p == 0) {
            convolution_im2col_forward(r.y[p], x, W, b, s, N, &work);
            convolution_im2col_backward(r.dx[p], r.dW[p], r.db[p], dy, x, W, s, N, &work);
        } else {
            convolution_forward(r.y[p], x, W, b, s, N, &work);
            convolution_backward(r.dx[p], r.dW[p], r.db[p], dy, x, W, s, N, &work);
        }
    }
    free(x), free(W), free(b), free(dy);
    conv_work_free(&work);
    return r;
}

static void free_both_paths(BothPaths *r)
{
    for (int p = 0; p < 2; p++)
        free(r->y[p]), free(r->dx[p]), free(r->dW[p]), free(r->db[p]);
}

/* conv_implicit (what convolution_forward and _backward run for stride 1;
 * a one-channel forward pass where conv_one_channel_pays goes to
 * conv_one_channel.c instead, below, with the same bits) against the im2col
 * path: the forward's sums are the same sums in the same order, so the same
 * bits; the backward's add up in another order. Besides
 * the small cases, a batch whose slices take several chunks, the last one
 * short (DeepConvNet's second layer, 16 channels), and one with more filters
 * than the multiply's row blocks (8 channels). The first of those and the
 * last three have enough channels for dW by filter rows: DeepConvNet's fifth
 * layer, then channels and filters that fill no whole register tile (40 and
 * 13), with padding 2, and a 2 x 3 filter; the small cases and the 8-channel
 * one take dW by dot products. */
static void test_implicit_matches_im2col(void)
{
    Rng rng;
    rng_seed(&rng, 17);
    convolution_use_winograd(0);        /* the shapes with 32 channels or more would take it */
    const int extra[][9] = {
        {40, 16, 28, 28, 16, 3, 3, 1, 1},
        {4, 8, 8, 8, 140, 3, 3, 1, 1},
        {12, 32, 8, 8, 64, 3, 3, 1, 1},
        {6, 40, 7, 9, 13, 3, 3, 1, 2},
        {3, 33, 5, 6, 5, 2, 3, 1, 1},
    };
    const int total = NCASES + (int)(sizeof extra / sizeof extra[0]);
    int tested = 0, by_rows = 0;
    for (int k = 0; k < total; k++) {
        int N;
        ConvShape s;
        if (k < NCASES) {
            s = case_shape(k, &N);
        } else {
            const int *c = extra[k - NCASES];
            N = c[0];
            s = conv_shape(c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
        }
        if (!conv_implicit_fits(&s))
            continue;
        tested++;
        by_rows += conv_implicit_dW_by_rows(&s);
        BothPaths r = run_both_paths(&s, N, &rng);    /* [1]: the implicit path */
        CHECK(memcmp(r.y[0], r.y[1], r.ny * sizeof(real)) == 0);
        double sx, sW, tol = sizeof(real) == sizeof(double) ? 1e-12 : 1e-5;
        double ex = max_abs_diff(r.dx[1], r.dx[0], r.nx, &sx), eW = max_abs_diff(r.dW[1], r.dW[0], r.nw, &sW);
        if (ex > tol * sx || eW > tol * sW)
            printf("  case %d: dx off by %.3g (of %.3g), dW by %.3g (of %.3g)\n", k, ex, sx, eW, sW);
        CHECK(ex <= tol * sx && eW <= tol * sW);
        CHECK(memcmp(r.db[0], r.db[1], s.FN * sizeof(real)) == 0);
        free_both_paths(&r);
    }
    CHECK(tested >= 6);
    CHECK(by_rows == 4);
    convolution_use_winograd(1);
}

/* ---- one input channel, directly ------------------------------------------------------- */

/* conv_one_channel against the im2col path, called directly on every case,
 * and through the layer's functions (which take it where it pays, else
 * conv_implicit's path). The forward's sums are the same sums in the same
 * order, so the same bits, with and without the ReLU and the bias; dW adds
 * up in another order; db is the same sum. The ReLU's backward it applies
 * gives relu_backward's bits in dy, and the gradients of relu_backward then
 * the im2col path. And the same bits on 1 and 2 threads. The shapes:
 * DeepConvNet's first layer, SimpleConvNet's, a row of outputs wider than a
 * register tile (42) with filters that fill none (7), a 2 x 2 filter (taps
 * that fill no group of three), one pixel with a 1 x 1 filter, and planes
 * of 4 x 3, less than a tile; batches of 1 to 10 images, so some slices
 * hold none. */
typedef struct {
    real *y, *g, *dW, *db;
} OneChannelRun;

/* Path 0: im2col; 1: conv_one_channel's functions; 2: the layer's. y with
 * the ReLU and bias, then from dy: g, dy after the ReLU's backward if relu,
 * and dW, db. */
static void one_channel_run(OneChannelRun *r, int path, int relu, const ConvShape *s, int N, const real *x,
                            const real *W, const real *b, const real *dy, const real *y_relu, ConvWork *work)
{
    size_t ny = conv_out_size(s, N), nw = (size_t)s->FN * s->FH * s->FW;
    memcpy(r->g, dy, ny * sizeof(real));
    memset(r->dW, 0, nw * sizeof(real)), memset(r->db, 0, s->FN * sizeof(real));
    if (path == 0) {
        convolution_im2col_forward(r->y, x, W, b, s, N, work);
        if (relu)
            relu_forward(r->y, r->y, ny), relu_backward(r->g, r->g, y_relu, ny);
        convolution_im2col_backward(NULL, r->dW, r->db, r->g, x, W, s, N, work);
    } else if (path == 1) {
        conv_one_channel_forward(r->y, x, W, b, s, N, work, relu);
        conv_one_channel_dW(r->g, r->g, relu ? y_relu : NULL, x, s, N, work);
        conv_add_slices(r->dW, work, nw, N);
        conv_bias_backward(r->db, r->g, N, s->FN, s->OH * s->OW);
    } else if (relu) {
        convolution_relu_forward(r->y, x, W, b, s, N, work);
        convolution_relu_backward(NULL, r->dW, r->db, r->g, y_relu, x, W, s, N, work);
    } else {
        convolution_forward(r->y, x, W, b, s, N, work);
        convolution_backward(NULL, r->dW, r->db, r->g, x, W, s, N, work);
    }
}

static void test_one_channel_matches_im2col(void)
{
    const int cases[][9] = {
        {10, 1, 28, 28, 16, 3, 3, 1, 1},
        {3, 1, 28, 28, 30, 5, 5, 1, 0},
        {9, 1, 5, 40, 7, 3, 3, 1, 2},
        {1, 1, 6, 7, 5, 2, 2, 1, 1},
        {2, 1, 1, 1, 3, 1, 1, 1, 0},
        {2, 1, 4, 3, 2, 3, 3, 1, 1},
    };
    Rng rng;
    rng_seed(&rng, 24);
    const double tol = sizeof(real) == sizeof(double) ? 1e-12 : 1e-5;
    int pays = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const int *c = cases[k], N = c[0];
        ConvShape s = conv_shape(c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
        CHECK(conv_one_channel_fits(&s));
        pays += conv_one_channel_pays(&s);
        size_t nx = (size_t)N * s.H * s.W, ny = conv_out_size(&s, N), nw = (size_t)s.FN * s.FH * s.FW;
        real *x = rand_buf(&rng, nx, -1, 1), *W = rand_buf(&rng, nw, -1, 1), *b = rand_buf(&rng, s.FN, -1, 1);
        real *dy = rand_buf(&rng, ny, -1, 1), *y_relu = xmalloc(ny * sizeof(real));
        ConvWork work = conv_work_create(&s, 1);
        OneChannelRun r[3];
        for (int p = 0; p < 3; p++) {
            r[p].y = xmalloc(ny * sizeof(real)), r[p].g = xmalloc(ny * sizeof(real));
            r[p].dW = xmalloc(nw * sizeof(real)), r[p].db = xmalloc(s.FN * sizeof(real));
        }
        convolution_im2col_forward(y_relu, x, W, b, &s, N, &work);
        relu_forward(y_relu, y_relu, ny);
        for (int relu = 0; relu < 2; relu++)
            for (int bias = 0; bias < 2; bias++)
                for (int p = 0; p < 3; p++) {
                    one_channel_run(&r[p], p, relu, &s, N, x, W, bias ? b : NULL, dy, y_relu, &work);
                    if (p == 0)
                        continue;
                    double sW, eW = max_abs_diff(r[p].dW, r[0].dW, nw, &sW);
                    int same_y = memcmp(r[p].y, r[0].y, ny * sizeof(real)) == 0;
                    if (!same_y || eW > tol * sW)
                        printf("  case %zu, path %d, relu %d, bias %d: y %s, dW off by %.3g (of %.3g)\n", k, p,
                               relu, bias, same_y ? "the same" : "differs", eW, sW);
                    CHECK(same_y && eW <= tol * sW);
                    CHECK(memcmp(r[p].db, r[0].db, s.FN * sizeof(real)) == 0);
                    CHECK(memcmp(r[p].g, r[0].g, ny * sizeof(real)) == 0);  /* the ReLU's backward, in place */
                }
        /* dW and db again on 2 threads: the same bits as on 1 (r[1], after relu and bias) */
        int saved = get_threads();
        set_threads(2);
        ConvWork work2 = conv_work_create(&s, 1);
        one_channel_run(&r[2], 1, 1, &s, N, x, W, b, dy, y_relu, &work2);
        set_threads(saved);
        CHECK(memcmp(r[2].dW, r[1].dW, nw * sizeof(real)) == 0);
        CHECK(memcmp(r[2].db, r[1].db, s.FN * sizeof(real)) == 0);
        conv_work_free(&work2);
        for (int p = 0; p < 3; p++)
            free(r[p].y), free(r[p].g), free(r[p].dW), free(r[p].db);
        free(x), free(W), free(b), free(dy), free(y_relu);
        conv_work_free(&work);
    }
    CHECK(pays >= 1);           /* SimpleConvNet's, on any vector width */
}

/* ---- Winograd's F(2x2, 3x3) ------------------------------------------------------------- */

/* Shapes that take Winograd's path: N, C, H, W, FN, pad. DeepConvNet's two
 * last layers (slices of several chunks, a short last one), paddings 0 to 2,
 * odd sizes (tiles hanging over the edge), more filters than channels and
 * fewer. */
static const int winograd_cases[][6] = {
    {13, 32, 10, 9, 32, 2},
    {25, 32, 8, 8, 64, 1},
    {9, 64, 8, 8, 64, 1},
    {3, 33, 7, 9, 5, 1},
    {2, 40, 6, 5, 17, 0},
    {2, 32, 5, 7, 3, 2},
    {3, 32, 1, 1, 4, 1},                /* one pixel: one output, one tile */
    {2, 32, 2, 3, 5, 2},                /* smaller than a tile, padding 2 */
};
enum { WINOGRAD_CASES = sizeof winograd_cases / sizeof winograd_cases[0] };

/* The transforms add and subtract neighbouring pixels (and halve), so the
 * sums are not the direct ones: within this many times the largest number
 * of a result, in float. A transform wrong in one entry is off by a whole
 * product. */
#define WINOGRAD_FLOAT_TOLERANCE 2e-5

/* Each case through the layer with Winograd off and on, and through F(2x2)
 * (m = 2) or F(4x4) (m = 4) called directly: y against the direct loops, dx
 * and dW against conv_implicit's path, within tol of the largest number; a
 * pass the layer takes no Winograd for gives conv_implicit's bits; the fused
 * ReLU gives the bits of the layer then relu_forward. */
static void check_winograd(const int (*cases)[6], int count, int m, double tol, uint64_t seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    double worst = 0;
    for (int k = 0; k < count; k++) {
        const int *c = cases[k], N = c[0];
        ConvShape s = conv_shape(c[1], c[2], c[3], c[4], 3, 3, 1, c[5]);
        if (m == 2)
            CHECK(winograd_fits(&s) && convolution_winograd(&s));
        else    /* the layers take it for y and dW where x has 16 channels or more, for dx where dy has too */
            CHECK(winograd4_shape(&s) && winograd4_fits(&s, 0) == (s.C >= 16) &&
                  winograd4_fits(&s, 1) == (s.C >= 16 && s.FN >= 16));
        size_t nx = (size_t)N * s.C * s.H * s.W, ny = conv_out_size(&s, N), nw = (size_t)s.FN * s.C * 9;
        real *x = rand_buf(&rng, nx, -1, 1), *W = rand_buf(&rng, nw, -1, 1), *b = rand_buf(&rng, s.FN, -1, 1);
        real *dy = rand_buf(&rng, ny, -1, 1), *yd = xmalloc(ny * sizeof(real)), *yr = xmalloc(ny * sizeof(real));
        real *y[2], *dx[2], *dW[2];
        ConvWork work = conv_work_create(&s, 1);
        for (int p = 0; p < 2; p++) {   /* [0]: conv_implicit's path, [1]: the layer's own (Winograd on) */
            convolution_use_winograd(p);
            y[p] = xmalloc(ny * sizeof(real)), dx[p] = xmalloc(nx * sizeof(real)), dW[p] = xcalloc(nw, sizeof(real));
            convolution_forward(y[p], x, W, b, &s, N, &work);
            convolution_backward(dx[p], dW[p], NULL, dy, x, W, &s, N, &work);
        }
        if (!winograd4_fits(&s, 0) && !winograd_fits(&s))
            CHECK(memcmp(y[0], y[1], ny * sizeof(real)) == 0);
        if (!winograd4_fits(&s, 1) && !winograd_fits(&s))
            CHECK(memcmp(dx[0], dx[1], nx * sizeof(real)) == 0);
        if (!winograd4_fits(&s, 0))
            CHECK(memcmp(dW[0], dW[1], nw * sizeof(real)) == 0);
        memset(dW[1], 0, nw * sizeof(real));    /* the direct calls add into it */
        if (m == 2) {
            winograd_forward(y[1], x, W, b, &s, N, &work, 0);
            winograd_backward(dx[1], dW[1], dy, x, W, &s, N, &work);
            winograd_forward(yr, x, W, b, &s, N, &work, 1);
        } else {
            winograd4_forward(y[1], x, W, b, &s, N, &work, 0);
            winograd4_dx(dx[1], dy, W, &s, N, &work);
            winograd4_dW(dW[1], dy, x, &s, N, &work);
            winograd4_forward(yr, x, W, b, &s, N, &work, 1);
        }
        convolution_direct_forward(yd, x, W, b, &s, N);
        double sy, sx, sW;
        double ey = max_abs_diff(y[1], yd, ny, &sy) / sy, ex = max_abs_diff(dx[1], dx[0], nx, &sx) / sx;
        double eW = max_abs_diff(dW[1], dW[0], nw, &sW) / sW;
        if (ey > tol || ex > tol || eW > tol)
            printf("  case %d: y off by %.3g, dx by %.3g, dW by %.3g of the largest\n", k, ey, ex, eW);
        CHECK(ey <= tol && ex <= tol && eW <= tol);
        worst = fmax(worst, fmax(ey, fmax(ex, eW)));
        relu_forward(y[0], y[1], ny);
        CHECK(memcmp(y[0], yr, ny * sizeof(real)) == 0);
        for (int p = 0; p < 2; p++)
            free(y[p]), free(dx[p]), free(dW[p]);
        free(x), free(W), free(b), free(dy), free(yd), free(yr);
        conv_work_free(&work);
    }
    printf("  Winograd F(%dx%d) against the direct sums: at most %.2g of the largest number\n", m, m, worst);
}

static void test_winograd_matches_direct_and_implicit(void)
{
    check_winograd(winograd_cases, WINOGRAD_CASES, 2,
                   sizeof(real) == sizeof(double) ? 1e-12 : WINOGRAD_FLOAT_TOLERANCE, 23);
}

/* ---- Winograd's F(4x4, 3x3) ------------------------------------------------------------- */

/* Shapes F(4x4) runs: N, C, H, W, FN, pad. DeepConvNet's layers 2 to 6
 * (several chunks, a short last one), odd sizes (tiles hanging over the
 * edge), paddings 0 to 2, one pixel, an image smaller than a tile, and few
 * channels, where the layers do not take it but it must still be right. */
static const int winograd4_cases[][6] = {
    {2, 16, 28, 28, 16, 1},
    {7, 16, 14, 14, 32, 1},
    {13, 32, 14, 14, 32, 2},
    {25, 32, 8, 8, 64, 1},
    {9, 64, 8, 8, 64, 1},
    {3, 16, 7, 9, 16, 1},
    {2, 17, 5, 6, 20, 0},
    {3, 33, 16, 15, 24, 2},
    {3, 3, 1, 1, 5, 1},
    {2, 4, 2, 3, 3, 2},
};
enum { WINOGRAD4_CASES = sizeof winograd4_cases / sizeof winograd4_cases[0] };

/* Larger than F(2x2)'s: its matrices hold 4, 5 and 8 where F(2x2)'s hold 1 */
#define WINOGRAD4_FLOAT_TOLERANCE 1e-4

static void test_winograd4_matches_direct_and_implicit(void)
{
    check_winograd(winograd4_cases, WINOGRAD4_CASES, 4,
                   sizeof(real) == sizeof(double) ? 1e-12 : WINOGRAD4_FLOAT_TOLERANCE, 31);
}

/* Winograd's dW of a batch smaller than its slices (one image: a slice with
 * none), on a work whose slices still hold a larger batch's sums: the empty
 * slice must not count. Against conv_implicit's path. */
static void test_winograd_dW_of_one_image(void)
{
    Rng rng;
    rng_seed(&rng, 41);
    ConvShape s = conv_shape(32, 8, 8, 64, 3, 3, 1, 1);
    CHECK(convolution_winograd(&s));
    const int N = 3;
    size_t nx = (size_t)N * s.C * s.H * s.W, ny = conv_out_size(&s, N), nw = (size_t)s.FN * s.C * 9;
    real *x = rand_buf(&rng, nx, -1, 1), *W = rand_buf(&rng, nw, -1, 1), *dy = rand_buf(&rng, ny, -1, 1);
    real *dW[2] = {xcalloc(nw, sizeof(real)), xcalloc(nw, sizeof(real))};
    ConvWork work = conv_work_create(&s, 1);
    convolution_backward(NULL, dW[1], NULL, dy, x, W, &s, N, &work);     /* every slice's sums */
    for (int p = 0; p < 2; p++) {       /* [0]: conv_implicit's path, [1]: Winograd's */
        memset(dW[p], 0, nw * sizeof(real));
        convolution_use_winograd(p);
        convolution_backward(NULL, dW[p], NULL, dy, x, W, &s, 1, &work);
    }
    convolution_use_winograd(1);
    double scale, diff = max_abs_diff(dW[1], dW[0], nw, &scale);
    CHECK(diff <= (sizeof(real) == sizeof(double) ? 1e-12 : WINOGRAD4_FLOAT_TOLERANCE) * scale);
    free(x), free(W), free(dy), free(dW[0]), free(dW[1]);
    conv_work_free(&work);
}

/* ---- gradient checks ------------------------------------------------------------------- */

typedef struct {
    ConvShape s;
    int N;
    real *x, *W, *b, *R, *y;
    ConvWork work;
} ConvCase;

static double conv_loss(void *ctx)
{
    ConvCase *c = ctx;
    convolution_forward(c->y, c->x, c->W, c->b, &c->s, c->N, &c->work);
    return dot_real(c->y, c->R, conv_out_size(&c->s, c->N));
}

static void test_convolution_gradient(void)
{
    Rng rng;
    rng_seed(&rng, 13);
    for (int k = 0; k < NCASES; k++) {
        if (k == 5)
            continue;       /* the large one: the others cover the same code */
        ConvCase c;
        c.s = case_shape(k, &c.N);
        const ConvShape *s = &c.s;
        size_t nx = (size_t)c.N * s->C * s->H * s->W, ny = conv_out_size(s, c.N);
        size_t nw = (size_t)s->FN * s->C * s->FH * s->FW;
        c.x = rand_buf(&rng, nx, -1, 1);
        c.W = rand_buf(&rng, nw, -1, 1);
        c.b = rand_buf(&rng, s->FN, -1, 1);
        c.R = rand_buf(&rng, ny, -1, 1);
        c.y = xmalloc(ny * sizeof(real));
        c.work = conv_work_create(s, 1);
        real *dx = xmalloc(nx * sizeof(real)), *dW = xcalloc(nw, sizeof(real)), *db = xcalloc(s->FN, sizeof(real));
        conv_loss(&c);
        convolution_backward(dx, dW, db, c.R, c.x, c.W, s, c.N, &c.work);
        real *ndx = xmalloc(nx * sizeof(real)), *ndW = xmalloc(nw * sizeof(real)), *ndb = xmalloc(s->FN * sizeof(real));
        numerical_gradient(conv_loss, &c, c.x, nx, ndx);
        numerical_gradient(conv_loss, &c, c.W, nw, ndW);
        numerical_gradient(conv_loss, &c, c.b, s->FN, ndb);
        double ex = vector_relative_error(dx, ndx, nx), eW = vector_relative_error(dW, ndW, nw);
        double eb = vector_relative_error(db, ndb, s->FN), tol = gradcheck_tolerance();
        if (ex > tol || eW > tol || eb > tol)
            printf("  case %d: relative error dx %.3g, dW %.3g, db %.3g\n", k, ex, eW, eb);
        CHECK(ex <= tol && eW <= tol && eb <= tol);
        free(c.x), free(c.W), free(c.b), free(c.R), free(c.y);
        conv_work_free(&c.work);
        free(dx), free(dW), free(db), free(ndx), free(ndW), free(ndb);
    }
}

/* The whole layer's gradient through Winograd's paths, on a small shape with
 * each padding (double precision; in float the numerical gradient is too
 * rough to tell). */
static void test_winograd_gradient(void)
{
    if (sizeof(real) != sizeof(double))
        return;
    Rng rng;
    rng_seed(&rng, 29);
    for (int pad = 0; pad <= 2; pad++) {
        ConvCase c;
        c.N = 2;
        /* pads 0 and 1: y and dW by F(4x4), dx by F(2x2); pad 2: all three by F(4x4),
         * 32 x 32 filters, whose dW pads 0 and 1 have checked: dx only, one image */
        c.N = pad == 2 ? 1 : 2;
        c.s = pad == 0 ? conv_shape(32, 4, 5, 3, 3, 3, 1, pad)
              : pad == 1 ? conv_shape(32, 5, 6, 4, 3, 3, 1, pad) : conv_shape(32, 3, 4, 32, 3, 3, 1, pad);
        const ConvShape *s = &c.s;
        CHECK(convolution_winograd(s) && winograd4_fits(s, 0) && winograd4_fits(s, 1) == (pad == 2));
        size_t nx = (size_t)c.N * s->C * s->H * s->W, ny = conv_out_size(s, c.N), nw = (size_t)s->FN * s->C * 9;
        c.x = rand_buf(&rng, nx, -1, 1), c.W = rand_buf(&rng, nw, -1, 1), c.b = rand_buf(&rng, s->FN, -1, 1);
        c.R = rand_buf(&rng, ny, -1, 1), c.y = xmalloc(ny * sizeof(real));
        c.work = conv_work_create(s, 1);
        real *dx = xmalloc(nx * sizeof(real)), *dW = xcalloc(nw, sizeof(real)), *db = xcalloc(s->FN, sizeof(real));
        conv_loss(&c);
        convolution_backward(dx, dW, db, c.R, c.x, c.W, s, c.N, &c.work);
        real *ndx = xmalloc(nx * sizeof(real)), *ndW = xmalloc(nw * sizeof(real));
        numerical_gradient(conv_loss, &c, c.x, nx, ndx);
        if (pad < 2)
            numerical_gradient(conv_loss, &c, c.W, nw, ndW);
        double ex = vector_relative_error(dx, ndx, nx), eW = pad < 2 ? vector_relative_error(dW, ndW, nw) : 0;
        if (ex > gradcheck_tolerance() || eW > gradcheck_tolerance())
            printf("  pad %d: relative error dx %.3g, dW %.3g\n", pad, ex, eW);
        CHECK(ex <= gradcheck_tolerance() && eW <= gradcheck_tolerance());
        free(c.x), free(c.W), free(c.b), free(c.R), free(c.y), free(dx), free(dW), free(db), free(ndx), free(ndW);
        conv_work_free(&c.work);
    }
}

typedef struct {
    PoolShape s;
    int N;
    real *x, *R, *y;
    int *arg;
} PoolCase;

static double pool_loss(void *ctx)
{
    PoolCase *c = ctx;
    pooling_forward(c->y, c->arg, c->x, &c->s, c->N);
    return dot_real(c->y, c->R, pool_out_size(&c->s, c->N));
}

static void check_pooling(PoolKind kind, int PH, int PW, int stride)
{
    PoolCase c;
    c.N = 2;
    c.s = pool_shape(kind, 3, 7, 8, PH, PW, stride);
    size_t nx = (size_t)c.N * 3 * 7 * 8, ny = pool_out_size(&c.s, c.N);
    /* Inputs free of ties, at least 0.01 apart: a shuffle of evenly spaced values,
     * so a probe of size h never changes which input is a window's maximum. */
    Rng rng;
    rng_seed(&rng, 14);
    int *perm = xmalloc(nx * sizeof(int));
    for (size_t i = 0; i < nx; i++)
        perm[i] = (int)i;
    rng_shuffle(&rng, perm, (int)nx);
    c.x = xmalloc(nx * sizeof(real));
    for (size_t i = 0; i < nx; i++)
        c.x[i] = (real)(perm[i] * 0.01 - 1);
    c.R = rand_buf(&rng, ny, -1, 1);
    c.y = xmalloc(ny * sizeof(real));
    c.arg = xmalloc(ny * sizeof(int));
    real *dx = xmalloc(nx * sizeof(real)), *ndx = xmalloc(nx * sizeof(real));
    pool_loss(&c);
    pooling_backward(dx, c.R, c.arg, &c.s, c.N);
    numerical_gradient(pool_loss, &c, c.x, nx, ndx);
    double e = vector_relative_error(dx, ndx, nx);
    if (e > gradcheck_tolerance())
        printf("  relative error %.3g\n", e);
    CHECK(e <= gradcheck_tolerance());
    free(perm), free(c.x), free(c.R), free(c.y), free(c.arg), free(dx), free(ndx);
}

static void test_max_pooling_gradient(void) { check_pooling(POOL_MAX, 2, 2, 2); }
static void test_max_pooling_overlapping_gradient(void) { check_pooling(POOL_MAX, 3, 3, 2); }
static void test_average_pooling_gradient(void) { check_pooling(POOL_AVERAGE, 2, 2, 2); }
static void test_average_pooling_overlapping_gradient(void) { check_pooling(POOL_AVERAGE, 3, 2, 1); }

static void test_max_pooling_values(void)
{
    /* One 4x4 plane, 2x2 windows: the maxima, and the gradient goes to them only. */
    real x[16] = {1, 2, 5, 0,
                  3, 4, 1, 6,
                  0, 9, 2, 2.5,
                  8, 1, 3, 1};
    real y[4], dy[4] = {1, 2, 3, 4}, dx[16];
    int arg[4];
    PoolShape s = pool_shape(POOL_MAX, 1, 4, 4, 2, 2, 2);
    pooling_forward(y, arg, x, &s, 1);
    CHECK(y[0] == 4 && y[1] == 6 && y[2] == 9 && y[3] == 3);
    pooling_backward(dx, dy, arg, &s, 1);
    real want[16] = {0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 0, 0, 0, 4, 0};
    CHECK(memcmp(dx, want, sizeof want) == 0);
    s.kind = POOL_AVERAGE;
    pooling_forward(y, NULL, x, &s, 1);
    CHECK_NEAR(y[0], 2.5, 1e-6);
    CHECK_NEAR(y[3], 2.125, 1e-6);
}

/* The 2 x 2 pool's fast paths against the window read in order, the first of
 * equal values winning: on inputs full of ties (zeros, as after a ReLU, and a
 * few repeated values), on planes of odd and even sizes, on planes of many
 * blocks of rows (101 x 200), and wider than the fast path takes (3 x 1030). */
static void test_max_pooling_2x2_matches_window_in_order(void)
{
    /* 64 x 64: six planes in stacks of four and two (pooling.c) */
    const int sizes[][2] = {{4, 4}, {7, 8}, {8, 7}, {5, 5}, {28, 28}, {16, 16}, {8, 8}, {64, 64}, {101, 200}, {3, 1030}};
    Rng rng;
    rng_seed(&rng, 21);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        const int H = sizes[k][0], W = sizes[k][1], N = 3, C = 2;
        PoolShape s = pool_shape(POOL_MAX, C, H, W, 2, 2, 2);
        size_t nx = (size_t)N * C * H * W, ny = pool_out_size(&s, N);
        real *x = xmalloc(nx * sizeof(real)), *y = xmalloc(ny * sizeof(real));
        int *arg = xmalloc(ny * sizeof(int));
        for (size_t i = 0; i < nx; i++)
            x[i] = (real)(rng_uniform(&rng) < 0.5 ? 0 : (int)(rng_uniform(&rng) * 3) * 0.5);
        pooling_forward(y, arg, x, &s, N);
        int wrong = 0;
        for (int q = 0; q < N * C; q++)
            for (int oy = 0; oy < s.OH; oy++)
                for (int ox = 0; ox < s.OW; ox++) {
                    const int o = (q * s.OH + oy) * s.OW + ox;
                    int best = (q * H + 2 * oy) * W + 2 * ox;
                    for (int py = 0; py < 2; py++)
                        for (int px = 0; px < 2; px++) {
                            int i = (q * H + 2 * oy + py) * W + 2 * ox + px;
                            if (x[i] > x[best])
                                best = i;
                        }
                    wrong += arg[o] != best || y[o] != x[best];
                }
        if (wrong)
            printf("  %dx%d planes: %d windows differ\n", H, W, wrong);
        CHECK(wrong == 0);
        free(x), free(y), free(arg);
    }
}

/* The max-pool's backward pass against its definition: dx cleared, then each
 * window's gradient added where arg points (only where y > 0 for
 * pooling_relu_backward). Bit for bit, with ties in x and negative zeros in
 * dy: windows apart (2 x 2, stride 2), whose gradients are stored rather
 * than added, and overlapping (3 x 3, stride 2), on odd and even planes. */
static void test_max_pooling_backward_is_the_scatter(void)
{
    const int sizes[][2] = {{4, 4}, {28, 28}, {16, 16}, {8, 8}, {6, 10}, {7, 8}, {5, 5}};
    Rng rng;
    rng_seed(&rng, 23);
    for (int window = 2; window <= 3; window++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            const int H = sizes[k][0], W = sizes[k][1], N = 3, C = 2;
            PoolShape s = pool_shape(POOL_MAX, C, H, W, window, window, 2);
            size_t nx = (size_t)N * C * H * W, ny = pool_out_size(&s, N);
            real *x = xmalloc(nx * sizeof(real)), *y = xmalloc(ny * sizeof(real));
            real *dy = rand_buf(&rng, ny, -1, 1);
            real *dx = xmalloc(nx * sizeof(real)), *want = xmalloc(nx * sizeof(real));
            int *arg = xmalloc(ny * sizeof(int));
            for (size_t i = 0; i < nx; i++)
                x[i] = (real)(rng_uniform(&rng) < 0.5 ? 0 : (int)(rng_uniform(&rng) * 3) * 0.5);
            for (size_t o = 0; o < ny; o += 5)
                dy[o] = -(real)0;
            pooling_forward(y, arg, x, &s, N);
            for (int relu = 0; relu < 2; relu++) {
                memset(want, 0, nx * sizeof(real));
                for (size_t o = 0; o < ny; o++)
                    want[arg[o]] += !relu || y[o] > 0 ? dy[o] : 0;
                if (relu)
                    pooling_relu_backward(dx, dy, arg, y, x, &s, N);
                else
                    pooling_backward(dx, dy, arg, &s, N);
                if (memcmp(dx, want, nx * sizeof(real)) != 0)
                    printf("  %dx%d windows on %dx%d planes, relu %d: dx differs\n", window, window, H, W, relu);
                CHECK(memcmp(dx, want, nx * sizeof(real)) == 0);
            }
            free(x), free(y), free(dy), free(dx), free(want), free(arg);
        }
}

/* pooling_relu_backward against pooling_backward then relu_backward: the
 * same bits, for max pooling (as the nets use it, and overlapping) and for
 * average pooling. */
static void test_pooling_relu_backward_is_both(void)
{
    const int shapes[][4] = {{POOL_MAX, 2, 2, 2}, {POOL_MAX, 3, 3, 2}, {POOL_AVERAGE, 2, 2, 2}};
    Rng rng;
    rng_seed(&rng, 22);
    for (int k = 0; k < 3; k++) {
        const int N = 2;
        PoolShape s = pool_shape((PoolKind)shapes[k][0], 3, 8, 7, shapes[k][1], shapes[k][2], shapes[k][3]);
        size_t nx = (size_t)N * 3 * 8 * 7, ny = pool_out_size(&s, N);
        real *x = rand_buf(&rng, nx, -1, 1), *dy = rand_buf(&rng, ny, -1, 1);
        for (size_t i = 0; i < nx; i++)
            x[i] = x[i] > 0 ? x[i] : 0;                 /* a ReLU's output */
        real *y = xmalloc(ny * sizeof(real)), *dx1 = xmalloc(nx * sizeof(real)), *dx2 = xmalloc(nx * sizeof(real));
        int *arg = xmalloc(ny * sizeof(int));
        pooling_forward(y, arg, x, &s, N);
        pooling_backward(dx1, dy, arg, &s, N);
        relu_backward(dx1, dx1, x, nx);
        pooling_relu_backward(dx2, dy, arg, y, x, &s, N);
        CHECK(memcmp(dx1, dx2, nx * sizeof(real)) == 0);
        free(x), free(dy), free(y), free(dx1), free(dx2), free(arg);
    }
}

/* ---- the SimpleConvNet as a whole ---------------------------------------------------------- */

typedef struct {
    SimpleConvNet *net;
    const real *x;
    const int *t;
    int N;
} NetCase;

static double net_loss(void *ctx)
{
    NetCase *c = ctx;
    return simple_conv_net_loss(c->net, c->x, c->t, c->N);
}

static void test_simple_conv_net_gradient(void)
{
    enum { N = 3, C = 2, H = 10, W = 9, CLASSES = 4 };
    Rng rng;
    rng_seed(&rng, 15);
    SimpleConvNet net;
    simple_conv_net_init(&net, C, H, W, 3, 3, 6, CLASSES, N, (WeightInit){INIT_FIXED, 0.3}, &rng);
    fill_uniform(&rng, net.b1, 3, -0.1, 0.1);
    fill_uniform(&rng, net.b2, 6, -0.1, 0.1);
    fill_uniform(&rng, net.b3, CLASSES, -0.1, 0.1);
    real x[N * C * H * W];
    int t[N];
    fill_uniform(&rng, x, N * C * H * W, 0, 1);
    for (int n = 0; n < N; n++)
        t[n] = rng_int(&rng, CLASSES);
    size_t P = net.params.trainable_size;
    real *backprop = xmalloc(P * sizeof(real)), *numerical = xmalloc(P * sizeof(real));
    simple_conv_net_gradient(&net, x, t, N);
    memcpy(backprop, net.params.grads, P * sizeof(real));
    NetCase c = {&net, x, t, N};
    numerical_gradient(net_loss, &c, net.params.values, P, numerical);
    for (int k = 0; k < net.params.count; k++) {
        const ParamInfo *p = &net.params.info[k];
        double e = vector_relative_error(backprop + p->offset, numerical + p->offset, p->size);
        if (e > gradcheck_tolerance())
            printf("  %s: relative error %.3g\n", p->name, e);
        CHECK(e <= gradcheck_tolerance());
    }
    free(backprop), free(numerical);
    simple_conv_net_free(&net);
}

/* ---- the DeepConvNet: a sample of every tensor ------------------------------------------------ */

typedef struct {
    DeepConvNet *net;
    const real *x;
    const int *t;
    int N;
} DeepCase;

static double deep_loss(void *ctx)
{
    DeepCase *c = ctx;
    return deep_conv_net_loss(c->net, c->x, c->t, c->N, 1);
}

static void test_deep_conv_net_gradient(void)
{
    /* 60,000 parameters: too many to probe them all, so 6 random ones per tensor.
     * Dropout off (ratio 0), so that every forward pass is the same function. */
    enum { N = 2, C = 1, H = 8, W = 8, CLASSES = 5, PROBES = 6 };
    if (sizeof(real) != sizeof(double))
        return;     /* float rounding swamps central differences through eight layers */
    Rng rng;
    rng_seed(&rng, 17);
    DeepConvNet net;
    deep_conv_net_init(&net, C, H, W, CLASSES, N, &rng);
    net.dropout_ratio = 0;
    for (int i = 0; i < DEEP_CONVS + 2; i++)
        fill_uniform(&rng, net.b[i], net.params.info[2 * i + 1].size, -0.1, 0.1);
    real x[N * C * H * W];
    int t[N] = {1, 3};
    fill_uniform(&rng, x, N * C * H * W, 0, 1);
    deep_conv_net_gradient(&net, x, t, N);
    DeepCase c = {&net, x, t, N};
    double h = numerical_gradient_step(), tol = gradcheck_tolerance();
    for (int k = 0; k < net.params.count; k++) {
        const ParamInfo *p = &net.params.info[k];
        real a[PROBES], n[PROBES];
        int probes = p->size < PROBES ? (int)p->size : PROBES;
        for (int j = 0; j < probes; j++) {
            size_t i = p->offset + (p->size <= PROBES ? (size_t)j : (size_t)rng_int(&rng, (int)p->size));
            real *v = &net.params.values[i], saved = *v;
            *v = (real)(saved + h);
            double fp = deep_loss(&c);
            *v = (real)(saved - h);
            double fm = deep_loss(&c);
            *v = saved;
            a[j] = net.params.grads[i];
            n[j] = (real)((fp - fm) / (2 * h));
        }
        double e = vector_relative_error(a, n, probes);
        if (e > tol)
            printf("  %s: relative error %.3g\n", p->name, e);
        CHECK(e <= tol);
    }
    deep_conv_net_free(&net);
}

/* ---- strided layers: col gathered, never written ---------------------------------------- */

/* Strided layers skip col: the multiply packs its numbers straight from
 * padded copies of the image planes (matmul_gathered). The same numbers in
 * the same arithmetic as through im2col: equal bit for bit, forward, dx and
 * dW, in slices (a batch of 96), thin (16, 7x7 outputs) and on odd sizes. */
static void test_gathered_matches_im2col(void)
{
    Rng rng;
    rng_seed(&rng, 19);
    const int cases[][9] = {
        {96, 16, 14, 14, 32, 4, 4, 2, 1},   /* the DCGAN's second layer, sliced */
        {16, 16, 14, 14, 32, 4, 4, 2, 1},   /* thin */
        {5, 3, 11, 9, 5, 3, 3, 2, 1},       /* odd sizes, a 3x3 filter */
        {4, 2, 13, 12, 6, 4, 3, 3, 2},      /* stride 3, a 4x3 filter */
    };
    for (int k = 0; k < (int)(sizeof cases / sizeof cases[0]); k++) {
        const int *c = cases[k], N = c[0];
        ConvShape s = conv_shape(c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
        CHECK(!conv_implicit_fits(&s));
        BothPaths r = run_both_paths(&s, N, &rng);    /* [1]: col gathered */
        CHECK(memcmp(r.y[0], r.y[1], r.ny * sizeof(real)) == 0);
        CHECK(memcmp(r.dx[0], r.dx[1], r.nx * sizeof(real)) == 0);
        CHECK(memcmp(r.dW[0], r.dW[1], r.nw * sizeof(real)) == 0);
        free_both_paths(&r);
    }
}

/* ---- thin layers: one chunk at a time, against slices ------------------------------------- */

/* A strided layer with small outputs (7x7, as the DCGAN's second convolution)
 * runs in slices for a batch of 96, and thin (wide chunks, see convolution.c)
 * for batches of 80 (two chunks, the second short) and 16: the same numbers,
 * up to the order of dW's sums. */
static void test_thin_matches_sliced(void)
{
    const int N = 96, part[2] = {80, 16};
    ConvShape s = conv_shape(16, 14, 14, 32, 4, 4, 2, 1);
    CHECK(!conv_thin(&s, N));
    CHECK(conv_thin(&s, part[0]) && conv_thin(&s, part[1]));
    CHECK(conv_thin_images(&s) < part[0]);
    Rng rng;
    rng_seed(&rng, 17);
    size_t in = (size_t)16 * 14 * 14, out = (size_t)32 * 7 * 7, nw = (size_t)32 * 16 * 16;
    real *x = rand_buf(&rng, N * in, -1, 1), *W = rand_buf(&rng, nw, -1, 1), *b = rand_buf(&rng, 32, -1, 1);
    real *dy = rand_buf(&rng, N * out, -1, 1);
    real *y[2], *dx[2], *dW[2], *db[2];
    ConvWork work = conv_work_create(&s, 1);
    for (int t = 0; t < 2; t++) {
        y[t] = xmalloc(N * out * sizeof(real));
        dx[t] = xmalloc(N * in * sizeof(real));
        dW[t] = xcalloc(nw, sizeof(real));
        db[t] = xcalloc(32, sizeof(real));
    }
    convolution_forward(y[0], x, W, b, &s, N, &work);
    convolution_backward(dx[0], dW[0], db[0], dy, x, W, &s, N, &work);
    for (int k = 0, n = 0; k < 2; n += part[k++]) {
        convolution_forward(y[1] + n * out, x + n * in, W, b, &s, part[k], &work);
        convolution_backward(dx[1] + n * in, dW[1], db[1], dy + n * out, x + n * in, W, &s, part[k], &work);
    }
    const double tol = sizeof(real) == sizeof(double) ? 1e-12 : 1e-4;
    double scale;
    CHECK(max_abs_diff(y[1], y[0], N * out, &scale) <= tol * fmax(scale, 1));
    CHECK(max_abs_diff(dx[1], dx[0], N * in, &scale) <= tol * fmax(scale, 1));
    CHECK(max_abs_diff(dW[1], dW[0], nw, &scale) <= tol * fmax(scale, 1));
    for (int t = 0; t < 2; t++)
        free(y[t]), free(dx[t]), free(dW[t]), free(db[t]);
    free(x), free(W), free(b), free(dy);
    conv_work_free(&work);
}

/* ---- dx alone ------------------------------------------------------------------------------ */

/* A GAN's generator step wants only D's dx: with dW and db NULL the weight
 * gradients (and the im2col they need) are skipped, and dx is the very same,
 * on every case, a thin layer and a sliced one. */
static void test_dx_alone_is_the_same(void)
{
    Rng rng;
    rng_seed(&rng, 18);
    for (int k = 0; k < NCASES + 2; k++) {
        int N;
        ConvShape s = k < NCASES ? case_shape(k, &N) : conv_shape(16, 14, 14, 32, 4, 4, 2, 1);
        if (k >= NCASES)
            N = k == NCASES ? 16 : 96;  /* thin, then sliced */
        size_t nx = (size_t)N * s.C * s.H * s.W, ny = conv_out_size(&s, N), nw = (size_t)s.FN * s.C * s.FH * s.FW;
        real *x = rand_buf(&rng, nx, -1, 1), *W = rand_buf(&rng, nw, -1, 1), *dy = rand_buf(&rng, ny, -1, 1);
        real *dW = xcalloc(nw, sizeof(real)), *db = xcalloc(s.FN, sizeof(real));
        real *dx[2] = {xmalloc(nx * sizeof(real)), xmalloc(nx * sizeof(real))};
        ConvWork work = conv_work_create(&s, 1);
        convolution_backward(dx[0], dW, db, dy, x, W, &s, N, &work);
        convolution_backward(dx[1], NULL, NULL, dy, x, W, &s, N, &work);
        CHECK(memcmp(dx[0], dx[1], nx * sizeof(real)) == 0);
        free(x), free(W), free(dy), free(dW), free(db), free(dx[0]), free(dx[1]);
        conv_work_free(&work);
    }
}

/* ---- the same numbers on any number of threads ------------------------------------------------ */

/* The fast path (stride 1), and a thin strided layer (threads sharing each
 * chunk's multiply for dW, each taking a band of the batch for the forward
 * pass and for dx alone). The transposed convolution on the same shape, whose
 * forward pass is that dx. One thread, then `threads` (the scratch is made
 * for them). */
static void check_same_on_1_and_n_threads(int N, ConvShape s, int threads)
{
    Rng rng;
    rng_seed(&rng, 16);
    size_t nx = (size_t)N * s.C * s.H * s.W, ny = conv_out_size(&s, N), nw = (size_t)s.FN * s.C * s.FH * s.FW;
    real *x = rand_buf(&rng, nx, -1, 1), *W = rand_buf(&rng, nw, -1, 1), *b = rand_buf(&rng, s.FN, -1, 1);
    real *dy = rand_buf(&rng, ny, -1, 1), *bT = rand_buf(&rng, s.C, -1, 1);
    int saved = get_threads();
    set_threads(threads);
    ConvWork work = conv_work_create(&s, 1);
    real *y[2], *dx[2], *dW[2], *db[2], *dx_alone[2], *yT[2];
    for (int t = 0; t < 2; t++) {
        set_threads(t == 0 ? 1 : threads);
        y[t] = xmalloc(ny * sizeof(real));
        dx[t] = xmalloc(nx * sizeof(real));
        dx_alone[t] = xmalloc(nx * sizeof(real));
        yT[t] = xmalloc(nx * sizeof(real));
        dW[t] = xcalloc(nw, sizeof(real));
        db[t] = xcalloc(s.FN, sizeof(real));
        convolution_forward(y[t], x, W, b, &s, N, &work);
        convolution_backward(dx[t], dW[t], db[t], dy, x, W, &s, N, &work);
        convolution_backward(dx_alone[t], NULL, NULL, dy, x, W, &s, N, &work);
        conv_transpose_forward(yT[t], dy, W, bT, &s, N, &work);
    }
    set_threads(saved);
    CHECK(memcmp(y[0], y[1], ny * sizeof(real)) == 0);
    CHECK(memcmp(dx[0], dx[1], nx * sizeof(real)) == 0);
    CHECK(memcmp(dW[0], dW[1], nw * sizeof(real)) == 0);
    CHECK(memcmp(db[0], db[1], s.FN * sizeof(real)) == 0);
    CHECK(memcmp(dx_alone[0], dx_alone[1], nx * sizeof(real)) == 0);
    CHECK(memcmp(dx_alone[0], dx[0], nx * sizeof(real)) == 0);
    CHECK(memcmp(yT[0], yT[1], nx * sizeof(real)) == 0);
    for (int t = 0; t < 2; t++)
        free(y[t]), free(dx[t]), free(dW[t]), free(db[t]), free(dx_alone[t]), free(yT[t]);
    free(x), free(W), free(b), free(dy), free(bT);
    conv_work_free(&work);
}

static void test_convolution_same_on_1_and_2_threads(void)
{
    check_same_on_1_and_n_threads(8, conv_shape(3, 13, 12, 7, 3, 3, 1, 1), 2);
    ConvShape rows = conv_shape(40, 7, 9, 13, 3, 3, 1, 2);
    CHECK(conv_implicit_dW_by_rows(&rows) && convolution_winograd(&rows));
    check_same_on_1_and_n_threads(10, rows, 2);        /* Winograd's path */
    convolution_use_winograd(0);
    check_same_on_1_and_n_threads(10, rows, 2);        /* conv_implicit's, dW by rows */
    convolution_use_winograd(1);
    check_same_on_1_and_n_threads(20, conv_shape(32, 8, 8, 64, 3, 3, 1, 1), 2);     /* DeepConvNet's fifth layer */
    check_same_on_1_and_n_threads(30, conv_shape(32, 14, 14, 32, 3, 3, 1, 2), 2);   /* its fourth */
    check_same_on_1_and_n_threads(6, conv_shape(16, 28, 28, 16, 3, 3, 1, 1), 2);     /* its second */
    /* more threads than Winograd's dW has slices: they share each slice's chunks */
    check_same_on_1_and_n_threads(30, conv_shape(32, 14, 14, 32, 3, 3, 1, 2), 3);
    check_same_on_1_and_n_threads(20, conv_shape(64, 8, 8, 64, 3, 3, 1, 1), 4);
    ConvShape thin = conv_shape(16, 14, 14, 32, 4, 4, 2, 1);
    CHECK(conv_thin(&thin, 16));
    check_same_on_1_and_n_threads(16, thin, 2);
}

int main(void)
{
    RUN(test_im2col_matches_definition);
    RUN(test_col2im_is_the_adjoint_of_im2col);
    RUN(test_convolution_matches_direct);
    RUN(test_implicit_matches_im2col);
    RUN(test_one_channel_matches_im2col);
    RUN(test_convolution_gradient);
    RUN(test_winograd_matches_direct_and_implicit);
    RUN(test_winograd4_matches_direct_and_implicit);
    RUN(test_winograd_dW_of_one_image);
    RUN(test_winograd_gradient);
    RUN(test_max_pooling_values);
    RUN(test_max_pooling_gradient);
    RUN(test_max_pooling_2x2_matches_window_in_order);
    RUN(test_max_pooling_backward_is_the_scatter);
    RUN(test_pooling_relu_backward_is_both);
    RUN(test_max_pooling_overlapping_gradient);
    RUN(test_average_pooling_gradient);
    RUN(test_average_pooling_overlapping_gradient);
    RUN(test_simple_conv_net_gradient);
    RUN(test_deep_conv_net_gradient);
    RUN(test_gathered_matches_im2col);
    RUN(test_thin_matches_sliced);
    RUN(test_dx_alone_is_the_same);
    RUN(test_convolution_same_on_1_and_2_threads);
    return test_summary();
}
