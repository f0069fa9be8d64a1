#include "conv_implicit.h"
#include "matmul.h"
#include "transpose.h"
#include "util.h"

#include <string.h>

/* A chunk's padded images, input and output, should stay in the level-2
 * cache (1 MB here) while its products run: a third of it. */
#define GRID_REALS (96 * 1024)

/* The padded grid of a chunk of images (see conv_implicit.h). Row r of image
 * i starts at (top + i*R + r) * S + left in a channel's run of L numbers:
 * each row is followed by S - W zeros, each image by R - H zero rows, so an
 * image's bottom padding is the next one's top padding. */
typedef struct {
    int g;          /* images per chunk */
    int R, S;       /* rows per image (H + pad) and row length (W + pad) */
    size_t L;       /* numbers per channel, the reads past the end included */
} Grid;

int conv_implicit_fits(const ConvShape *s)
{
    return s->stride == 1 && s->pad < s->FH && s->pad < s->FW;
}

static Grid grid(const ConvShape *s)
{
    Grid d;
    d.R = s->H + s->pad;
    d.S = s->W + s->pad;
    size_t per_image = (size_t)(s->C + s->FN) * d.R * d.S;
    d.g = per_image < GRID_REALS ? (int)(GRID_REALS / per_image) : 1;
    /* the chunk's positions, then what a filter tap reads past them: FH - 1
     * rows and FW columns, a register tile's width beyond the last position,
     * and the left padding */
    size_t Q = (size_t)d.g * d.R * d.S;
    d.L = Q + (size_t)s->FH * d.S + 2 * s->FW + MATMUL_ROW_SLACK;
    d.L = (d.L + 15) / 16 * 16;     /* every channel starts on a cache line */
    return d;
}

size_t conv_implicit_scratch(const ConvShape *s)
{
    Grid d = grid(s);
    size_t grids = (size_t)(s->C > s->FN ? s->C : s->FN) * d.L;
    /* dW by filter rows packs dy's grid once, in dx's buffer (below) */
    size_t packed = conv_implicit_dW_by_rows(s) ? matmul_packed_size(s->FN, (int)d.L) : 0;
    return grids > packed ? grids : packed;
}

int conv_implicit_taps(const ConvShape *s)
{
    return (s->C > s->FN ? s->C : s->FN) * s->FH * s->FW;
}

size_t conv_implicit_offsets(const ConvShape *s)
{
    Grid d = grid(s);
    size_t positions = conv_implicit_dW_by_rows(s) ? (size_t)d.g * d.R * d.S : 0;
    return 2 * (size_t)conv_implicit_taps(s) + positions;
}

/* Tap (c, fy, fx) of a grid of `channels` channels is the grid shifted by
 * fy rows and fx columns: its offset from the first position. */
static void tap_offsets(int *off, int channels, const ConvShape *s, const Grid *d)
{
    for (int c = 0; c < channels; c++)
        for (int fy = 0; fy < s->FH; fy++)
            for (int fx = 0; fx < s->FW; fx++)
                off[(c * s->FH + fy) * s->FW + fx] = (int)(c * d->L + (size_t)fy * d->S + fx);
}

/* g images of `channels` planes H x W from x onto the grid t. Only the
 * pixels are written: the caller zeroed t once, and the padding stays zero. */
static void to_grid(real *t, const real *x, int g, int channels, int H, int W,
                    const Grid *d, int top, int left)
{
    for (int i = 0; i < g; i++)
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < H; y++)
                memcpy(t + c * d->L + (size_t)(top + i * d->R + y) * d->S + left,
                       x + (((size_t)i * channels + c) * H + y) * W, W * sizeof(real));
}

/* The product's output, `channels` rows of Q grid positions, back to g images
 * of `channels` planes H x W, plus a bias per channel (b may be NULL), and
 * the ReLU when asked. */
