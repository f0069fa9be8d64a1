#include "winograd.h"
#include "conv_implicit.h"
#include "matmul.h"
#include "threads.h"
#include "util.h"

#include <string.h>

/* The three matrices of F(2x2, 3x3), written out in the transforms below:
 *
 *   B^T = | 1  0 -1  0 |    G = | 1    0    0   |    A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |        | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
 *         | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |        | 0    0    1   |
 *
 * Check it in one dimension, F(2, 3): the outputs are y0 = d0 g0 + d1 g1 + d2 g2
 * and y1 = d1 g0 + d2 g1 + d3 g2. With m0 = (d0 - d2) g0, m1 = (d1 + d2)(g0 +
 * g1 + g2)/2, m2 = (d2 - d1)(g0 - g1 + g2)/2 and m3 = (d1 - d3) g2, multiply out
 * y0 = m0 + m1 + m2 and y1 = m1 - m2 - m3: both outputs from 4 multiplications
 * where they would take 6 (16 against 36 in two dimensions). */

/* A chunk's transformed images, V and M, should stay in the level-2 cache
 * (1 MB here) between the transforms and the multiplies: 256K numbers. Of
 * 128K to 512K, 384K and more were clearly slower (conv5's forward 4.0 ms
 * against 2.6-2.8) and 160K to 256K level on DeepConvNet's whole step. */
#define CHUNK_REALS (256 * 1024)

/* The tiles of one chunk: 2x2 output blocks, TH x TW per image, g images. */
typedef struct {
    int TH, TW, T;      /* tiles per column, per row, per image */
    int g;              /* images per chunk, at most */
    int ldP;            /* a row of V or M: g*T tiles, rounded up */
    int RP, SE;         /* the zero-padded input plane: rows, and columns of
                           each half (even and odd columns kept apart) */
} Tiles;

int winograd_fits(const ConvShape *s)
{
    return s->FH == 3 && s->FW == 3 && s->stride == 1 && s->pad <= 2 && s->C >= WINOGRAD_MIN_CHANNELS &&
           s->H <= WINOGRAD_MAX_SIDE && s->W <= WINOGRAD_MAX_SIDE;
}

/* A slice of `images` goes in chunks of at most `most`, all of about the same
 * size: the size of the first (and largest). */
static int chunk_images(int images, int most)
{
    int chunks = (images + most - 1) / most;
    return chunks ? (images + chunks - 1) / chunks : 0;
}

/* in_c channels go to out_c of out_h x out_w (forward: C to FN; dx: FN to C),
 * for a batch of N images (0: any batch, for the scratch's size). The rows of
 * V and M are as long as this batch's largest chunk needs: a batch of one image
 * (the playground's) touches no more of the scratch than it uses. */
static Tiles tiles(int in_c, int out_c, int out_h, int out_w, int N)
{
    Tiles t;
    t.TH = (out_h + 1) / 2;
    t.TW = (out_w + 1) / 2;
    t.T = t.TH * t.TW;
    const size_t per_image = (size_t)16 * (in_c + out_c) * t.T;
    t.g = per_image < CHUNK_REALS ? (int)(CHUNK_REALS / per_image) : 1;
    const int widest = N > 0 ? chunk_images((N + CONV_SLICES - 1) / CONV_SLICES, t.g) : t.g;
    t.ldP = (widest * t.T + 15) / 16 * 16;
    t.RP = 2 * t.TH + 2;
    t.SE = t.TW + 1;
    return t;
}

/* Reals of a slice's plane buffer: the two halves of the chunk's padded
 * planes, eight rows of the vertical transform, the output's four corners. */
static size_t plane_reals(const Tiles *t)
{
    return ((size_t)2 * t->RP * t->SE + 8 * (size_t)t->SE + 4 * (size_t)t->T) * t->g + 64;
}

static size_t dW_scratch(const ConvShape *s, int m);
static void dW_by_tiles(const real *dy, const real *x, const ConvShape *s, int N, ConvWork *work, int m);

/* The largest of the three passes (forward, dx and dW), since a slice's
 * buffers serve all: V (16 x in_c rows), M (16 x out_c rows), the planes. */
size_t winograd_scratch(const ConvShape *s)
{
    size_t need = 0;
    for (int dir = 0; dir < 2; dir++) {
        int in_c = dir ? s->FN : s->C, out_c = dir ? s->C : s->FN;
        int oh = dir ? s->H : s->OH, ow = dir ? s->W : s->OW;
        Tiles t = tiles(in_c, out_c, oh, ow, 0);
        size_t rows = (size_t)16 * (in_c > out_c ? in_c : out_c);
        size_t n = rows * t.ldP + MATMUL_ROW_SLACK;
        if (plane_reals(&t) > n)
            n = plane_reals(&t);
        need = n > need ? n : need;
    }
    return dW_scratch(s, 2) > need ? dW_scratch(s, 2) : need;
}

size_t winograd_filter_size(const ConvShape *s)
{
    return (size_t)16 * s->FN * s->C;
}

/* U[xi] (rows x cols) = G g G^T of filter g, for filter (r, c) at g's place
 * given by the caller: forward U[xi][f][c] from W[f][c]; dx U[xi][c][f] from
 * W[f][c] turned by 180 degrees. */
static void filter_transform(real *U, const real *W, int FN, int C, int turned)
{
    const int rows = turned ? C : FN, cols = turned ? FN : C;
    for (int f = 0; f < FN; f++)
        for (int c = 0; c < C; c++) {
            const real *w = W + ((size_t)f * C + c) * 9;
            real g[3][3], Gg[4][3], u[4][4];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    g[i][j] = turned ? w[(2 - i) * 3 + 2 - j] : w[i * 3 + j];
            for (int j = 0; j < 3; j++) {           /* G g: the rows */
                Gg[0][j] = g[0][j];
                Gg[1][j] = (g[0][j] + g[1][j] + g[2][j]) * (real)0.5;
                Gg[2][j] = (g[0][j] - g[1][j] + g[2][j]) * (real)0.5;
                Gg[3][j] = g[2][j];
            }
            for (int i = 0; i < 4; i++) {           /* (G g) G^T: the columns */
                u[i][0] = Gg[i][0];
                u[i][1] = (Gg[i][0] + Gg[i][1] + Gg[i][2]) * (real)0.5;
                u[i][2] = (Gg[i][0] - Gg[i][1] + Gg[i][2]) * (real)0.5;
                u[i][3] = Gg[i][2];
            }
            const int r = turned ? c : f, k = turned ? f : c;
            for (int xi = 0; xi < 16; xi++)
                U[((size_t)xi * rows + r) * cols + k] = u[xi / 4][xi % 4];
        }
}

