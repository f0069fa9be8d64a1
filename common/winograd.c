#include "winograd.h"
#include "matmul.h"
#include "threads.h"
#include "transpose.h"
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
 * where they would take 6 (16 against 36 in two dimensions).
 *
 * F(4x4, 3x3): a 4x4 block of outputs from a 6x6 patch, by 36 multiplications
 * instead of 4*4*9 = 144: four times fewer, against F(2x2)'s 2.25. The
 * matrices (Lavin and Gray's, interpolating at 0, 1, -1, 2, -2 and infinity):
 *
 *   B^T = | 4  0 -5  0  1  0 |   G = |  1/4     0     0   |   A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6   |         | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6   |         | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6   |         | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6   |
 *         | 0  4  0 -5  0  1 |       |  0     0     1     |
 *
 * The larger numbers in them (up to 8 in A, 5 in B) mean larger roundings:
 * the tests bound them.
 *
 * Below, m is the side of a tile's block of outputs (2 or 4) and m + 2 the
 * side of the patch it reads: every routine serves both, and only the small
 * transforms (b_runs, a_runs, a_adjoint_runs, the tables G2 and G4) differ. */

/* A chunk's transformed images, VT and MT, and its planes should stay in the
 * level-2 cache (1 MB here) between the transforms and the multiplies: 256K
 * numbers. With the layout below, 192K and 384K were measured in whole
 * training steps against 256K (make step-ab, 100 steps): 1.01x, level, and
 * 0.96x, slower. */
#define CHUNK_REALS (256 * 1024)

/* The layers both identities serve: 3x3 filters, stride 1, padding 0 to 2,
 * on images of at most `side` pixels a side (what the scratch makes room for). */
static int winograd_layer(const ConvShape *s, int side)
{
    return s->FH == 3 && s->FW == 3 && s->stride == 1 && s->pad <= 2 && s->H <= side && s->W <= side;
}

int winograd_fits(const ConvShape *s)
{
    return winograd_layer(s, WINOGRAD_MAX_SIDE) && s->C >= WINOGRAD_MIN_CHANNELS;
}

int winograd4_shape(const ConvShape *s)
{
    return winograd_layer(s, WINOGRAD4_MAX_SIDE);
}

int winograd4_fits(const ConvShape *s, int dx)
{
    return winograd4_shape(s) && s->C >= WINOGRAD4_MIN_CHANNELS && (!dx || s->FN >= WINOGRAD4_MIN_CHANNELS);
}

/* ---- The transforms, on runs of numbers --------------------------------------------

 * Each applies a small matrix to a column (or a row) of a tile's numbers, for
 * all its channels at once: d[j] is the run holding entry j of every channel,
 * o[j] the run that gets entry j of the result. Runs of 32 or 64 channels are
 * short, so these are inline: a call for each cost more than the sums. */

/* F(2x2)'s B^T on four runs: t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3. */
static inline void b_transpose4(real *restrict t0, real *restrict t1, real *restrict t2, real *restrict t3,
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

/* F(4x4)'s B^T on six runs: o[j] = row j of B^T applied. */
static inline void b6(real *restrict o0, real *restrict o1, real *restrict o2, real *restrict o3, real *restrict o4,
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

/* B^T on m + 2 runs of n numbers */
static inline void b_runs(int m, real *const *o, const real *const *d, int n)
{
    if (m == 2)
        b_transpose4(o[0], o[1], o[2], o[3], d[0], d[1], d[2], d[3], n);
    else
        b6(o[0], o[1], o[2], o[3], o[4], o[5], d[0], d[1], d[2], d[3], d[4], d[5], n);
}

/* F(2x2)'s A^T on four runs: two runs out. */
static inline void a2(real *restrict o0, real *restrict o1, const real *restrict d0, const real *restrict d1,
                      const real *restrict d2, const real *restrict d3, int n)
{
    for (int q = 0; q < n; q++) {
        o0[q] = d0[q] + d1[q] + d2[q];
        o1[q] = d1[q] - d2[q] - d3[q];
    }
}

/* F(4x4)'s A^T on six runs: four runs out. */
static inline void a6(real *restrict o0, real *restrict o1, real *restrict o2, real *restrict o3,
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

/* A^T on m + 2 runs: m runs out */
static inline void a_runs(int m, real *const *o, const real *const *d, int n)
{
    if (m == 2)
        a2(o[0], o[1], d[0], d[1], d[2], d[3], n);
    else
        a6(o[0], o[1], o[2], o[3], d[0], d[1], d[2], d[3], d[4], d[5], n);
}

/* F(2x2)'s A (the adjoint of A^T, for dW) on two runs: r0 = y0, r1 = y0 + y1,
 * r2 = y0 - y1, r3 = -y1. */
static inline void a_apply2(real *restrict r0, real *restrict r1, real *restrict r2, real *restrict r3,
                            const real *restrict y0, const real *restrict y1, int n)
{
    for (int c = 0; c < n; c++) {
        r0[c] = y0[c];
        r1[c] = y0[c] + y1[c];
        r2[c] = y0[c] - y1[c];
        r3[c] = -y1[c];
    }
}

/* F(4x4)'s A on four runs: six runs out. */
static inline void a4(real *restrict o0, real *restrict o1, real *restrict o2, real *restrict o3, real *restrict o4,
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

/* A on m runs: m + 2 runs out */
static inline void a_adjoint_runs(int m, real *const *o, const real *const *d, int n)
{
    if (m == 2)
        a_apply2(o[0], o[1], o[2], o[3], d[0], d[1], n);
    else
        a4(o[0], o[1], o[2], o[3], o[4], o[5], d[0], d[1], d[2], d[3], n);
}

/* The G of each, (m + 2) x 3, at the top of the file. */
static const double G2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
static const double G4[6][3] = {{1.0 / 4, 0, 0},
                                {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                {0, 0, 1}};

/* row a of G */
static const double *g_row(int m, int a)
{
    return m == 2 ? G2[a] : G4[a];
}

/* U[xi] = G g G^T ((m + 2)^2 of them) for every filter, in double and rounded
 * once: U[xi][c][f], as the multiplies' right-hand side (turned: the filter
 * turned by 180 degrees, at U[xi][f][c], for dx, whose inputs are dy's FN
 * channels). Sixteen of U's columns at a time (filters, or channels when
 * turned), so that each step of the sums runs in vectors and each row of U
 * is written in whole runs (one filter at a time, these sums took longer
 * than conv6's 36 multiplies of the filters; perf put them at 1.4% of
 * DeepConvNet's training with U's columns written a number at a time, 1.1%
 * in runs). */
static void filter_transform(int m, real *U, const real *W, int FN, int C, int turned, int threaded)
{
    const int n = m + 2, rows = turned ? FN : C, cols = turned ? C : FN;
    (void)threaded;                                     /* read by OpenMP only */
#pragma omp parallel for schedule(static) if (threaded)
    for (int r = 0; r < rows; r++)
        for (int k0 = 0; k0 < cols; k0 += 16) {
            const int nk = cols - k0 < 16 ? cols - k0 : 16;
            double g[3][3][16], Gg[6][3][16];
            for (int k = 0; k < nk; k++) {
                const int f = turned ? r : k0 + k, c = turned ? k0 + k : r;
                const real *w = W + ((size_t)f * C + c) * 9;
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        g[i][j][k] = turned ? w[(2 - i) * 3 + 2 - j] : w[i * 3 + j];
            }
            for (int a = 0; a < n; a++) {               /* G g: the rows */
                const double *G = g_row(m, a);
                for (int j = 0; j < 3; j++)
                    for (int k = 0; k < nk; k++)
                        Gg[a][j][k] = G[0] * g[0][j][k] + G[1] * g[1][j][k] + G[2] * g[2][j][k];
            }
            for (int a = 0; a < n; a++)                 /* (G g) G^T: the columns */
                for (int b = 0; b < n; b++) {
                    const double *G = g_row(m, b);
                    real *u = U + (size_t)(n * a + b) * rows * cols + (size_t)r * cols + k0;
                    for (int k = 0; k < nk; k++)
                        u[k] = (real)(Gg[a][0][k] * G[0] + Gg[a][1][k] * G[1] + Gg[a][2][k] * G[2]);
                }
        }
}

/* ---- Tiles, channels side by side -----------------------------------------------------

 * All three passes work on images laid out position by position, with a
 * pixel's channels side by side: a tile's n x n patch is then n x n runs of
 * channels, and each step of a tile's transforms runs along the channels in
 * vectors, however small the image. The images come in and go out in the
 * layers' layout (N, C, H, W): to_positions and from_positions turn a chunk's
 * images over and back, once each.
 *
 * Every multiply then has a chunk's tiles as its rows or its inner dimension:
 *   forward and dx  MT[xi] (tiles x out_c) = VT[xi] (tiles x in_c) U[xi] (in_c x out_c)
 *   dW              dU[xi] (FN x C) = dMT[xi]^T (FN x tiles) VT[xi] (tiles x C)
 * with VT[xi][tile][c], MT[xi][tile][f], as the blocked multiply reads them. */

typedef struct {
    int TH, TW, T;      /* tiles per column, per row, per image */
    int g;              /* images per chunk: y and dx */
    int gw;             /* images per chunk of dW, whose planes are the threads' own */
    int RP, SP;         /* the input's zero-padded plane: rows, positions per row */
    int RY, SY;         /* the output's plane: rows and positions per row, whole tiles (past OH, OW) */
} Tiles;

/* dW's slices of the batch (dW_by_tiles): each sums its own dU, in the
 * buffers of the convolution slice of the same number. Two, not the eight
 * of the other paths: each slice's 36 products and G^T dU G cost the same
 * however few tiles it has, and eight slices of 12 images made sums of a few
 * dozen tiles. Against eight (make step-ab, 2026-12-04, batch 100): the
 * backward passes of DeepConvNet's layers 4 to 6 1.16x, 1.36x and 1.35x on
 * two threads, 1.22x, 1.46x and 1.39x on one. More threads than slices
 * share each slice's chunks (below). */
#define DW_SLICES 2
_Static_assert(DW_SLICES <= CONV_SLICES, "dW's slices use the convolution slices' buffers");

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

/* The threads a pass runs on (threaded: the batch is worth them): at most
 * CONV_SLICES, since thread k works in slice k's buffers. */
static int slice_threads(int threaded)
{
    return threaded ? (get_threads() < CONV_SLICES ? get_threads() : CONV_SLICES) : 1;
}

/* A slice of `images` goes in chunks of at most `most`, all of about the same
 * size: the size of the first (and largest). */
static int chunk_images(int images, int most)
{
    int chunks = (images + most - 1) / most;
    return chunks ? (images + chunks - 1) / chunks : 0;
}

/* Tiles of m x m outputs, (m + 2)^2 products, for the convolution s (dx's:
 * dx_shape). A chunk's transforms and planes should stay in the level-2 cache. */
static Tiles tiles(const ConvShape *s, int m)
{
    Tiles t;
    t.TH = (s->OH + m - 1) / m;
    t.TW = (s->OW + m - 1) / m;
    t.T = t.TH * t.TW;
    t.RP = m * t.TH + 2;
    t.SP = m * t.TW + 2;
    t.RY = m * t.TH;
    t.SY = m * t.TW;
    const size_t products = (size_t)(m + 2) * (m + 2);
    size_t transforms = products * t.T * (s->C + s->FN);      /* VT and MT (dMT), an image's */
    size_t per_image = transforms + (size_t)t.RP * t.SP * s->C + (size_t)t.RY * t.SY * s->FN;
    t.g = per_image < CHUNK_REALS ? (int)(CHUNK_REALS / per_image) : 1;
    t.gw = transforms < CHUNK_REALS ? (int)(CHUNK_REALS / transforms) : 1;
    return t;
}

/* dx is dy (FN channels of OH x OW) convolved with the turned filters into C
 * channels of H x W, padding 2 - pad: a convolution of its own shape. */
static ConvShape dx_shape(const ConvShape *s)
{
    return conv_shape(s->FN, s->OH, s->OW, s->C, 3, 3, 1, 2 - s->pad);
}

/* A slice's buffers for the convolution s: VT in col, MT (dMT) in out, and in
 * dcol a chunk's planes, then the transforms' runs: input_row's m + 2 padded
 * rows of channels, more than the others need ((m + 2)^2 runs at most). */
static size_t tile_scratch(const ConvShape *s, int m)
{
    Tiles t = tiles(s, m);
    size_t P = (size_t)t.g * t.T, wide = s->C > s->FN ? s->C : s->FN, products = (size_t)(m + 2) * (m + 2);
    size_t planes = (size_t)t.g * ((size_t)t.RP * t.SP * s->C + (size_t)t.RY * t.SY * s->FN) +
                    (size_t)(m + 2) * t.SP * wide;
    size_t transforms = products * (P > (size_t)t.gw * t.T ? P : (size_t)t.gw * t.T) * wide;
    return transforms > planes ? transforms : planes;
}

/* B^T d B of a row of TW tiles for all C channels: the row's n padded rows
 * start at p, S positions of C channels each; tile tx's entry xi goes to out
 * + tx C + xi step. B^T d runs down whole padded rows first, so the columns
 * that neighbouring tiles share are done once. tmp: n S C numbers. */
static void input_row(int m, real *out, size_t step, const real *p, int S, int C, int TW, real *tmp)
{
    const int n = m + 2;
    const size_t r = (size_t)S * C;
    real *o[6];
    const real *d[6];
    for (int j = 0; j < n; j++) {                       /* B^T d: down every column at once */
        o[j] = tmp + j * r;
        d[j] = p + j * r;
    }
    b_runs(m, o, d, (int)r);
    for (int tx = 0; tx < TW; tx++)
        for (int a = 0; a < n; a++) {                   /* (B^T d) B: along each row of each tile */
            for (int j = 0; j < n; j++) {
                o[j] = out + (size_t)tx * C + (n * a + j) * step;
                d[j] = tmp + a * r + (size_t)(m * tx + j) * C;
            }
            b_runs(m, o, d, C);
        }
}

/* A^T M A of a row of TW tiles for all FN channels: M[a][b] of tile tx is
 * the run of FN numbers at in + tx FN + (n a + b) step, and its output (r,
 * s) goes to p + (r S + m tx + s) FN, plus the bias (if any), then the ReLU
 * if asked. A^T M runs along the whole row of tiles at once, since each of
 * its entries lies tile after tile. tmp: n m TW FN numbers. */
static void output_row(int m, real *p, int S, const real *in, size_t step, int FN, int TW, const real *bias,
                       int relu, real *tmp)
{
    const int n = m + 2;
    const size_t len = (size_t)TW * FN;
    real *o[6];
    const real *d[6];
    for (int b = 0; b < n; b++) {                       /* A^T M: down each column, every tile */
        for (int j = 0; j < m; j++)
            o[j] = tmp + (n * j + b) * len;
        for (int j = 0; j < n; j++)
            d[j] = in + (n * j + b) * step;
        a_runs(m, o, d, (int)len);
    }
    for (int tx = 0; tx < TW; tx++)
        for (int r = 0; r < m; r++) {                   /* (A^T M) A: along each row of each tile */
            for (int j = 0; j < m; j++)
                o[j] = p + ((size_t)r * S + m * tx + j) * FN;
            for (int j = 0; j < n; j++)
                d[j] = tmp + (n * r + j) * len + (size_t)tx * FN;
            a_runs(m, o, d, FN);
            for (int j = 0; j < m && (bias || relu); j++) {
                real *restrict y = o[j];
                for (int f = 0; f < FN; f++) {
                    const real v = bias ? y[f] + bias[f] : y[f];
                    y[f] = relu && v < 0 ? 0 : v;
                }
            }
        }
}

/* ---- The forward pass and dx ---------------------------------------------------------- */

/* y (N, FN, OH, OW) = the convolution s of x (N, C, H, W) by the filters'
 * transforms U ((m + 2)^2, C, FN), plus b (if not NULL), then the ReLU if
 * asked. Each thread takes a band of the batch, chunk by chunk, in its
 * slice's buffers. */
static void winograd_conv(int m, real *y, const real *x, const real *U, const real *b, const ConvShape *s, int N,
                          ConvWork *work, int relu, int threaded)
{
    const int C = s->C, FN = s->FN, products = (m + 2) * (m + 2);
    Tiles t = tiles(s, m);
    /* The multiplies compute 8 rows (tiles) at a time: chunks of a multiple
     * of 8 tiles where they can be (conv6: 8 images of 4 tiles, not 9) */
    const int whole = 8 / gcd(8, t.T);
    if (t.g >= whole)
        t.g = t.g / whole * whole;
    const size_t in_size = (size_t)C * s->H * s->W, out_size = (size_t)FN * s->OH * s->OW;
    const size_t x_plane = (size_t)t.RP * t.SP * C, y_plane = (size_t)t.RY * t.SY * FN;
    const int threads = slice_threads(threaded);
    (void)threads;                                      /* read by OpenMP only */
#pragma omp parallel num_threads(threads)
    {
        int n0, n1, k = thread_number();
        thread_band(N, &n0, &n1);
        real *VT = work->col[k], *MT = work->out[k], *xt = work->dcol[k];
        const int even = chunk_images(n1 - n0, t.g);
        real *yt = xt + even * x_plane, *tmp = yt + even * y_plane;
        if (n1 > n0)
            memset(xt, 0, even * x_plane * sizeof(real));      /* the padding */
        for (int n = n0; n < n1; n += even) {
            const int g = n1 - n < even ? n1 - n : even, P = g * t.T;
            for (int i = 0; i < g; i++) {
                to_positions(xt + i * x_plane, x + (n + i) * in_size, C, s->H, s->W, s->pad, t.SP);
                for (int ty = 0; ty < t.TH; ty++)
                    input_row(m, VT + ((size_t)i * t.T + ty * t.TW) * C, (size_t)P * C,
                              xt + i * x_plane + (size_t)m * ty * t.SP * C, t.SP, C, t.TW, tmp);
            }
            for (int xi = 0; xi < products; xi++)      /* MT[xi] = VT[xi] U[xi] */
                matmul_strided(P, FN, C, VT + (size_t)xi * P * C, C, U + (size_t)xi * C * FN, FN, 0,
                               MT + (size_t)xi * P * FN, FN);
            for (int i = 0; i < g; i++) {
                for (int ty = 0; ty < t.TH; ty++)
                    output_row(m, yt + i * y_plane + (size_t)m * ty * t.SY * FN, t.SY,
                               MT + ((size_t)i * t.T + ty * t.TW) * FN, (size_t)P * FN, FN, t.TW, b, relu, tmp);
                from_positions(y + (n + i) * out_size, yt + i * y_plane, FN, s->OH, s->OW, t.SY);
            }
        }
    }
}

/* ---- dW ---------------------------------------------------------------------------

 * dU[xi] (FN x C) sums over the tiles, so its multiplies run along them: the
 * tiles are the product's inner dimension, and both operands are stored tile
 * by tile with their channels side by side (VT[xi][tile][c], dMT[xi][tile][f]),
 * which the blocked multiply reads as they are. The transforms then go over
 * runs of channels, from images laid out position by position. */

/* A dY A^T of a row of TW blocks of m x m for all FN channels (the adjoint
 * of the output transform): the row's m rows of dY start at p, S positions of
 * FN channels each; block tx's entry xi goes to out + tx FN + xi step. A dY
 * runs down whole rows first. tmp: (m + 2) S FN numbers. */
static void output_row_adjoint(int m, real *out, size_t step, const real *p, int S, int FN, int TW, real *tmp)
{
    const int n = m + 2;
    const size_t r = (size_t)S * FN;
    real *o[6];
    const real *d[6];
    for (int j = 0; j < n; j++)                         /* A dY: down every column at once */
        o[j] = tmp + j * r;
    for (int j = 0; j < m; j++)
        d[j] = p + j * r;
    a_adjoint_runs(m, o, d, (int)r);
    for (int tx = 0; tx < TW; tx++)
        for (int a = 0; a < n; a++) {                   /* (A dY) A^T: along each row of each block */
            for (int j = 0; j < n; j++)
                o[j] = out + (size_t)tx * FN + (n * a + j) * step;
            for (int j = 0; j < m; j++)
                d[j] = tmp + a * r + (size_t)(m * tx + j) * FN;
            a_adjoint_runs(m, o, d, FN);
        }
}

/* dW (FN, C, 3, 3) += G^T dU G from dU ((m + 2)^2, FN, C), the adjoint of
 * filter_transform, a run of C channels at a time (dU's rows), so that the
 * sums run in vectors. Each sum goes in order of G's rows, in the sums' own
 * precision. tmp: 3 (m + 2) + 1 runs of C. */
static void filter_adjoint(int m, real *dW, const real *dU, int FN, int C, real *tmp)
{
    const int n = m + 2;
    real G[6][3];                                       /* G in the sums' own precision */
    for (int a = 0; a < n; a++)
        for (int j = 0; j < 3; j++)
            G[a][j] = (real)g_row(m, a)[j];
    const size_t plane = (size_t)FN * C;
    real *sum = tmp + 3 * n * C;
    for (int f = 0; f < FN; f++) {
        const real *u = dU + (size_t)f * C;
        for (int b = 0; b < n; b++) {                   /* G^T dU: the rows, all three from each read of dU */
            real *restrict r0 = tmp + b * C, *restrict r1 = tmp + (n + b) * C, *restrict r2 = tmp + (2 * n + b) * C;
            const real *restrict ub = u + b * plane;
            for (int c = 0; c < C; c++) {
                r0[c] = G[0][0] * ub[c];
                r1[c] = G[0][1] * ub[c];
                r2[c] = G[0][2] * ub[c];
            }
            for (int a = 1; a < n; a++) {
                const real *restrict ua = u + (n * a + b) * plane;
                for (int c = 0; c < C; c++) {
                    r0[c] += G[a][0] * ua[c];
                    r1[c] += G[a][1] * ua[c];
                    r2[c] += G[a][2] * ua[c];
                }
            }
        }
        real *w = dW + (size_t)f * C * 9;
        for (int i = 0; i < 3; i++)                     /* (G^T dU) G: the columns */
            for (int j = 0; j < 3; j++) {
                const real *r = tmp + n * i * C;
                for (int c = 0; c < C; c++)
                    sum[c] = r[c] * G[0][j];
                for (int b = 1; b < n; b++)
                    for (int c = 0; c < C; c++)
                        sum[c] += r[b * C + c] * G[b][j];
                for (int c = 0; c < C; c++)
                    w[c * 9 + i * 3 + j] += sum[c];
            }
    }
}

/* Where each slice of dW_by_tiles' batch starts: band k of DW_SLICES */
static int dW_slice_start(int k, int N)
{
    return (int)((long)N * k / DW_SLICES);
}

/* dW += the layer's dW by F(2x2) (m = 2) or F(4x4) (m = 4). The batch is
 * cut in DW_SLICES slices; in each, dU[xi] = the sum over its tiles, chunk
 * after chunk in order, of dM[xi] V[xi]^T. Then dU = the slices' dU added
 * in order, and dW += G^T dU G.
 *
 * With more threads than slices, a slice's threads share each of its
 * chunks: each transforms a band of the chunk's images (in its own slice's
 * planes) into the chunk's VT and dMT, then multiplies a band of the
 * products over the whole chunk. None of this changes a sum's order, so
 * the bits do not depend on the threads. */
static void dW_by_tiles(real *dW, const real *dy, const real *x, const ConvShape *s, int N, ConvWork *work, int m)
{
    const int C = s->C, FN = s->FN, products = (m + 2) * (m + 2);
    const Tiles t = tiles(s, m);
    const size_t in_size = (size_t)C * s->H * s->W, out_size = (size_t)FN * s->OH * s->OW;
    const size_t x_plane = (size_t)t.RP * t.SP * C, y_plane = (size_t)t.RY * t.SY * FN;
    int chunks = 0;                                     /* the most any slice has */
    for (int k = 0; k < DW_SLICES; k++) {
        const int images = dW_slice_start(k + 1, N) - dW_slice_start(k, N), even = chunk_images(images, t.gw);
        if (even && (images + even - 1) / even > chunks)
            chunks = (images + even - 1) / even;
    }
    const int threads = slice_threads(conv_worth_threads(s, N));     /* thread j transforms in slice j's planes */
    (void)threads;                                      /* read by OpenMP only */
#pragma omp parallel num_threads(threads)
    {
        const int j = thread_number(), T = thread_count();
        const int groups = T < DW_SLICES ? T : DW_SLICES, group = j % groups;
        const int members = (T - group + groups - 1) / groups, rank = j / groups;
        const int shared = T > DW_SLICES;               /* the same for every thread */
        real *xt = work->dcol[j], *yt = xt + x_plane, *tmp = yt + y_plane;
        memset(xt, 0, (x_plane + y_plane) * sizeof(real));     /* the padding */
        for (int k = group; k < DW_SLICES; k += groups) {
            const int n0 = dW_slice_start(k, N), n1 = dW_slice_start(k + 1, N), even = chunk_images(n1 - n0, t.gw);
            real *VT = work->col[k], *dMT = work->out[k], *dU = work->dWrows[k];
            for (int c = 0; c < chunks; c++) {          /* as many turns in every slice: the barriers */
                const int n = n0 + c * even, g = n < n1 ? (n1 - n < even ? n1 - n : even) : 0, P = g * t.T;
                for (int i = g * rank / members; i < g * (rank + 1) / members; i++) {
                    to_positions(xt, x + (n + i) * in_size, C, s->H, s->W, s->pad, t.SP);
                    to_positions(yt, dy + (n + i) * out_size, FN, s->OH, s->OW, 0, t.SY);
                    for (int ty = 0; ty < t.TH; ty++) {
                        const size_t q = (size_t)i * t.T + ty * t.TW;     /* the row's first tile */
                        input_row(m, VT + q * C, (size_t)P * C, xt + (size_t)m * ty * t.SP * C, t.SP, C, t.TW, tmp);
                        output_row_adjoint(m, dMT + q * FN, (size_t)P * FN, yt + (size_t)m * ty * t.SY * FN,
                                           t.SY, FN, t.TW, tmp);
                    }
                }
                if (shared) {
#pragma omp barrier
                }
                for (int xi = products * rank / members; g && xi < products * (rank + 1) / members; xi++)
                    matmul_strided_at(FN, C, P, dMT + (size_t)xi * P * FN, FN, VT + (size_t)xi * P * C, C,
                                      c == 0 ? 0 : 1, dU + (size_t)xi * FN * C, C);      /* dU[xi] (+)= dM[xi] V[xi]^T */
                if (shared) {
#pragma omp barrier
                }
            }
        }
    }
    /* dU: the slices' sums in order (a slice without images, N < DW_SLICES, has none) */
    const size_t nu = (size_t)products * FN * C;
    real *dU = NULL;
    for (int k = 0; k < DW_SLICES; k++) {
        if (dW_slice_start(k + 1, N) == dW_slice_start(k, N))
            continue;
        if (!dU)
            dU = work->dWrows[k];
        else
            for (size_t i = 0; i < nu; i++)
                dU[i] += work->dWrows[k][i];
    }
    if (dU)
        filter_adjoint(m, dW, dU, FN, C, work->dcol[0]);
}

/* ---- The entry points ----------------------------------------------------------------- */

/* The larger of the two convolutions' (y and dW read x's tiles and write
 * dy's; dx the other way round), since a slice's buffers serve all three. */
static size_t scratch(const ConvShape *s, int m)
{
    const ConvShape dx = dx_shape(s);
    return tile_scratch(s, m) > tile_scratch(&dx, m) ? tile_scratch(s, m) : tile_scratch(&dx, m);
}

size_t winograd_scratch(const ConvShape *s)
{
    return scratch(s, 2);
}

size_t winograd_filter_size(const ConvShape *s)
{
    return (size_t)16 * s->FN * s->C;
}

size_t winograd4_scratch(const ConvShape *s)
{
    return scratch(s, 4);
}

size_t winograd4_filter_size(const ConvShape *s)
{
    return (size_t)36 * s->FN * s->C;
}

/* y by F(m x m): the filters' transforms, then the convolution */
static void forward(int m, real *y, const real *x, const real *W, const real *b, const ConvShape *s, int N,
                    ConvWork *work, int relu)
{
    const int threaded = conv_worth_threads(s, N);
    filter_transform(m, work->U, W, s->FN, s->C, 0, threaded);
    winograd_conv(m, y, x, work->U, b, s, N, work, relu, threaded);
}

/* dx by F(m x m): dy convolved with the turned filters, padding 2 - pad */
static void backward_dx(int m, real *dx, const real *dy, const real *W, const ConvShape *s, int N,
                        ConvWork *work)
{
    const int threaded = conv_worth_threads(s, N);
    filter_transform(m, work->U, W, s->FN, s->C, 1, threaded);
    const ConvShape turned = dx_shape(s);
    winograd_conv(m, dx, dy, work->U, NULL, &turned, N, work, 0, threaded);
}

void winograd_forward(real *y, const real *x, const real *W, const real *b,
                      const ConvShape *s, int N, ConvWork *work, int relu)
{
    forward(2, y, x, W, b, s, N, work, relu);
}

void winograd_backward(real *dx, real *dW, const real *dy, const real *x, const real *W,
                       const ConvShape *s, int N, ConvWork *work)
{
    if (dW)
        dW_by_tiles(dW, dy, x, s, N, work, 2);
    if (dx)
        backward_dx(2, dx, dy, W, s, N, work);
}

void winograd4_forward(real *y, const real *x, const real *W, const real *b,
                       const ConvShape *s, int N, ConvWork *work, int relu)
{
    forward(4, y, x, W, b, s, N, work, relu);
}

void winograd4_dx(real *dx, const real *dy, const real *W, const ConvShape *s, int N, ConvWork *work)
{
    backward_dx(4, dx, dy, W, s, N, work);
}

void winograd4_dW(real *dW, const real *dy, const real *x, const ConvShape *s, int N, ConvWork *work)
{
    dW_by_tiles(dW, dy, x, s, N, work, 4);
}
