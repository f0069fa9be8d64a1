#include "convolution.h"
#include "conv_implicit.h"
#include "conv_one_channel.h"
#include "im2col.h"
#include "layers.h"
#include "matmul.h"
#include "threads.h"
#include "winograd.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A chunk's col should stay in the level-2 cache (1 MB here) next to its
 * dcol: a quarter of it each. */
#define CHUNK_REALS (256 * 1024 / sizeof(real))

ConvShape conv_shape(int C, int H, int W, int FN, int FH, int FW, int stride, int pad)
{
    ConvShape s = {C, H, W, FN, FH, FW, stride, pad, 0, 0};
    if (C < 1 || H < 1 || W < 1 || FN < 1 || FH < 1 || FW < 1 || stride < 1 || pad < 0)
        die("convolution: bad shape (C %d, H %d, W %d, FN %d, FH %d, FW %d, stride %d, pad %d)",
            C, H, W, FN, FH, FW, stride, pad);
    if (H + 2 * pad < FH || W + 2 * pad < FW)
        die("convolution: a %dx%d filter does not fit a %dx%d input with padding %d", FH, FW, H, W, pad);
    s.OH = conv_output_size(H, FH, stride, pad);
    s.OW = conv_output_size(W, FW, stride, pad);
    return s;
}

size_t conv_col_size(const ConvShape *s, int N)
{
    return (size_t)N * s->OH * s->OW * s->C * s->FH * s->FW;
}

size_t conv_out_size(const ConvShape *s, int N)
{
    return (size_t)N * s->FN * s->OH * s->OW;
}

/* Images per chunk: as many as keep col within CHUNK_REALS, at least one. */
static int chunk_images(const ConvShape *s)
{
    size_t per_image = (size_t)s->OH * s->OW * s->C * s->FH * s->FW;
    size_t n = CHUNK_REALS / per_image;
    return n < 1 ? 1 : (int)n;
}

/* Thin layers. A slice suits images with many positions: 8 images of 28x28
 * are 6,272 columns, a wide multiply. At 7x7 (the DCGAN's second convolution,
 * its generator's first transposed one) a slice of a batch of 64 is 392
 * columns, and each multiply packs all of W again for a few columns. A layer
 * whose slices would be under THIN_COLUMNS columns takes chunks of about
 * THIN_CHUNK columns instead. (Measured on the DCGAN: chunks of 2,048
 * columns beat 512 and 1,024; treating the 14x14 layers so too was slower.)
 *
 * The forward pass and dx do not depend on how the batch is cut (each output
 * column, and each image's col2im, is added up the same way in any chunk), so
 * there each thread takes a band of the batch, chunk by chunk, in its own
 * buffers: no thread waits on another for the copies in and out. dW adds up
 * over the images, so its order must not depend on the number of threads:
 * there the threads share each chunk's multiply, chunk after chunk. */
#define THIN_COLUMNS 512
#define THIN_CHUNK 2048

int conv_thin(const ConvShape *s, int N)
{
    return (long)N * s->OH * s->OW / CONV_SLICES < THIN_COLUMNS;
}

int conv_thin_images(const ConvShape *s)
{
    int P = s->OH * s->OW;
    return (THIN_CHUNK + P - 1) / P;
}

/* Threads for a thin layer's bands: one per slice whose buffers are large
 * enough, as many as there were threads when the scratch was made. */
static int thin_threads(const ConvWork *work)
{
    int t = get_threads();
    return t < work->thin_slices ? t : work->thin_slices;
}

/* Strided layers skip col (matmul_gathered in matmul.h). Each chunk's image
 * planes are copied, zero-padded, into col's buffer (R = H + 2 pad rows of
 * S = W + 2 pad), and the multiply packs col's numbers straight from there:
 *   col(tap (c, fy, fx), column (i, oy, ox)) = planes[taps[k] + taps[K + j]]
 *   taps[k]     = c*R*S + fy*S + fx                  (K of them)
 *   taps[K + j] = i*C*R*S + oy*stride*S + ox*stride  (one per column of a chunk)
 * The numbers are im2col's and the multiply's arithmetic the same, so the
 * results are bit for bit those through col. For the DCGAN's 7x7 layers col
 * is 8 MB a chunk, written by im2col and read back by the multiply's packing,
 * twice past the level-2 cache; the planes are a third of that. Only where
 * the planes are smaller than col (always, for filters as large as the
 * stride) and the multiply has more than one row. */