/* B^T applied to four runs of n numbers (the rows, or the columns, of a
 * 4 x 4 of runs): t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3. */
static void b_transpose4(real *restrict t0, real *restrict t1, real *restrict t2, real *restrict t3,
                         const real *restrict d0, const real *restrict d1, const real *restrict d2,
                         const real *restrict d3, int n)
{
    for (int c = 0; c < n; c++) {
        t0[c] = d0[c] - d2[c];
        t1[c] = d1[c] + d2[c];
        t2[c] = d2[c] - d1[c];
        t3[c] = d1[c] - d3[c];
    }
}

/* Inside a chunk of g images, the tiles (the columns of V and M) go row of
 * tiles by row of tiles, and within a row tile by tile, image by image:
 * column (ty * TW + tx) * g + i. The multiplies do not care about the order,
 * and in this one every step of the transforms is a run of TW * g numbers,
 * however small the images (a row of 8 pixels is only 4 tiles). The padded
 * planes are kept the same way, with their even and odd columns apart:
 * e[(row * SE + j) * g + i] is padded column 2j of image i, o the column
 * 2j + 1. Then tile tx's four columns are e[tx], o[tx], e[tx+1], o[tx+1]. */

/* Channel c of g images x (H x W each, images in_size apart) into the padded
 * planes' halves e and o (only the pixels: the padding stays zero). The
 * images' numbers are read across (in_size apart) and written in runs. */
static void to_planes(real *restrict e, real *restrict o, const real *restrict x, size_t in_size, int g,
                      int H, int W, int pad, int SE)
{
    if (g == 1) {                   /* one image: each row's numbers split, in runs */
        const int a = pad / 2, pairs = W / 2;
        for (int y = 0; y < H; y++) {
            const real *row = x + (size_t)y * W;
            real *first = (pad % 2 ? o + a : e + a) + (size_t)(y + pad) * SE;
            real *second = (pad % 2 ? e + a + 1 : o + a) + (size_t)(y + pad) * SE;
            for (int j = 0; j < pairs; j++) {
                first[j] = row[2 * j];
                second[j] = row[2 * j + 1];
            }
            if (W % 2)
                first[pairs] = row[W - 1];
        }
        return;
    }
    for (int y = 0; y < H; y++)
        for (int px = 0; px < W; px++) {
            const int col = px + pad;
            real *dst = (col % 2 ? o : e) + ((size_t)(y + pad) * SE + col / 2) * g;
            const real *src = x + (size_t)y * W + px;
            for (int i = 0; i < g; i++)
                dst[i] = src[i * in_size];
        }
}

/* (B^T d) B for row i of a row of tiles' 4 x 4s: their four columns, from
 * the halves of row i of B^T d (the next tile's numbers are g further on). */
static void horizontal(real *restrict v0, real *restrict v1, real *restrict v2, real *restrict v3,
                       const real *restrict e, const real *restrict o, int n, int g)
{
    for (int q = 0; q < n; q++) {
        v0[q] = e[q] - e[q + g];
        v1[q] = o[q] + e[q + g];
        v2[q] = e[q + g] - o[q];
        v3[q] = o[q] - o[q + g];
    }
}

/* Channel c of a chunk of g images into V: for every tile, the 16 numbers of
 * B^T d B, V[xi][c][tile]. */
static void input_transform(real *V, int c, const real *x, size_t in_size, int g, int H, int W, int pad,
                            const Tiles *t, int in_c, real *buf)
{
    const size_t plane = (size_t)in_c * t->ldP;         /* from one xi to the next */
    const size_t row = (size_t)t->SE * g;               /* a padded row's half */
    real *e = buf, *o = e + t->RP * row, *te = o + t->RP * row, *to = te + 4 * row;
    to_planes(e, o, x, in_size, g, H, W, pad, t->SE);
    for (int ty = 0; ty < t->TH; ty++) {
        const real *r0 = e + 2 * ty * row, *q0 = o + 2 * ty * row;  /* padded rows 2ty .. 2ty+3 */
        b_transpose4(te, te + row, te + 2 * row, te + 3 * row, r0, r0 + row, r0 + 2 * row, r0 + 3 * row, (int)row);
        b_transpose4(to, to + row, to + 2 * row, to + 3 * row, q0, q0 + row, q0 + 2 * row, q0 + 3 * row, (int)row);
        real *v = V + (size_t)c * t->ldP + (size_t)ty * t->TW * g;
        for (int i = 0; i < 4; i++) {
            real *v0 = v + (4 * i) * plane;
            horizontal(v0, v0 + plane, v0 + 2 * plane, v0 + 3 * plane, te + i * row, to + i * row,
                       t->TW * g, g);
        }
    }
}

/* A^T M A for a row of tiles (n columns of M, m[xi * plane + q]): the 2x2
 * outputs of column q go to y00[q], y01[q] (the first output row) and y10, y11. */
static void output_tiles(real *restrict y00, real *restrict y01, real *restrict y10, real *restrict y11,
                         const real *restrict m, size_t plane, int n)
{
    for (int q = 0; q < n; q++) {
        real u0[4], u1[4];
        for (int k = 0; k < 4; k++) {                   /* A^T M: the rows */
            const real a = m[k * plane + q], b = m[(4 + k) * plane + q];
            const real c = m[(8 + k) * plane + q], d = m[(12 + k) * plane + q];
            u0[k] = a + b + c;
            u1[k] = b - c - d;
        }
        y00[q] = u0[0] + u0[1] + u0[2];                 /* (A^T M) A: the columns */
        y01[q] = u0[1] - u0[2] - u0[3];
        y10[q] = u1[0] + u1[1] + u1[2];
        y11[q] = u1[1] - u1[2] - u1[3];
    }
}

