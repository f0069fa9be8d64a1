/* convolution.h - the book's Convolution layer, through im2col and matrix multiplies.
 *
 *   x  (N, C, H, W)            input batch
 *   W  (FN, C, FH, FW)         FN filters (the book's shape; row f is filter f)
 *   b  (FN)                    one bias per filter
 *   y  (N, FN, OH, OW)         OH = (H + 2*pad - FH) / stride + 1, OW likewise
 *
 * Forward: col = im2col(x), (K, M) with K = C*FH*FW and M = images*OH*OW
 * (the transpose of the book's col, see im2col.h), then one multiply,
 * out = W col, (FN, M), plus b, reordered to NCHW. Backward, with dout = dy
 * as (FN, M): dW = dout col^T, dcol = W^T dout, dx = col2im(dcol); the
 * transposes are the multiply's flags, never a copy.
 *
 * How it is made fast. The book runs im2col on the whole batch at once; on a
 * batch of 100 MNIST images that col matrix is up to 45 MB (DeepConvNet's
 * second layer: 78,400 x 144), far larger than the caches, so the layer would
 * spend its time streaming col to and from memory rather than multiplying.
 * Here the batch is cut into chunks of a few images whose col fits in the
 * 1 MB level-2 cache: im2col, the multiplies and col2im of one chunk run back
 * to back while col is still in cache, and backward rebuilds col from x (nine
 * times smaller for 3x3 filters) instead of keeping it. The arithmetic is the
 * book's; only the order of the loops changes.
 *
 * Threads take whole "slices" of the batch (a fixed number, CONV_SLICES), and
 * each slice adds its dW into its own buffer; the slices' sums are then added
 * in order. The cut does not depend on the number of threads, so neither do
 * the results. (Winograd's dW, winograd.c, cuts the batch in two slices of
 * its own, by the same rule.) Layers with small outputs (7x7) would make thin slices, a few
 * hundred columns each: they go through the batch in wide chunks instead.
 * For dW the threads share each chunk's multiply, one chunk after another;
 * for the forward pass and dx each thread takes a band of the batch in its
 * own slice's buffers (neither depends on how the batch is cut).
 *
 * convolution_forward and convolution_backward, what the layers call, take a
 * faster path for stride 1 that never writes col (conv_implicit.h), and for
 * 3x3 filters on small images with many channels one that does fewer
 * multiplications (winograd.h: DeepConvNet's layers 2 to 6). Strided
 * layers keep the algorithm above, except that col is not written either:
 * the multiply packs its numbers straight from padded copies of the image
 * planes (matmul_gathered in matmul.h; the same bits). The _im2col_ versions
 * below always run the algorithm above as written.
 *
 * convolution_direct_forward is the definition written as plain loops: the
 * specification the fast versions are tested and timed against. */
#ifndef DL_CONVOLUTION_H
#define DL_CONVOLUTION_H

#include <stddef.h>

#include "tensor.h"

typedef struct {
    int C, H, W;            /* input channels and size */
    int FN, FH, FW;         /* filters: count and size */
    int stride, pad;
    int OH, OW;             /* output size */
} ConvShape;

/* The shape of a convolution; dies with a clear message if it has no output. */
ConvShape conv_shape(int C, int H, int W, int FN, int FH, int FW, int stride, int pad);
size_t conv_out_size(const ConvShape *s, int N);    /* y, dy: N*FN*OH*OW */
size_t conv_col_size(const ConvShape *s, int N);    /* the whole batch's col: C*FH*FW * N*OH*OW */

#define CONV_SLICES 8

/* Scratch for the chunks of every slice, allocated once for a set of layers
 * (a network's), then shared by them. */
typedef struct {
    size_t cap;                     /* reals per slice buffer (slice 0's may be larger) */
    real *col[CONV_SLICES];         /* a chunk's col (K, columns) */
    real *out[CONV_SLICES];         /* a chunk's out or dout (FN, columns) */
    real *dcol[CONV_SLICES];        /* a chunk's dcol (K, columns) */
    real *dW[CONV_SLICES];          /* each slice's share of dW (FN, K) */
    real *dWrows[CONV_SLICES];      /* the same by filter rows (FH, FN, FW, C): conv_implicit's;
                                       winograd.c's dU (16, FN, C) */
    real *Wt;                       /* the turned filters of conv_implicit's dx */
    real *U;                        /* the transformed filters of winograd.c */
    int *taps;                      /* conv_implicit's tap offsets */
    int thin_slices;                /* slices whose buffers also hold a thin layer's chunk */
} ConvWork;

