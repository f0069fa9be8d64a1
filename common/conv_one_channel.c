#include "conv_one_channel.h"
#include "util.h"
#include "vector_width.h"

#include <string.h>

/* The register tile: FB filters by CB pixels. With AVX-512's 32 registers
 * of 16 floats, 8 x 32 takes 16 of them; with AVX2's 16 registers of 8
 * floats, 4 x 24 takes 12 (the rest hold the plane's row and the broadcast
 * weight). As for matmul.c's tiles, GCC 12 turns AVX2's 4 x 16 and 2 x 16
 * into shuffles, 7 to 16 times slower. Try others with e.g. -DFB=4 -DCB=32. */
#ifndef CB
#define CB (VECTOR_FLOATS == 16 ? 32 : 3 * VECTOR_FLOATS)
#endif
#ifndef FB
#define FB (VECTOR_FLOATS == 16 ? 8 : 4)
#endif

int conv_one_channel_fits(const ConvShape *s)
{
    return s->C == 1 && s->stride == 1 && s->pad < s->FH && s->pad < s->FW;
}

/* The padded plane of one image: `rows` rows of `stride` numbers, the image
 * `pad` rows down and `pad` columns in, zeros around it. A tile reads CB
 * numbers from each tap's column, so a row is as long as `blocks` tiles plus
 * the filter's width. dy's copy has rows of blocks * CB numbers. */
typedef struct {
    int blocks;         /* tiles across an output row */
    int stride, rows;   /* the plane's row length and its rows */
    int dy_row;         /* numbers per row of dy's copy */
} Plane;

static Plane plane(const ConvShape *s)
{
    Plane p;
    p.blocks = (s->OW + CB - 1) / CB;
    p.stride = p.blocks * CB + s->FW - 1;
    p.rows = s->OH + s->FH - 1;
    p.dy_row = p.blocks * CB;
    return p;
}

/* A row of OW outputs takes p.blocks tiles, p.dy_row lanes; those past OW
 * compute nothing. Where they are more than a quarter, conv_implicit's
 * multiply was faster: DeepConvNet's 28 outputs in two tiles of 24 (AVX2),
 * forward 0.83 against 0.55 ms, one thread. 28 in 32 (AVX-512) and 24 in 32
 * or in 24 pay. */
int conv_one_channel_pays(const ConvShape *s)
{
    return conv_one_channel_fits(s) && 4 * s->OW >= 3 * plane(s).dy_row;
}

/* A slice's buffer: the plane, then dy's copy, then the sums of dW by lanes. */
static size_t plane_size(const Plane *p) { return (size_t)p->rows * p->stride; }
static size_t dy_size(const ConvShape *s, const Plane *p) { return (size_t)s->FN * s->OH * p->dy_row; }

size_t conv_one_channel_scratch(const ConvShape *s)
{
    Plane p = plane(s);
    return plane_size(&p) + dy_size(s, &p) + (size_t)s->FN * s->FH * s->FW * CB;
}

/* Tap t = (fy, fx) of the plane: its offset from the output's position. */
static void tap_offsets(int *off, const ConvShape *s, const Plane *p)
{
    for (int fy = 0; fy < s->FH; fy++)
        for (int fx = 0; fx < s->FW; fx++)
            off[fy * s->FW + fx] = fy * p->stride + fx;
}

/* Image x into the plane, whose padding the caller zeroed. */
static void to_plane(real *xp, const real *x, const ConvShape *s, const Plane *p)
{
    for (int r = 0; r < s->H; r++)
        memcpy(xp + (size_t)(r + s->pad) * p->stride + s->pad, x + (size_t)r * s->W, s->W * sizeof(real));
}

/* The first nf of FB filters (rows w[i], K taps) at CB positions from xr,
 * into y (rows OHW apart, cols of the CB written), plus the bias, and the
 * ReLU if asked: the same numbers as conv_implicit's tile, then from_grid.
 * cols may be CB where fewer are the row's: the rest then land in the next
 * output rows of the plane, which are written after this one. A loop of CB
 * numbers is a few vector stores; one of fewer is scalar code. */