/* One output row of each of g images (rows out_size apart) from the tiles'
 * even and odd columns, plus the bias, then the ReLU if asked. */
static void output_rows(real *restrict y, size_t out_size, const real *restrict even, const real *restrict odd,
                        int g, int OW, real bias, int relu)
{
    if (g == 1) {                   /* one image: the row's two halves interleaved */
        const int pairs = OW / 2;
        for (int j = 0; j < pairs; j++) {
            real a = even[j] + bias, b = odd[j] + bias;
            y[2 * j] = relu && a < 0 ? 0 : a;
            y[2 * j + 1] = relu && b < 0 ? 0 : b;
        }
        if (OW % 2) {
            real a = even[pairs] + bias;
            y[OW - 1] = relu && a < 0 ? 0 : a;
        }
        return;
    }
    for (int px = 0; px < OW; px++) {
        const real *src = (px % 2 ? odd : even) + (size_t)(px / 2) * g;
        real *dst = y + px;
        if (relu)
            for (int i = 0; i < g; i++)
                dst[i * out_size] = src[i] + bias > 0 ? src[i] + bias : 0;
        else
            for (int i = 0; i < g; i++)
                dst[i * out_size] = src[i] + bias;
    }
}

/* Channel f of a chunk's output (g images, OH x OW each) from M. */
static void output_transform(real *y, size_t out_size, const real *M, int f, int g, int OH, int OW,
                             const Tiles *t, int out_c, real bias, int relu, real *buf)
{
    const int n = t->TW * g, P = t->T * g;
    const size_t plane = (size_t)out_c * t->ldP;
    real *y00 = buf, *y01 = y00 + P, *y10 = y01 + P, *y11 = y10 + P;
    output_tiles(y00, y01, y10, y11, M + (size_t)f * t->ldP, plane, P);   /* all the chunk's tiles in one run */
    for (int ty = 0; ty < t->TH; ty++) {
        const size_t at = (size_t)ty * n;
        output_rows(y + (size_t)2 * ty * OW, out_size, y00 + at, y01 + at, g, OW, bias, relu);
        if (2 * ty + 1 < OH)
            output_rows(y + (size_t)(2 * ty + 1) * OW, out_size, y10 + at, y11 + at, g, OW, bias, relu);
    }
}

/* y (N, out_c, out_h, out_w) = the 3x3 convolution of x (N, in_c, H, W) with
 * padding pad, by the filters whose transforms are U (16, out_c, in_c). */
static void winograd_conv(real *y, const real *x, const real *U, const real *b, int in_c, int H, int W,
                          int out_c, int pad, int N, ConvWork *work, int relu, int threaded)
{
    const int out_h = H + 2 * pad - 2, out_w = W + 2 * pad - 2;
    const Tiles t = tiles(in_c, out_c, out_h, out_w, N);
    const size_t in_size = (size_t)in_c * H * W, out_size = (size_t)out_c * out_h * out_w;
    int *koff = work->taps;                             /* V's rows, one per input channel */
    for (int c = 0; c < in_c; c++)
        koff[c] = c * t.ldP;
    (void)threaded;                                     /* read by OpenMP only */
#pragma omp parallel for schedule(static) if (threaded)
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        real *V = work->col[k], *M = work->out[k], *buf = work->dcol[k];
        int zeroed = 0;                                 /* the chunk size the planes were zeroed for */
        const int even = chunk_images(n1 - n0, t.g);
        for (int n = n0; n < n1; n += even) {
            const int g = n1 - n < even ? n1 - n : even, P = g * t.T;
            const size_t halves = (size_t)2 * t.RP * t.SE * g;
            if (g != zeroed)
                memset(buf, 0, halves * sizeof(real)), zeroed = g;
            for (int c = 0; c < in_c; c++)
                input_transform(V, c, x + n * in_size + (size_t)c * H * W, in_size, g, H, W, pad, &t, in_c, buf);
            for (int xi = 0; xi < 16; xi++)             /* M[xi] = U[xi] V[xi] */
                matmul_rows_at(out_c, P, in_c, U + (size_t)xi * out_c * in_c, in_c,
                               V + (size_t)xi * in_c * t.ldP, koff, 0, M + (size_t)xi * out_c * t.ldP, t.ldP);
            for (int f = 0; f < out_c; f++)
                output_transform(y + n * out_size + (size_t)f * out_h * out_w, out_size, M, f, g, out_h, out_w,
                                 &t, out_c, b ? b[f] : 0, relu, buf + halves);
        }
    }
}

/* dW (FN, C, 3, 3) = G^T dU G, the adjoint of filter_transform, from
 * dU (16, FN, C). */
static void filter_adjoint(real *dW, const real *dU, int FN, int C)
{
    for (int f = 0; f < FN; f++)
        for (int c = 0; c < C; c++) {
            real u[4][4], r[3][4];
            for (int xi = 0; xi < 16; xi++)
                u[xi / 4][xi % 4] = dU[((size_t)xi * FN + f) * C + c];
            for (int k = 0; k < 4; k++) {           /* G^T dU: the rows */
                r[0][k] = u[0][k] + (u[1][k] + u[2][k]) * (real)0.5;
                r[1][k] = (u[1][k] - u[2][k]) * (real)0.5;
                r[2][k] = (u[1][k] + u[2][k]) * (real)0.5 + u[3][k];
            }
            real *w = dW + ((size_t)f * C + c) * 9;
            for (int a = 0; a < 3; a++) {           /* (G^T dU) G: the columns */
                w[a * 3] = r[a][0] + (r[a][1] + r[a][2]) * (real)0.5;
                w[a * 3 + 1] = (r[a][1] - r[a][2]) * (real)0.5;
                w[a * 3 + 2] = (r[a][1] + r[a][2]) * (real)0.5 + r[a][3];
            }
        }
}