static int gathers(const ConvShape *s)
{
    size_t planes = (size_t)(s->H + 2 * s->pad) * (s->W + 2 * s->pad);
    return s->stride > 1 && s->FN > 1 && planes <= (size_t)s->FH * s->FW * s->OH * s->OW;
}

/* ints of the gather tables for chunks of up to g images */
static size_t gather_table_size(const ConvShape *s, int g)
{
    return (size_t)s->C * s->FH * s->FW + (size_t)g * s->OH * s->OW;
}

static void gather_tables(int *taps, const ConvShape *s, int g)
{
    const int R = s->H + 2 * s->pad, S = s->W + 2 * s->pad, K = s->C * s->FH * s->FW;
    for (int c = 0; c < s->C; c++)
        for (int fy = 0; fy < s->FH; fy++)
            for (int fx = 0; fx < s->FW; fx++)
                taps[(c * s->FH + fy) * s->FW + fx] = c * R * S + fy * S + fx;
    int *pos = taps + K;
    for (int i = 0; i < g; i++)
        for (int oy = 0; oy < s->OH; oy++)
            for (int ox = 0; ox < s->OW; ox++)
                *pos++ = i * s->C * R * S + oy * s->stride * S + ox * s->stride;
}

/* threaded: the copy is shared by the threads, a band of images each (a
 * thin layer's chunk, which all threads then multiply); else this thread's. */
static void padded_planes(real *planes, const real *x, int g, const ConvShape *s, int threaded)
{
    const int R = s->H + 2 * s->pad, S = s->W + 2 * s->pad;
    const size_t image = (size_t)s->C * R * S;
    (void)threaded;                 /* read by OpenMP only */
#pragma omp parallel for schedule(static) if (threaded)
    for (int i = 0; i < g; i++) {
        memset(planes + i * image, 0, image * sizeof(real));
        for (int c = 0; c < s->C; c++)
            for (int y = 0; y < s->H; y++)
                memcpy(planes + (((size_t)i * s->C + c) * R + y + s->pad) * S + s->pad,
                       x + (((size_t)i * s->C + c) * s->H + y) * s->W, s->W * sizeof(real));
    }
}

/* The tables for this call in the scratch (NULL: this shape goes through
 * col), for chunks of up to g images. */
static const int *gather_setup(const ConvShape *s, int g, ConvWork *work, int allowed)
{
    if (!allowed || !gathers(s))
        return NULL;
    gather_tables(work->taps, s, g);
    return work->taps;
}

/* Scratch starts on a cache line, so that rows of a multiple of 16 floats
 * do too: a vector load then never straddles two lines. */
static real *buffer(size_t reals)
{
    return xmalloc_aligned(reals * sizeof(real));
}

ConvWork conv_work_create(const ConvShape *shapes, int count)
{
    ConvWork w;
    memset(&w, 0, sizeof w);
    size_t dw = 0, taps = 0, thin = 0, u = 1;
    for (int i = 0; i < count; i++) {
        const ConvShape *s = &shapes[i];
        size_t K = (size_t)s->C * s->FH * s->FW, widest = K > (size_t)s->FN ? K : (size_t)s->FN;
        size_t need = (size_t)chunk_images(s) * s->OH * s->OW * widest;
        w.cap = need > w.cap ? need : w.cap;
        need = (size_t)conv_thin_images(s) * s->OH * s->OW * widest;
        thin = need > thin ? need : thin;
        if (conv_implicit_fits(s)) {    /* its grids, and x's and dy's tap offsets */
            need = conv_implicit_scratch(s);
            w.cap = need > w.cap ? need : w.cap;
            need = conv_implicit_offsets(s);
            taps = need > taps ? need : taps;
        }
        if (conv_one_channel_fits(s)) { /* its padded plane, dy's rows and dW's lanes; its tap offsets */
            need = conv_one_channel_scratch(s);
            w.cap = need > w.cap ? need : w.cap;
            taps = K > taps ? K : taps;
        }
        if (winograd_fits(s)) {         /* its transformed images, and filters */
            need = winograd_scratch(s);
            w.cap = need > w.cap ? need : w.cap;
            u = winograd_filter_size(s) > u ? winograd_filter_size(s) : u;
            dw = winograd_filter_size(s) > dw ? winograd_filter_size(s) : dw;     /* dU, in dWrows */
        }
        if (winograd4_shape(s)) {       /* F(4x4)'s transformed images, and filters */
            need = winograd4_scratch(s);
            w.cap = need > w.cap ? need : w.cap;
            u = winograd4_filter_size(s) > u ? winograd4_filter_size(s) : u;
            dw = winograd4_filter_size(s) > dw ? winograd4_filter_size(s) : dw;   /* its dU, in dWrows */
        }
        if (gathers(s)) {               /* the gather tables, for the wider of the chunks */
            int g = chunk_images(s) > conv_thin_images(s) ? chunk_images(s) : conv_thin_images(s);
            need = gather_table_size(s, g);
            taps = need > taps ? need : taps;
        }
        dw = (size_t)s->FN * K > dw ? (size_t)s->FN * K : dw;
    }
    /* the first slices' buffers also hold a thin layer's chunk, one per thread */
    w.thin_slices = get_threads() < CONV_SLICES ? get_threads() : CONV_SLICES;
    for (int k = 0; k < CONV_SLICES; k++) {
        size_t n = k < w.thin_slices && thin > w.cap ? thin : w.cap;
        w.col[k] = buffer(n);
        w.out[k] = buffer(n);
        w.dcol[k] = buffer(n);
        w.dW[k] = buffer(dw);
        w.dWrows[k] = buffer(dw);
    }
    w.Wt = xmalloc(dw * sizeof(real));
    w.U = xmalloc(u * sizeof(real));
    w.taps = xmalloc((taps ? taps : 1) * sizeof(int));
    return w;
}