static void forward_tile(real *y, const real *xr, const real *const w[FB], const real *b, const int *off,
                         int K, int nf, int cols, int OHW, int relu)
{
    real acc[FB][CB];
    for (int i = 0; i < FB; i++)
        for (int j = 0; j < CB; j++)
            acc[i][j] = 0;
    for (int t = 0; t < K; t++) {
        const real *x = xr + off[t];
        for (int i = 0; i < FB; i++)
            for (int j = 0; j < CB; j++)
                acc[i][j] = MADD(w[i][t], x[j], acc[i][j]);
    }
    for (int i = 0; i < nf; i++) {
        const real bias = b ? b[i] : 0;
        real *out = y + (size_t)i * OHW;
        if (relu)
            for (int j = 0; j < cols; j++)
                out[j] = acc[i][j] + bias > 0 ? acc[i][j] + bias : 0;
        else
            for (int j = 0; j < cols; j++)
                out[j] = acc[i][j] + bias;
    }
}

void conv_one_channel_forward(real *y, const real *x, const real *W, const real *b,
                              const ConvShape *s, int N, ConvWork *work, int relu)
{
    const Plane p = plane(s);
    const int K = s->FH * s->FW, OHW = s->OH * s->OW;
    int *off = work->taps;
    tap_offsets(off, s, &p);
#pragma omp parallel for schedule(static) if (conv_worth_threads(s, N))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        real *xp = work->col[k];
        if (n1 > n0)
            memset(xp, 0, plane_size(&p) * sizeof(real));
        for (int n = n0; n < n1; n++) {
            to_plane(xp, x + (size_t)n * s->H * s->W, s, &p);
            for (int f0 = 0; f0 < s->FN; f0 += FB) {
                const int nf = s->FN - f0 < FB ? s->FN - f0 : FB;
                const real *w[FB];          /* past the last filter: its row again, not written */
                for (int i = 0; i < FB; i++)
                    w[i] = W + (size_t)(f0 + (i < nf ? i : nf - 1)) * K;
                real *yf = y + ((size_t)n * s->FN + f0) * OHW;
                for (int oy = 0; oy < s->OH; oy++)
                    for (int c = 0; c < p.blocks; c++) {
                        /* a whole tile, unless it would run past the plane */
                        const int room = (s->OH - oy) * s->OW - c * CB;
                        const int cols = room >= CB ? CB : s->OW - c * CB;
                        forward_tile(yf + (size_t)oy * s->OW + c * CB, xp + (size_t)oy * p.stride + c * CB, w,
                                     b ? b + f0 : NULL, off, K, nf, cols, OHW, relu);
                    }
            }
        }
    }
}

/* dy of one image (FN, OH, OW) into rows of p.dy_row numbers, whose tails
 * past OW the caller zeroed; where y is given, the ReLU's backward (dy where
 * y > 0) first, into relu_dy, as one long loop: row by row, the few numbers
 * past the last full vector of each row were scalar code, with a branch
 * that the signs of y made unpredictable (2.3 times slower). */
static void dy_to_rows(real *rows, real *relu_dy, const real *dy, const real *y, const ConvShape *s,
                       const Plane *p)
{
    const size_t size = (size_t)s->FN * s->OH * s->OW;
    if (y) {
        for (size_t i = 0; i < size; i++)
            relu_dy[i] = y[i] > 0 ? dy[i] : 0;
        dy = relu_dy;
    }
    for (int r = 0; r < s->FN * s->OH; r++)
        memcpy(rows + (size_t)r * p->dy_row, dy + (size_t)r * s->OW, s->OW * sizeof(real));
}

/* dW's tile: DB filters by DT taps by CB lanes, 4 x 3 x 32 in 24 registers
 * with AVX-512, 3 x 1 x 24 in 9 with AVX2. Each row of dy is read once for
 * DT taps, and each shifted row of the plane once for DB filters. Measured
 * against 3 x 3, 4 x 2, 6 x 1 and 8 x 1 (AVX-512: 2 to 30% slower on the
 * two nets' layers) and 2 x 3, 2 x 2 (AVX2: 15% slower on SimpleConvNet's). */