static void from_grid(real *y, const real *t, size_t Q, int g, int channels, int H, int W,
                      const Grid *d, const real *b, int relu)
{
    for (int i = 0; i < g; i++)
        for (int c = 0; c < channels; c++) {
            const real bias = b ? b[c] : 0;
            for (int r = 0; r < H; r++) {
                const real *src = t + c * Q + (size_t)(i * d->R + r) * d->S;
                real *dst = y + (((size_t)i * channels + c) * H + r) * W;
                if (relu)
                    for (int p = 0; p < W; p++)
                        dst[p] = src[p] + bias > 0 ? src[p] + bias : 0;
                else
                    for (int p = 0; p < W; p++)
                        dst[p] = src[p] + bias;
            }
        }
}

void conv_implicit_forward(real *y, const real *x, const real *W, const real *b,
                           const ConvShape *s, int N, ConvWork *work, int relu)
{
    const Grid d = grid(s);
    const int K = s->C * s->FH * s->FW;
    const size_t in_size = (size_t)s->C * s->H * s->W, out_size = (size_t)s->FN * s->OH * s->OW;
    tap_offsets(work->taps, s->C, s, &d);
#pragma omp parallel for schedule(static) if (conv_worth_threads(s, N))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        real *xt = work->col[k], *yt = work->out[k];
        if (n1 > n0)
            memset(xt, 0, s->C * d.L * sizeof(real));
        for (int n = n0; n < n1; n += d.g) {
            const int g = n1 - n < d.g ? n1 - n : d.g;
            const size_t Q = (size_t)g * d.R * d.S;
            to_grid(xt, x + n * in_size, g, s->C, s->H, s->W, &d, s->pad, s->pad);
            /* yt (FN, Q) = W (FN, K) times the K taps of xt */
            matmul_rows_at(s->FN, (int)Q, K, W, K, xt, work->taps, 0, yt, (int)Q);
            from_grid(y + n * out_size, yt, Q, g, s->FN, s->OH, s->OW, &d, b, relu);
        }
    }
}

/* With this many input channels or more, dW goes filter row by filter row
 * (see conv_implicit.h): a position's FW * C numbers, 48 for 3 x 3 filters on
 * 16 channels, fill the rows of matmul_rows_at's register tile (48 wide with
 * AVX-512, 24 with AVX2). For DeepConvNet's 16-channel layers that took dW
 * from 4.4-4.7 to 3.2-3.4 ms (the second layer) and 2.0-2.3 to 1.6-1.7 ms
 * (the third), batch 100, 2 threads, five alternated turns. With fewer
 * channels (SimpleConvNet's one), the dot products below. */
#define DW_ROW_CHANNELS 16

int conv_implicit_dW_by_rows(const ConvShape *s)
{
    return s->C >= DW_ROW_CHANNELS;
}

/* The slice's dW, gathered filter row by filter row as (FH, FN, FW, C), into
 * the filters' layout (FN, C, FH, FW). */
static void rows_to_filters(real *dW, const real *by_row, const ConvShape *s)
{
    for (int fy = 0; fy < s->FH; fy++)
        for (int f = 0; f < s->FN; f++)
            for (int fx = 0; fx < s->FW; fx++)
                for (int c = 0; c < s->C; c++)
                    dW[(((size_t)f * s->C + c) * s->FH + fy) * s->FW + fx] =
                        by_row[(((size_t)fy * s->FN + f) * s->FW + fx) * s->C + c];
}