void conv_work_free(ConvWork *w)
{
    for (int k = 0; k < CONV_SLICES; k++)
        free(w->col[k]), free(w->out[k]), free(w->dcol[k]), free(w->dW[k]), free(w->dWrows[k]);
    free(w->Wt), free(w->U), free(w->taps);
    memset(w, 0, sizeof *w);
}

/* Band k of `parts` even bands of a batch of N images: [*n0, *n1). */
static void band(int k, int parts, int N, int *n0, int *n1)
{
    *n0 = (int)((long)N * k / parts);
    *n1 = (int)((long)N * (k + 1) / parts);
}

void conv_slice_range(int k, int N, int *n0, int *n1)
{
    band(k, CONV_SLICES, N, n0, n1);
}

/* Threads are worth waking only for a batch of some size. */
int conv_worth_threads(const ConvShape *s, int N)
{
    return (long)N * s->OH * s->OW * s->C * s->FH * s->FW > (1L << 15);
}

/* out (FN, g, P) -> y (g, FN, P): whole rows of P move, adding the bias (and
 * the ReLU while the output is still in cache). */
static void out_to_y(real *y, const real *out, const real *b, int FN, int g, int P, int relu)
{
    for (int i = 0; i < g; i++)
        for (int f = 0; f < FN; f++) {
            const real *src = out + ((size_t)f * g + i) * P;
            real *dst = y + ((size_t)i * FN + f) * P;
            const real bias = b ? b[f] : 0;
            for (int p = 0; p < P; p++)
                dst[p] = src[p] + bias;
            if (relu)
                for (int p = 0; p < P; p++)
                    dst[p] = dst[p] > 0 ? dst[p] : 0;
        }
}

/* g images (g, FN, P) -> (FN, g, P), the layout of the forward's product
 * (dy into dout); threaded as in padded_planes. */
static void images_to_rows(real *rows, const real *images, int FN, int g, int P, int threaded)
{
    (void)threaded;                 /* read by OpenMP only */
#pragma omp parallel for schedule(static) if (threaded)
    for (int i = 0; i < g; i++)
        for (int f = 0; f < FN; f++)
            memcpy(rows + ((size_t)f * g + i) * P, images + ((size_t)i * FN + f) * P, P * sizeof(real));
}

/* Chunks are multiplied by one of two: matmul_blocked on this thread (inside
 * the slices' parallel loop), or matmul with all threads on the one chunk (a
 * thin layer). Both give the same bits. */
static void multiply(int shared, int transA, int transB, int M, int N, int K,
                     const real *A, const real *B, real beta, real *C)
{
    if (shared)
        matmul(transA, transB, M, N, K, A, B, beta, C);
    else
        matmul_blocked(transA, transB, M, N, K, A, B, beta, C);
}

/* The forward pass of g images from image n, on this thread, through col and
 * out; or, with gather tables (see below), through the padded planes in col's
 * buffer. */