#ifndef DB
#define DB (VECTOR_FLOATS == 16 ? 4 : 3)
#endif
#ifndef DT
#define DT (VECTOR_FLOATS == 16 ? 3 : 1)
#endif

/* For the first nf of DB filters (dy rows d[i], through the blocks of every
 * output row) and the first nt of DT taps (offsets off[u]): lanes (filter i,
 * tap u at lanes[(i * K + u) * CB]) += dy times the plane shifted by the
 * tap, lane j summing column j of every block. */
static void dW_tile(real *lanes, const real *const d[DB], const real *xp, const int off[DT], const ConvShape *s,
                    const Plane *p, int K, int nf, int nt)
{
    real acc[DB][DT][CB];
    for (int i = 0; i < DB; i++)
        for (int u = 0; u < DT; u++)
            for (int j = 0; j < CB; j++)
                acc[i][u][j] = i < nf && u < nt ? lanes[((size_t)i * K + u) * CB + j] : 0;
    for (int oy = 0; oy < s->OH; oy++)
        for (int c = 0; c < p->blocks; c++) {
            const real *x = xp + (size_t)oy * p->stride + c * CB;
            const size_t at = (size_t)oy * p->dy_row + c * CB;
            for (int i = 0; i < DB; i++)
                for (int u = 0; u < DT; u++)
                    for (int j = 0; j < CB; j++)
                        acc[i][u][j] = MADD(d[i][at + j], x[off[u] + j], acc[i][u][j]);
        }
    for (int i = 0; i < nf; i++)
        for (int u = 0; u < nt; u++)
            for (int j = 0; j < CB; j++)
                lanes[((size_t)i * K + u) * CB + j] = acc[i][u][j];
}

void conv_one_channel_dW(real *relu_dy, const real *dy, const real *y, const real *x, const ConvShape *s,
                         int N, ConvWork *work)
{
    const Plane p = plane(s);
    const int K = s->FH * s->FW;
    const size_t out_size = (size_t)s->FN * s->OH * s->OW, rows_per_filter = (size_t)s->OH * p.dy_row;
    int *off = work->taps;
    tap_offsets(off, s, &p);
#pragma omp parallel for schedule(static) if (conv_worth_threads(s, N))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        if (n1 == n0)
            continue;
        real *xp = work->col[k], *rows = xp + plane_size(&p), *lanes = rows + dy_size(s, &p);
        memset(xp, 0, plane_size(&p) * sizeof(real));
        memset(rows, 0, dy_size(s, &p) * sizeof(real));
        memset(lanes, 0, (size_t)s->FN * K * CB * sizeof(real));
        for (int n = n0; n < n1; n++) {
            to_plane(xp, x + (size_t)n * s->H * s->W, s, &p);
            dy_to_rows(rows, y ? relu_dy + n * out_size : NULL, dy + n * out_size, y ? y + n * out_size : NULL,
                       s, &p);
            for (int f0 = 0; f0 < s->FN; f0 += DB) {
                const int nf = s->FN - f0 < DB ? s->FN - f0 : DB;
                const real *d[DB];          /* past the last filter: its rows again, not kept */
                for (int i = 0; i < DB; i++)
                    d[i] = rows + (f0 + (i < nf ? i : nf - 1)) * rows_per_filter;
                for (int t0 = 0; t0 < K; t0 += DT) {
                    const int nt = K - t0 < DT ? K - t0 : DT;
                    int toff[DT];           /* past the last tap: it again, not kept */
                    for (int u = 0; u < DT; u++)
                        toff[u] = off[t0 + (u < nt ? u : nt - 1)];
                    dW_tile(lanes + ((size_t)f0 * K + t0) * CB, d, xp, toff, s, &p, K, nf, nt);
                }
            }
        }
        /* the slice's dW: each sum's lanes added in order */
        for (int i = 0; i < s->FN * K; i++) {
            real sum = 0;
            for (int j = 0; j < CB; j++)
                sum += lanes[(size_t)i * CB + j];
            work->dW[k][i] = sum;
        }
    }
}