void conv_implicit_backward(real *dx, int with_dW, const real *dy, const real *x, const real *W,
                            const ConvShape *s, int N, ConvWork *work)
{
    const Grid d = grid(s);
    const int K = s->C * s->FH * s->FW, K2 = s->FN * s->FH * s->FW;
    const size_t in_size = (size_t)s->C * s->H * s->W, out_size = (size_t)s->FN * s->OH * s->OW;
    /* dy's padding for the full convolution that gives dx */
    const int top = s->FH - 1 - s->pad, left = s->FW - 1 - s->pad;
    const int by_rows = conv_implicit_dW_by_rows(s);
    int *taps_x = work->taps, *taps_dy = work->taps + conv_implicit_taps(s);
    int *positions = taps_dy + conv_implicit_taps(s);
    tap_offsets(taps_x, s->C, s, &d);
    tap_offsets(taps_dy, s->FN, s, &d);
    if (with_dW && by_rows)     /* xT's rows, position by position: C numbers apart */
        for (int q = 0; q < d.g * d.R * d.S; q++)
            positions[q] = q * s->C;
    /* W' (C, FN, FH, FW): each filter turned by 180 degrees, C and FN swapped */
    real *Wt = work->Wt;
    if (dx)
        for (int f = 0; f < s->FN; f++)
            for (int c = 0; c < s->C; c++)
                for (int fy = 0; fy < s->FH; fy++)
                    for (int fx = 0; fx < s->FW; fx++)
                        Wt[((c * s->FN + f) * s->FH + s->FH - 1 - fy) * s->FW + s->FW - 1 - fx] =
                            W[((f * s->C + c) * s->FH + fy) * s->FW + fx];
#pragma omp parallel for schedule(static) if (conv_worth_threads(s, N))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        real *xt = work->col[k], *dyt = work->out[k], *dxt = work->dcol[k];
        if (n1 > n0) {
            memset(xt, 0, s->C * d.L * sizeof(real));
            memset(dyt, 0, s->FN * d.L * sizeof(real));
        }
        for (int n = n0; n < n1; n += d.g) {
            const int g = n1 - n < d.g ? n1 - n : d.g;
            const size_t Q = (size_t)g * d.R * d.S;
            to_grid(dyt, dy + n * out_size, g, s->FN, s->OH, s->OW, &d, top, left);
            if (with_dW && by_rows) {
                /* filter row fy's dW (FN, FW*C) (+)= dy (FN, Q) times xT
                 * seen fy grid rows down: row q is the FW*C numbers from
                 * position q + fy*S on, which are taps (fy, 0 .. FW-1) of all
                 * C channels. B is read where it lies, rows C apart (they
                 * overlap). dy sits on its grid as below. */
                for (int i = 0; i < g; i++)     /* position by position, the channels side by side */
                    to_positions(xt + (size_t)i * d.R * d.S * s->C, x + (n + i) * in_size, s->C, s->H, s->W,
                                 s->pad, d.S);
                /* dy packed once for the FH products, in dx's buffer, free until dx */
                matmul_pack(s->FN, (int)Q, dyt + (size_t)top * d.S + left, (int)d.L, dxt);
                for (int fy = 0; fy < s->FH; fy++)
                    matmul_rows_at_packed(s->FN, s->FW * s->C, (int)Q, dxt, xt + (size_t)fy * d.S * s->C,
                                          positions, n == n0 ? 0 : 1,
                                          work->dWrows[k] + (size_t)fy * s->FN * s->FW * s->C, s->FW * s->C);
            } else if (with_dW) {
                /* this slice's dW (+)= dy (FN, Q) times the K taps of xt, as
                 * columns. dy sits on its grid `top` rows and `left` columns in:
                 * seen from there, its positions are the forward's. Between the
                 * images and after the rows it is zero, so the positions that
                 * are not outputs add nothing. */
                to_grid(xt, x + n * in_size, g, s->C, s->H, s->W, &d, s->pad, s->pad);
                matmul_cols_at(s->FN, K, (int)Q, dyt + (size_t)top * d.S + left, (int)d.L,
                               xt, taps_x, n == n0 ? 0 : 1, work->dW[k], K);
            }
            if (dx) {
                /* dxt (C, Q) = W' (C, K2) times the K2 taps of dy's grid */
                matmul_rows_at(s->C, (int)Q, K2, Wt, K2, dyt, taps_dy, 0, dxt, (int)Q);
                from_grid(dx + n * in_size, dxt, Q, g, s->C, s->H, s->W, &d, NULL, 0);
            }
        }
        if (with_dW && by_rows && n1 > n0)
            rows_to_filters(work->dW[k], work->dWrows[k], s);
    }
}