static void forward_chunk(real *y, const real *x, const real *W, const real *b, const ConvShape *s,
                          int n, int g, real *col, real *out, int relu, const int *taps)
{
    const int P = s->OH * s->OW, FN = s->FN, K = s->C * s->FH * s->FW;
    const real *xn = x + (size_t)n * s->C * s->H * s->W;
    if (taps) {
        /* out = W col, col's (tap k, column j) gathered from the planes */
        padded_planes(col, xn, g, s, 0);
        matmul_gathered(0, FN, g * P, K, W, K, col, taps, taps + K, 0, out, g * P);
    } else {
        im2col(col, xn, g, s->C, s->H, s->W, s->FH, s->FW, s->stride, s->pad);
        /* out = W col: (FN, K) times (K, g*P) */
        matmul_blocked(0, 0, FN, g * P, K, W, col, 0, out);
    }
    out_to_y(y + (size_t)n * FN * P, out, b, FN, g, P, relu);
}

/* The forward pass; relu: apply the ReLU while the output is still in cache;
 * gather: skip col where the shape allows (see gathers). */
static void forward(real *y, const real *x, const real *W, const real *b,
                    const ConvShape *s, int N, ConvWork *work, int relu, int gather)
{
    if (conv_thin(s, N)) {              /* a band of the batch per thread, wide chunks */
        const int G = conv_thin_images(s), T = thin_threads(work);
        const int *taps = gather_setup(s, G, work, gather);
#pragma omp parallel for schedule(static) num_threads(T) if (T > 1)
        for (int t = 0; t < T; t++) {
            int n0, n1;
            band(t, T, N, &n0, &n1);
            for (int n = n0; n < n1; n += G)
                forward_chunk(y, x, W, b, s, n, n1 - n < G ? n1 - n : G, work->col[t], work->out[t], relu, taps);
        }
        return;
    }
    const int G = chunk_images(s);
    const int *taps = gather_setup(s, G, work, gather);
#pragma omp parallel for schedule(static) if (conv_worth_threads(s, N))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        for (int n = n0; n < n1; n += G)
            forward_chunk(y, x, W, b, s, n, n1 - n < G ? n1 - n : G, work->col[k], work->out[k], relu, taps);
    }
}

void convolution_im2col_forward(real *y, const real *x, const real *W, const real *b,
                                const ConvShape *s, int N, ConvWork *work)
{
    forward(y, x, W, b, s, N, work, 0, 0);
}

static int use_winograd = 1;

int convolution_use_winograd(int on)
{
    int was = use_winograd;
    use_winograd = on;
    return was;
}

int convolution_winograd(const ConvShape *s)
{
    return use_winograd && winograd4_fits(s, 0);      /* it holds wherever any Winograd fits (winograd.h) */
}

/* What the layers call: the fast paths where they apply (winograd.h,
 * conv_implicit.h), the same products through im2col elsewhere. */
static void either_forward(real *y, const real *x, const real *W, const real *b,
                           const ConvShape *s, int N, ConvWork *work, int relu)
{
    if (convolution_winograd(s))
        winograd4_forward(y, x, W, b, s, N, work, relu);
    else if (conv_one_channel_pays(s))
        conv_one_channel_forward(y, x, W, b, s, N, work, relu);
    else if (conv_implicit_fits(s))
        conv_implicit_forward(y, x, W, b, s, N, work, relu);
    else
        forward(y, x, W, b, s, N, work, relu, 1);
}

void convolution_forward(real *y, const real *x, const real *W, const real *b,
                         const ConvShape *s, int N, ConvWork *work)
{
    either_forward(y, x, W, b, s, N, work, 0);
}

void convolution_relu_forward(real *y, const real *x, const real *W, const real *b,
                              const ConvShape *s, int N, ConvWork *work)
{
    either_forward(y, x, W, b, s, N, work, 1);
}

/* db += sum of dy over the batch and the positions (channels spread over the
 * threads: each sum is still added up in one fixed order). One running sum is
 * a chain of dependent additions, each waiting for the last; DB_LANES sums
 * side by side, position p of a plane going to sum p % DB_LANES, give the
 * processor independent chains, four vectors of them. They are added up in
 * order at the end. In double: a channel sums up to 78,400 numbers. */
void conv_bias_backward(real *db, const real *dy, int N, int C, int P)
{
    enum { DB_LANES = 32 };
    const int whole = P - P % DB_LANES;
#pragma omp parallel for schedule(static) if ((long)N * C * P > PARALLEL_MIN)
    for (int f = 0; f < C; f++) {
        double lane[DB_LANES] = {0};
        for (int n = 0; n < N; n++) {
            const real *src = dy + ((size_t)n * C + f) * P;
            for (int p = 0; p < whole; p += DB_LANES)
                for (int l = 0; l < DB_LANES; l++)
                    lane[l] += src[p + l];
            for (int p = whole; p < P; p++)
                lane[p - whole] += src[p];
        }
        double sum = 0;
        for (int l = 0; l < DB_LANES; l++)
            sum += lane[l];
        db[f] += (real)sum;
    }
}