/* ---- dW ---------------------------------------------------------------------------

 * dU[xi] (FN x C) sums over the tiles, so its multiplies run along them: the
 * tiles are the product's inner dimension, and both operands are stored tile
 * by tile with their channels side by side (VT[xi][tile][c], dMT[xi][tile][f]),
 * which the blocked multiply reads as they are. The transforms then go over
 * runs of channels, from images laid out position by position. */

typedef struct {
    int TH, TW, T;      /* tiles per column, per row, per image */
    int g;              /* images per chunk */
    int RP, SP;         /* x's zero-padded plane: rows, positions per row */
    int RY, SY;         /* dy's plane: rows and positions per row, zero past OH, OW */
} DWTiles;

/* Tiles of m x m outputs (F(2x2): m = 2; F(4x4): m = 4), (m + 2)^2 products. */
static DWTiles dW_tiles(const ConvShape *s, int m)
{
    DWTiles t;
    t.TH = (s->OH + m - 1) / m;
    t.TW = (s->OW + m - 1) / m;
    t.T = t.TH * t.TW;
    t.RP = m * t.TH + 2;
    t.SP = m * t.TW + 2;
    t.RY = m * t.TH;
    t.SY = m * t.TW;
    const size_t products = (size_t)(m + 2) * (m + 2);
    size_t per_image = products * t.T * (s->C + s->FN) + (size_t)t.RP * t.SP * s->C + (size_t)t.RY * t.SY * s->FN;
    t.g = per_image < CHUNK_REALS ? (int)(CHUNK_REALS / per_image) : 1;
    return t;
}

/* A slice's buffers for dW: VT in col, dMT in out, the planes and (m + 2)^2
 * runs of the tiles' transforms in dcol. */
static size_t dW_scratch(const ConvShape *s, int m)
{
    DWTiles t = dW_tiles(s, m);
    size_t P = (size_t)t.g * t.T, wide = s->C > s->FN ? s->C : s->FN, products = (size_t)(m + 2) * (m + 2);
    size_t planes = (size_t)t.g * ((size_t)t.RP * t.SP * s->C + (size_t)t.RY * t.SY * s->FN) + products * wide;
    return products * P * wide > planes ? products * P * wide : planes;
}

/* One image (channels x H x W) into its plane, position by position with the
 * channels side by side: dst[((y + at) * S + x + at) * channels + c]. Only the
 * pixels are written; the rest of the plane stays zero. */
static void to_positions(real *restrict dst, const real *restrict src, int channels, int H, int W, int at, int S)
{
    const size_t HW = (size_t)H * W;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            real *d = dst + ((size_t)(y + at) * S + x + at) * channels;
            const real *s = src + (size_t)y * W + x;
            for (int c = 0; c < channels; c++)
                d[c] = s[c * HW];
        }
}

/* A applied to two runs: r0 = y0, r1 = y0 + y1, r2 = y0 - y1, r3 = -y1. */
static void a_apply2(real *restrict r0, real *restrict r1, real *restrict r2, real *restrict r3,
                     const real *restrict y0, const real *restrict y1, int n)
{
    for (int c = 0; c < n; c++) {
        r0[c] = y0[c];
        r1[c] = y0[c] + y1[c];
        r2[c] = y0[c] - y1[c];
        r3[c] = -y1[c];
    }
}

/* B^T d B of one tile for all C channels: d[a][b] is the run of C numbers at
 * p + (a * S + b) * C; entry xi goes to out + xi * step. tmp: 16 runs. */
static void input_tile(real *out, size_t step, const real *p, int S, int C, real *tmp)
{
    const size_t r = (size_t)S * C;
    for (int b = 0; b < 4; b++)                     /* B^T d: down each column */
        b_transpose4(tmp + b * C, tmp + (4 + b) * C, tmp + (8 + b) * C, tmp + (12 + b) * C,
                     p + b * C, p + r + b * C, p + 2 * r + b * C, p + 3 * r + b * C, C);
    for (int a = 0; a < 4; a++)                     /* (B^T d) B: along each row */
        b_transpose4(out + 4 * a * step, out + (4 * a + 1) * step, out + (4 * a + 2) * step,
                     out + (4 * a + 3) * step, tmp + 4 * a * C, tmp + (4 * a + 1) * C, tmp + (4 * a + 2) * C,
                     tmp + (4 * a + 3) * C, C);
}

/* A dY A^T of one tile for all FN channels (the adjoint of the output
 * transform): dY[a][b] is the run at p + (a * S + b) * FN. tmp: 8 runs. */
static void output_tile_adjoint(real *out, size_t step, const real *p, int S, int FN, real *tmp)
{
    const size_t r = (size_t)S * FN;
    for (int b = 0; b < 2; b++)                     /* A dY: down each column */
        a_apply2(tmp + b * FN, tmp + (2 + b) * FN, tmp + (4 + b) * FN, tmp + (6 + b) * FN,
                 p + b * FN, p + r + b * FN, FN);
    for (int a = 0; a < 4; a++)                     /* (A dY) A^T: along each row */
        a_apply2(out + 4 * a * step, out + (4 * a + 1) * step, out + (4 * a + 2) * step, out + (4 * a + 3) * step,
                 tmp + 2 * a * FN, tmp + (2 * a + 1) * FN, FN);
}

void winograd_forward(real *y, const real *x, const real *W, const real *b,
                      const ConvShape *s, int N, ConvWork *work, int relu)
{
    filter_transform(work->U, W, s->FN, s->C, 0);
    winograd_conv(y, x, work->U, b, s->C, s->H, s->W, s->FN, s->pad, N, work, relu,
                  conv_worth_threads(s, N));
}

void winograd_backward(real *dx, int with_dW, const real *dy, const real *x, const real *W,
                       const ConvShape *s, int N, ConvWork *work)
{
    if (with_dW)
        dW_by_tiles(dy, x, s, N, work, 2);
    if (dx) {
        filter_transform(work->U, W, s->FN, s->C, 1);
        winograd_conv(dx, dy, work->U, NULL, s->FN, s->OH, s->OW, s->C, 2 - s->pad, N, work, 0,
                      conv_worth_threads(s, N));
    }
}