/* Scratch big enough for every layer in shapes[0..count). */
ConvWork conv_work_create(const ConvShape *shapes, int count);
void conv_work_free(ConvWork *w);

/* y = conv(x, W) + b, for N images (b NULL: no bias, as transposed convolution's
 * backward needs). */
void convolution_forward(real *y, const real *x, const real *W, const real *b,
                         const ConvShape *s, int N, ConvWork *work);

/* y = relu(conv(x, W) + b): the same numbers as convolution_forward then
 * relu_forward, without a second pass over y in memory. */
void convolution_relu_forward(real *y, const real *x, const real *W, const real *b,
                              const ConvShape *s, int N, ConvWork *work);

/* From dy (N, FN, OH, OW) and the forward's input x:
 *   db += sum of dy over n, oy, ox        (skipped if db is NULL)
 *   dW += dout col^T          dout = dy as (FN, N*OH*OW), col = im2col(x)
 *                             (skipped if dW is NULL: a GAN's generator step needs
 *                             only D's dx, and then col is not built either)
 *   dx  = col2im(W^T dout)    (skipped if dx is NULL: the first layer needs no dx) */
void convolution_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                          const real *W, const ConvShape *s, int N, ConvWork *work);

/* The backward pass of y = relu(conv(x, W) + b) from the gradient at y: dy
 * becomes the ReLU's backward in place (dy where y > 0), then as
 * convolution_backward. A first layer (one channel, conv_one_channel.h) does
 * both image by image, while an image's dy is in the cache. */
void convolution_relu_backward(real *dx, real *dW, real *db, real *dy, const real *y, const real *x,
                               const real *W, const ConvShape *s, int N, ConvWork *work);

/* db (C) += the sum of dy (N, C, P) over n and the P positions of each
 * channel: a convolution's db (C = FN), and a transposed convolution's. */
void conv_bias_backward(real *db, const real *dy, int N, int C, int P);

/* Whether convolution_forward and _backward take Winograd's path (winograd.h)
 * for this shape: it fits, and it is switched on (the default). Off, those
 * shapes take conv_implicit's path, as before it existed: 04_cnn compares the
 * two, and the tests check one against the other. convolution_use_winograd
 * returns the setting it replaces, for a caller to put back. */
int convolution_use_winograd(int on);
int convolution_winograd(const ConvShape *s);

/* The im2col path alone, whatever the shape: the lesson, and what the fast
 * path (conv_implicit.h, taken for stride 1) is tested and timed against. */
void convolution_im2col_forward(real *y, const real *x, const real *W, const real *b,
                                const ConvShape *s, int N, ConvWork *work);
void convolution_im2col_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                                 const real *W, const ConvShape *s, int N, ConvWork *work);

/* For conv_implicit.c (and the tests): slice k's images [*n0, *n1), whether
 * a batch is worth waking threads for, and whether its slices would be too
 * thin to multiply well (then the batch goes in wide chunks of
 * conv_thin_images instead, see convolution.c). */
void conv_slice_range(int k, int N, int *n0, int *n1);
/* dW (nw numbers) += the shares of dW the slices of a batch of N left in
 * work->dW[k], in slice order (so the same bits on any number of threads). */
void conv_add_slices(real *dW, const ConvWork *work, size_t nw, int N);
int conv_worth_threads(const ConvShape *s, int N);
int conv_thin(const ConvShape *s, int N);
int conv_thin_images(const ConvShape *s);

/* The definition: y[n,f,oy,ox] = b[f] + sum over c, fy, fx of
 *   W[f,c,fy,fx] * x[n, c, oy*stride + fy - pad, ox*stride + fx - pad]   (0 outside x) */
void convolution_direct_forward(real *y, const real *x, const real *W, const real *b,
                                const ConvShape *s, int N);

#endif