/* The backward pass of g images from image n: dx (if asked), and
 * dWc = dW_beta dWc + dout col^T, through col (or the gather tables), dout and dcol. */
static void backward_chunk(real *dx, real *dWc, real dW_beta, const real *dy, const real *x, const real *W,
                           const ConvShape *s, int n, int g, real *col, real *dout, real *dcol, int shared,
                           const int *taps)
{
    const int P = s->OH * s->OW, FN = s->FN, K = s->C * s->FH * s->FW;
    const size_t in_size = (size_t)s->C * s->H * s->W;
    images_to_rows(dout, dy + (size_t)n * FN * P, FN, g, P, shared);
    if (dWc && taps) {
        /* dWc (+)= dout col^T, col^T's (column j, tap k) gathered from the planes */
        padded_planes(col, x + n * in_size, g, s, shared);
        matmul_gathered(shared, FN, K, g * P, dout, g * P, col, taps + K, taps, dW_beta, dWc, K);
    } else if (dWc) {
        /* col again, from x: cheaper to rebuild in cache than to keep in memory */
        im2col(col, x + n * in_size, g, s->C, s->H, s->W, s->FH, s->FW, s->stride, s->pad);
        /* dWc (+)= dout col^T: (FN, g*P) times (g*P, K) */
        multiply(shared, 0, 1, FN, K, g * P, dout, col, dW_beta, dWc);
    }
    if (dx) {
        /* dcol = W^T dout: (K, FN) times (FN, g*P); then back onto the pixels */
        multiply(shared, 1, 0, K, g * P, FN, W, dout, 0, dcol);
        col2im(dx + n * in_size, dcol, g, s->C, s->H, s->W, s->FH, s->FW, s->stride, s->pad);
    }
}

/* A thin layer's backward pass. dW first, one chunk at a time, all threads
 * on each multiply: dW (+)= chunk after chunk in the same order whatever the
 * threads. Then dx, a band of the batch per thread, as the forward pass (dy
 * is copied into each chunk's rows once more, which costs less than the
 * threads waiting on each other for the shared chunks' dx: measured on the
 * DCGAN, 108.6 against 112.8 ms an iteration, four alternated turns). */
static void thin_backward(real *dx, real *dW, const real *dy, const real *x, const real *W,
                          const ConvShape *s, int N, ConvWork *work, int gather)
{
    const int G = conv_thin_images(s), T = thin_threads(work);
    if (dW) {
        const int *taps = gather_setup(s, G, work, gather);
        for (int n = 0; n < N; n += G)
            backward_chunk(NULL, dW, 1, dy, x, W, s, n, N - n < G ? N - n : G,
                           work->col[0], work->out[0], work->dcol[0], 1, taps);
        if (!dx)
            return;
    }
#pragma omp parallel for schedule(static) num_threads(T) if (T > 1)
    for (int t = 0; t < T; t++) {
        int n0, n1;
        band(t, T, N, &n0, &n1);
        for (int n = n0; n < n1; n += G)
            backward_chunk(dx, NULL, 0, dy, x, W, s, n, n1 - n < G ? n1 - n : G,
                           work->col[t], work->out[t], work->dcol[t], 0, NULL);
    }
}

/* dx, and (if with_dW) each slice's dW in work->dW[k], through im2col (or
 * the gather tables). */
static void im2col_backward(real *dx, int with_dW, const real *dy, const real *x, const real *W,
                            const ConvShape *s, int N, ConvWork *work, int gather)
{
    const int G = chunk_images(s);
    const int *taps = with_dW ? gather_setup(s, G, work, gather) : NULL;
#pragma omp parallel for schedule(static) if (conv_worth_threads(s, N))
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        for (int n = n0; n < n1; n += G)
            backward_chunk(dx, with_dW ? work->dW[k] : NULL, n == n0 ? 0 : 1, dy, x, W, s, n, n1 - n < G ? n1 - n : G,
                           work->col[k], work->out[k], work->dcol[k], 0, taps);
    }
}