/* ---- F(4x4, 3x3) ------------------------------------------------------------------

 * A 4x4 block of outputs from a 6x6 patch, by 36 multiplications instead of
 * 4*4*9 = 144: four times fewer, against F(2x2)'s 2.25. The matrices (Lavin
 * and Gray's, interpolating at 0, 1, -1, 2, -2 and infinity):
 *
 *   B^T = | 4  0 -5  0  1  0 |   G = |  1/4     0     0   |   A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6   |         | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6   |         | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6   |         | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6   |
 *         | 0  4  0 -5  0  1 |       |  0     0     1     |
 *
 * The larger numbers in them (up to 8 in A, 5 in B) mean larger roundings:
 * the tests bound them. The layout is F(2x2)'s with four column phases in
 * place of two: a padded row holds its columns 4j + p in phase p, so tile
 * tx's six columns are phases 0-3 at tx and phases 0-1 at tx + 1. */

typedef struct {
    int TH, TW, T;      /* tiles per column, per row, per image */
    int g;              /* images per chunk, at most */
    int ldP;            /* a row of V or M: g*T tiles, rounded up */
    int RP, S;          /* the padded plane: rows, and columns of each phase */
} Tiles4;

/* Each of the 36 multiplies has a chunk's tiles as its columns, and the
 * kernel computes them NR_AT (48) at a time: a chunk of 13 images of 2 x 2
 * tiles (52 columns) would compute 96. So a chunk holds a multiple of 48
 * tiles where it can (12 images of 8 x 8, 3 of 16 x 16), as many as fit the
 * cache budget, and the threads split the batch in bands, not in slices. */
#define TILE_COLUMNS 48

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

static Tiles4 tiles4(int in_c, int out_c, int out_h, int out_w, int N)
{
    Tiles4 t;
    t.TH = (out_h + 3) / 4;
    t.TW = (out_w + 3) / 4;
    t.T = t.TH * t.TW;
    const size_t per_image = (size_t)36 * (in_c + out_c) * t.T;
    const int step = TILE_COLUMNS / gcd(TILE_COLUMNS, t.T);     /* images that make whole kernel tiles */
    const int fit = per_image < CHUNK_REALS ? (int)(CHUNK_REALS / per_image) : 1;
    t.g = fit >= step ? fit / step * step : fit;
    const int widest = N > 0 && N < t.g ? N : t.g;
    t.ldP = (widest * t.T + 15) / 16 * 16;
    t.RP = 4 * t.TH + 2;
    t.S = t.TW + 1;
    return t;
}

/* A slice's plane buffer: the padded planes, six rows of the vertical
 * transform, the output's sixteen 4x4 positions and 24 runs between. */
static size_t plane_reals4(const Tiles4 *t)
{
    return ((size_t)(t->RP + 6) * 4 * t->S + 40 * (size_t)t->T) * t->g + 64;
}

int winograd4_shape(const ConvShape *s)
{
    return s->FH == 3 && s->FW == 3 && s->stride == 1 && s->pad <= 2 && s->H <= WINOGRAD4_MAX_SIDE &&
           s->W <= WINOGRAD4_MAX_SIDE;
}

int winograd4_fits(const ConvShape *s, int dx)
{
    return winograd4_shape(s) && s->C >= WINOGRAD4_MIN_CHANNELS && (!dx || s->FN >= WINOGRAD4_MIN_CHANNELS);
}

size_t winograd4_scratch(const ConvShape *s)
{
    size_t need = 0;
    for (int dir = 0; dir < 2; dir++) {
        int in_c = dir ? s->FN : s->C, out_c = dir ? s->C : s->FN;
        Tiles4 t = tiles4(in_c, out_c, dir ? s->H : s->OH, dir ? s->W : s->OW, 0);
        size_t n = (size_t)36 * (in_c > out_c ? in_c : out_c) * t.ldP + MATMUL_ROW_SLACK;
        n = plane_reals4(&t) > n ? plane_reals4(&t) : n;
        need = n > need ? n : need;
    }
    return dW_scratch(s, 4) > need ? dW_scratch(s, 4) : need;
}

size_t winograd4_filter_size(const ConvShape *s)
{
    return (size_t)36 * s->FN * s->C;
}

/* F(4x4)'s G, the 6 x 3 of the comment at the top of this part. */
static const double G4[6][3] = {{1.0 / 4, 0, 0},
                                {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                {0, 0, 1}};

/* G g G^T (6x6), in double and rounded once: U[xi][f][c] (turned: the filter
 * turned by 180 degrees, at U[xi][c][f]). Sixteen channels at a time, so that
 * each step of the sums runs along the channels in vectors (one filter at a
 * time, these sums took longer than conv6's 36 multiplies of the filters). */
static void filter_transform4(real *U, const real *W, int FN, int C, int turned, int threaded)
{
    const int rows = turned ? C : FN, cols = turned ? FN : C;
    const double (*G)[3] = G4;
    (void)threaded;                                     /* read by OpenMP only */
#pragma omp parallel for schedule(static) if (threaded)
    for (int f = 0; f < FN; f++)
        for (int c0 = 0; c0 < C; c0 += 16) {
            const int n = C - c0 < 16 ? C - c0 : 16;
            double g[3][3][16], Gg[6][3][16];
            for (int c = 0; c < n; c++) {
                const real *w = W + ((size_t)f * C + c0 + c) * 9;
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        g[i][j][c] = turned ? w[(2 - i) * 3 + 2 - j] : w[i * 3 + j];
            }
            for (int a = 0; a < 6; a++)
                for (int j = 0; j < 3; j++)
                    for (int c = 0; c < n; c++)
                        Gg[a][j][c] = G[a][0] * g[0][j][c] + G[a][1] * g[1][j][c] + G[a][2] * g[2][j][c];
            for (int a = 0; a < 6; a++)
                for (int b = 0; b < 6; b++) {
                    real *u = U + (size_t)(6 * a + b) * rows * cols;
                    for (int c = 0; c < n; c++) {
                        const int r = turned ? c0 + c : f, k = turned ? f : c0 + c;
                        u[(size_t)r * cols + k] =
                            (real)(Gg[a][0][c] * G[b][0] + Gg[a][1][c] * G[b][1] + Gg[a][2][c] * G[b][2]);
                    }
                }
        }
}

/* B^T on six runs of n numbers (the rows, or the columns, of a 6x6 of
 * runs): six runs out, o[j] = row j of B^T applied. */
static void b6(real *restrict o0, real *restrict o1, real *restrict o2, real *restrict o3, real *restrict o4,
               real *restrict o5, const real *restrict d0, const real *restrict d1, const real *restrict d2,
               const real *restrict d3, const real *restrict d4, const real *restrict d5, int n)
{
    for (int q = 0; q < n; q++) {
        const real c0 = d0[q], c1 = d1[q], c2 = d2[q], c3 = d3[q], c4 = d4[q], c5 = d5[q];
        o0[q] = 4 * c0 - 5 * c2 + c4;
        o1[q] = c3 + c4 - 4 * (c1 + c2);
        o2[q] = c4 - c3 + 4 * (c1 - c2);
        o3[q] = c4 - c2 + 2 * (c3 - c1);
        o4[q] = c4 - c2 - 2 * (c3 - c1);
        o5[q] = 4 * c1 - 5 * c3 + c5;
    }
}

/* A^T on six runs: four runs out. */
static void a6(real *restrict o0, real *restrict o1, real *restrict o2, real *restrict o3,
               const real *restrict d0, const real *restrict d1, const real *restrict d2,
               const real *restrict d3, const real *restrict d4, const real *restrict d5, int n)
{
    for (int q = 0; q < n; q++) {
        const real c0 = d0[q], c1 = d1[q], c2 = d2[q], c3 = d3[q], c4 = d4[q], c5 = d5[q];
        o0[q] = c0 + c1 + c2 + c3 + c4;
        o1[q] = c1 - c2 + 2 * (c3 - c4);
        o2[q] = c1 + c2 + 4 * (c3 + c4);
        o3[q] = c1 - c2 + 8 * (c3 - c4) + c5;
    }
}

/* Channel c of g images into the padded plane: padded pixel (r, col) of
 * image i at pl[((r * 4 + col % 4) * S + col / 4) * g + i]. A row of each
 * image is copied side by side first: the images lie in_size apart, often a
 * multiple of 4 kB, so read across in place a pixel's g numbers would fall in
 * the same few cache sets and push each other out. */
static void to_planes4(real *restrict pl, const real *restrict x, size_t in_size, int g, int H, int W,
                       int pad, int S, real *restrict row)
{
    for (int y = 0; y < H; y++) {
        for (int i = 0; i < g; i++)
            memcpy(row + (size_t)i * W, x + i * in_size + (size_t)y * W, (size_t)W * sizeof(real));
        for (int px = 0; px < W; px++) {
            const int col = px + pad;
            real *dst = pl + (((size_t)(y + pad) * 4 + col % 4) * S + col / 4) * g;
            for (int i = 0; i < g; i++)
                dst[i] = row[(size_t)i * W + px];
        }
    }
}

static void input_transform4(real *V, int c, const real *x, size_t in_size, int g, int H, int W, int pad,
                             const Tiles4 *t, int in_c, real *buf)
{
    const size_t plane = (size_t)in_c * t->ldP;
    const size_t Sg = (size_t)t->S * g, row = 4 * Sg;
    real *pl = buf, *tv = pl + t->RP * row;
    to_planes4(pl, x, in_size, g, H, W, pad, t->S, tv);
    const int n = t->TW * g;
    for (int ty = 0; ty < t->TH; ty++) {
        const real *d = pl + 4 * ty * row;          /* padded rows 4ty .. 4ty+5 */
        b6(tv, tv + row, tv + 2 * row, tv + 3 * row, tv + 4 * row, tv + 5 * row,
           d, d + row, d + 2 * row, d + 3 * row, d + 4 * row, d + 5 * row, (int)row);
        real *v = V + (size_t)c * t->ldP + (size_t)ty * n;
        for (int k = 0; k < 6; k++) {
            const real *p = tv + k * row;
            real *o = v + 6 * k * plane;
            b6(o, o + plane, o + 2 * plane, o + 3 * plane, o + 4 * plane, o + 5 * plane,
               p, p + Sg, p + 2 * Sg, p + 3 * Sg, p + g, p + Sg + g, n);
        }
    }
}

/* A^T M A for P tiles: their 16 outputs, y[(4r + s) * P + q]; tmp: 24 runs. */
static void output_tiles4(real *y, const real *m, size_t plane, int P, real *tmp)
{
    for (int b = 0; b < 6; b++)                     /* A^T M: down each column */
        a6(tmp + b * P, tmp + (6 + b) * P, tmp + (12 + b) * P, tmp + (18 + b) * P, m + b * plane,
           m + (6 + b) * plane, m + (12 + b) * plane, m + (18 + b) * plane, m + (24 + b) * plane,
           m + (30 + b) * plane, P);
    for (int r = 0; r < 4; r++) {                   /* (A^T M) A: along each row */
        const real *t = tmp + 6 * r * P;
        real *o = y + 4 * r * P;
        a6(o, o + P, o + 2 * P, o + 3 * P, t, t + P, t + 2 * P, t + 3 * P, t + 4 * P, t + 5 * P, P);
    }
}

/* One output row of each of g images from its four column phases. */
static void output_rows4(real *restrict y, size_t out_size, const real *const *ph, int g, int OW, real bias,
                         int relu)
{
    for (int i = 0; i < g; i++) {       /* image by image: each writes a run of its own */
        real *dst = y + i * out_size;
        for (int px = 0; px < OW; px++) {
            const real v = ph[px % 4][(size_t)(px / 4) * g + i] + bias;
            dst[px] = relu && v < 0 ? 0 : v;
        }
    }
}

static void winograd4_conv(real *y, const real *x, const real *U, const real *b, int in_c, int H, int W,
                           int out_c, int pad, int N, ConvWork *work, int relu, int threaded)
{
    const int out_h = H + 2 * pad - 2, out_w = W + 2 * pad - 2;
    const Tiles4 t = tiles4(in_c, out_c, out_h, out_w, N);
    const size_t in_size = (size_t)in_c * H * W, out_size = (size_t)out_c * out_h * out_w;
    int *koff = work->taps;
    for (int c = 0; c < in_c; c++)
        koff[c] = c * t.ldP;
    /* at most CONV_SLICES threads: thread k works in slice k's buffers */
    const int threads = threaded ? (get_threads() < CONV_SLICES ? get_threads() : CONV_SLICES) : 1;
    (void)threads;                                      /* read by OpenMP only */
#pragma omp parallel num_threads(threads)
    {
        int n0, n1, k = thread_number();
        thread_band(N, &n0, &n1);
        real *V = work->col[k], *M = work->out[k], *buf = work->dcol[k];
        int zeroed = 0;
        for (int n = n0; n < n1; n += t.g) {
            const int g = n1 - n < t.g ? n1 - n : t.g, P = g * t.T;
            const size_t planes = (size_t)t.RP * 4 * t.S * g;
            if (g != zeroed)
                memset(buf, 0, planes * sizeof(real)), zeroed = g;
            for (int c = 0; c < in_c; c++)
                input_transform4(V, c, x + n * in_size + (size_t)c * H * W, in_size, g, H, W, pad, &t, in_c, buf);
            for (int xi = 0; xi < 36; xi++)
                matmul_rows_at(out_c, P, in_c, U + (size_t)xi * out_c * in_c, in_c,
                               V + (size_t)xi * in_c * t.ldP, koff, 0, M + (size_t)xi * out_c * t.ldP, t.ldP);
            real *yt = buf + planes + (size_t)6 * 4 * t.S * g;
            const int n_row = t.TW * g;
            for (int f = 0; f < out_c; f++) {
                output_tiles4(yt, M + (size_t)f * t.ldP, (size_t)out_c * t.ldP, P, yt + 16 * (size_t)P);
                real *yf = y + n * out_size + (size_t)f * out_h * out_w;
                for (int ty = 0; ty < t.TH; ty++)
                    for (int r = 0; r < 4 && 4 * ty + r < out_h; r++) {
                        const real *ph[4];
                        for (int s = 0; s < 4; s++)
                            ph[s] = yt + (size_t)(4 * r + s) * P + (size_t)ty * n_row;
                        output_rows4(yf + (size_t)(4 * ty + r) * out_w, out_size, ph, g, out_w, b ? b[f] : 0, relu);
                    }
            }
        }
    }
}

void winograd4_forward(real *y, const real *x, const real *W, const real *b,
                       const ConvShape *s, int N, ConvWork *work, int relu)
{
    const int threaded = conv_worth_threads(s, N);
    filter_transform4(work->U, W, s->FN, s->C, 0, threaded);
    winograd4_conv(y, x, work->U, b, s->C, s->H, s->W, s->FN, s->pad, N, work, relu, threaded);
}

void winograd4_dx(real *dx, const real *dy, const real *W, const ConvShape *s, int N, ConvWork *work)
{
    const int threaded = conv_worth_threads(s, N);
    filter_transform4(work->U, W, s->FN, s->C, 1, threaded);
    winograd4_conv(dx, dy, work->U, NULL, s->FN, s->OH, s->OW, s->C, 2 - s->pad, N, work, 0, threaded);
}

/* ---- F(4x4)'s dW ------------------------------------------------------------------

 * As F(2x2)'s above, with 6x6 patches every 4 pixels: dU[xi] (FN x C) sums
 * dM[xi] V[xi]^T over the tiles, xi = 0..35, and dW = G^T dU G. */

/* A on four runs (the adjoint of A^T): six runs out. */
static void a4(real *restrict o0, real *restrict o1, real *restrict o2, real *restrict o3, real *restrict o4,
               real *restrict o5, const real *restrict y0, const real *restrict y1, const real *restrict y2,
               const real *restrict y3, int n)
{
    for (int q = 0; q < n; q++) {
        const real c0 = y0[q], c1 = y1[q], c2 = y2[q], c3 = y3[q];
        o0[q] = c0;
        o1[q] = c0 + c1 + c2 + c3;
        o2[q] = c0 - c1 + c2 - c3;
        o3[q] = c0 + 2 * c1 + 4 * c2 + 8 * c3;
        o4[q] = c0 - 2 * c1 + 4 * c2 - 8 * c3;
        o5[q] = c3;
    }
}

/* B^T d B of one 6x6 tile for all C channels (d[a][b] the run at p + (a * S +
 * b) * C); entry xi to out + xi * step. tmp: 36 runs. */
static void input_tile6(real *out, size_t step, const real *p, int S, int C, real *tmp)
{
    const size_t r = (size_t)S * C;
    for (int b = 0; b < 6; b++) {                   /* B^T d: down each column */
        const real *d = p + b * C;
        b6(tmp + b * C, tmp + (6 + b) * C, tmp + (12 + b) * C, tmp + (18 + b) * C, tmp + (24 + b) * C,
           tmp + (30 + b) * C, d, d + r, d + 2 * r, d + 3 * r, d + 4 * r, d + 5 * r, C);
    }
    for (int a = 0; a < 6; a++) {                   /* (B^T d) B: along each row */
        real *o = out + 6 * a * step;
        const real *t = tmp + 6 * a * C;
        b6(o, o + step, o + 2 * step, o + 3 * step, o + 4 * step, o + 5 * step, t, t + C, t + 2 * C, t + 3 * C,
           t + 4 * C, t + 5 * C, C);
    }
}

/* A dY A^T of one 4x4 block for all FN channels. tmp: 24 runs. */
static void output_tile_adjoint4(real *out, size_t step, const real *p, int S, int FN, real *tmp)
{
    const size_t r = (size_t)S * FN;
    for (int b = 0; b < 4; b++) {                   /* A dY: down each column */
        const real *y = p + b * FN;
        a4(tmp + b * FN, tmp + (4 + b) * FN, tmp + (8 + b) * FN, tmp + (12 + b) * FN, tmp + (16 + b) * FN,
           tmp + (20 + b) * FN, y, y + r, y + 2 * r, y + 3 * r, FN);
    }
    for (int a = 0; a < 6; a++) {                   /* (A dY) A^T: along each row */
        real *o = out + 6 * a * step;
        const real *t = tmp + 4 * a * FN;
        a4(o, o + step, o + 2 * step, o + 3 * step, o + 4 * step, o + 5 * step, t, t + FN, t + 2 * FN, t + 3 * FN,
           FN);
    }
}

/* dW (FN, C, 3, 3) = G^T dU G from dU (36, FN, C), a run of C channels at a
 * time (dU's rows), so that the sums run in vectors. tmp: 18 runs of C. */
static void filter_adjoint4(real *dW, const real *dU, int FN, int C, real *tmp)
{
    real G[6][3];                                   /* G4 in the sums' own precision */
    for (int a = 0; a < 6; a++)
        for (int j = 0; j < 3; j++)
            G[a][j] = (real)G4[a][j];
    const size_t plane = (size_t)FN * C;
    for (int f = 0; f < FN; f++) {
        const real *u = dU + (size_t)f * C;
        for (int i = 0; i < 3; i++)                 /* G^T dU: the rows */
            for (int b = 0; b < 6; b++) {
                real *r = tmp + (6 * i + b) * C;
                for (int c = 0; c < C; c++)
                    r[c] = G[0][i] * u[b * plane + c] + G[1][i] * u[(6 + b) * plane + c] +
                           G[2][i] * u[(12 + b) * plane + c] + G[3][i] * u[(18 + b) * plane + c] +
                           G[4][i] * u[(24 + b) * plane + c] + G[5][i] * u[(30 + b) * plane + c];
            }
        real *w = dW + (size_t)f * C * 9;
        for (int i = 0; i < 3; i++)                 /* (G^T dU) G: the columns */
            for (int j = 0; j < 3; j++) {
                const real *r = tmp + 6 * i * C;
                for (int c = 0; c < C; c++)
                    w[c * 9 + i * 3 + j] = r[c] * G[0][j] + r[C + c] * G[1][j] + r[2 * C + c] * G[2][j] +
                                           r[3 * C + c] * G[3][j] + r[4 * C + c] * G[4][j] + r[5 * C + c] * G[5][j];
            }
    }
}

/* Each slice's dW into work->dW[k], by F(2x2) (m = 2) or F(4x4) (m = 4):
 * dU[xi] = the sum over the slice's tiles, chunk after chunk in order, of
 * dM[xi] V[xi]^T; then dW = G^T dU G. */
static void dW_by_tiles(const real *dy, const real *x, const ConvShape *s, int N, ConvWork *work, int m)
{
    const int C = s->C, FN = s->FN, products = (m + 2) * (m + 2);
    const DWTiles t = dW_tiles(s, m);
    const size_t in_size = (size_t)C * s->H * s->W, out_size = (size_t)FN * s->OH * s->OW;
    const size_t x_plane = (size_t)t.RP * t.SP * C, y_plane = (size_t)t.RY * t.SY * FN;
#pragma omp parallel for schedule(static) if (conv_worth_threads(s, N))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        real *VT = work->col[k], *dMT = work->out[k], *xt = work->dcol[k], *dU = work->dWrows[k];
        const int even = chunk_images(n1 - n0, t.g);
        real *yt = xt + even * x_plane, *tmp = yt + even * y_plane;   /* runs of the tiles' transforms */
        if (n1 > n0)
            memset(xt, 0, even * (x_plane + y_plane) * sizeof(real));
        for (int n = n0; n < n1; n += even) {
            const int g = n1 - n < even ? n1 - n : even, P = g * t.T;
            for (int i = 0; i < g; i++) {
                to_positions(xt + i * x_plane, x + (n + i) * in_size, C, s->H, s->W, s->pad, t.SP);
                to_positions(yt + i * y_plane, dy + (n + i) * out_size, FN, s->OH, s->OW, 0, t.SY);
                for (int ty = 0; ty < t.TH; ty++)
                    for (int tx = 0; tx < t.TW; tx++) {
                        const size_t q = (size_t)i * t.T + ty * t.TW + tx;
                        const real *xp = xt + i * x_plane + ((size_t)m * ty * t.SP + m * tx) * C;
                        const real *yp = yt + i * y_plane + ((size_t)m * ty * t.SY + m * tx) * FN;
                        if (m == 2) {
                            input_tile(VT + q * C, (size_t)P * C, xp, t.SP, C, tmp);
                            output_tile_adjoint(dMT + q * FN, (size_t)P * FN, yp, t.SY, FN, tmp);
                        } else {
                            input_tile6(VT + q * C, (size_t)P * C, xp, t.SP, C, tmp);
                            output_tile_adjoint4(dMT + q * FN, (size_t)P * FN, yp, t.SY, FN, tmp);
                        }
                    }
            }
            for (int xi = 0; xi < products; xi++)       /* dU[xi] (+)= dM[xi] V[xi]^T */
                matmul_strided_at(FN, C, P, dMT + (size_t)xi * P * FN, FN, VT + (size_t)xi * P * C, C,
                                  n == n0 ? 0 : 1, dU + (size_t)xi * FN * C, C);
        }
        if (n1 > n0 && m == 2)
            filter_adjoint(work->dW[k], dU, FN, C);
        else if (n1 > n0)
            filter_adjoint4(work->dW[k], dU, FN, C, tmp);
    }
}

void winograd4_dW(const real *dy, const real *x, const ConvShape *s, int N, ConvWork *work)
{
    dW_by_tiles(dy, x, s, N, work, 4);
}