/* db, then dx and the slices' dW by either path, then dW += the slices'
 * shares, always in the same order (Winograd's dW is one sum over the batch
 * and adds itself). fast: the fast paths where they apply
 * (conv_implicit.h for stride 1, the gather tables for strided layers), else
 * always im2col. */
static void backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                     const real *W, const ConvShape *s, int N, ConvWork *work, int fast)
{
    const int implicit = fast && conv_implicit_fits(s);
    if (db)
        conv_bias_backward(db, dy, N, s->FN, s->OH * s->OW);
    if (fast && !dx && conv_one_channel_pays(s)) {      /* a first layer */
        if (dW) {
            conv_one_channel_dW(NULL, dy, NULL, x, s, N, work);
            conv_add_slices(dW, work, (size_t)s->FN * s->FH * s->FW, N);
        }
        return;
    }
    if (!implicit && conv_thin(s, N)) {
        thin_backward(dx, dW, dy, x, W, s, N, work, fast);
        return;
    }
    if (fast && convolution_winograd(s)) {
        /* dW by F(4x4); dx by F(4x4) where dy has the channels too, else by
         * F(2x2) where that fits, else by conv_implicit's path (winograd.h) */
        if (dx && winograd4_fits(s, 1))
            winograd4_dx(dx, dy, W, s, N, work);
        else if (dx && winograd_fits(s))
            winograd_backward(dx, NULL, dy, x, W, s, N, work);
        else if (dx)
            conv_implicit_backward(dx, 0, dy, x, W, s, N, work);
        if (dW)
            winograd4_dW(dW, dy, x, s, N, work);       /* the whole batch's, no slices */
        return;
    }
    if (implicit)
        conv_implicit_backward(dx, dW != NULL, dy, x, W, s, N, work);
    else
        im2col_backward(dx, dW != NULL, dy, x, W, s, N, work, fast);
    if (dW)
        conv_add_slices(dW, work, (size_t)s->FN * s->C * s->FH * s->FW, N);
}

void conv_add_slices(real *dW, const ConvWork *work, size_t nw, int N)
{
    for (int k = 0; k < CONV_SLICES; k++) {
        int n0, n1;
        conv_slice_range(k, N, &n0, &n1);
        if (n1 > n0)
            for (size_t i = 0; i < nw; i++)
                dW[i] += work->dW[k][i];
    }
}

void convolution_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                          const real *W, const ConvShape *s, int N, ConvWork *work)
{
    backward(dx, dW, db, dy, x, W, s, N, work, 1);
}

void convolution_relu_backward(real *dx, real *dW, real *db, real *dy, const real *y, const real *x,
                               const real *W, const ConvShape *s, int N, ConvWork *work)
{
    if (!dx && dW && conv_one_channel_pays(s)) {
        /* the ReLU's backward image by image as dW reads dy, then db from the result */
        conv_one_channel_dW(dy, dy, y, x, s, N, work);
        conv_add_slices(dW, work, (size_t)s->FN * s->FH * s->FW, N);
        if (db)
            conv_bias_backward(db, dy, N, s->FN, s->OH * s->OW);
        return;
    }
    relu_backward(dy, dy, y, conv_out_size(s, N));
    backward(dx, dW, db, dy, x, W, s, N, work, 1);
}

void convolution_im2col_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                                 const real *W, const ConvShape *s, int N, ConvWork *work)
{
    backward(dx, dW, db, dy, x, W, s, N, work, 0);
}

void convolution_direct_forward(real *y, const real *x, const real *W, const real *b,
                                const ConvShape *s, int N)
{
    for (int n = 0; n < N; n++)
        for (int f = 0; f < s->FN; f++)
            for (int oy = 0; oy < s->OH; oy++)
                for (int ox = 0; ox < s->OW; ox++) {
                    real sum = b[f];
                    for (int c = 0; c < s->C; c++)
                        for (int fy = 0; fy < s->FH; fy++)
                            for (int fx = 0; fx < s->FW; fx++) {
                                int iy = oy * s->stride + fy - s->pad;
                                int ix = ox * s->stride + fx - s->pad;
                                if (iy < 0 || iy >= s->H || ix < 0 || ix >= s->W)
                                    continue;       /* the zero padding */
                                sum += W[((size_t)(f * s->C + c) * s->FH + fy) * s->FW + fx] *
                                       x[((size_t)(n * s->C + c) * s->H + iy) * s->W + ix];
                            }
                    y[(((size_t)n * s->FN + f) * s->OH + oy) * s->OW + ox] = sum;
                }
}
