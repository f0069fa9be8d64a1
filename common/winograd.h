/* winograd.h - 3x3 convolutions with fewer multiplications: Winograd's
 * minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2015).
 *
 * A 2x2 block of outputs of a 3x3 filter reads a 4x4 patch d of the image.
 * Written directly it costs 2*2*9 = 36 multiplications. Winograd's identity
 * gets the same four numbers from 16:
 *
 *   Y (2x2) = A^T [ (G g G^T) .* (B^T d B) ] A          .* : element by element
 *
 * where g is the 3x3 filter and A, B, G are small matrices of 0, 1, -1 and 1/2
 * (winograd.c). G g G^T (4x4) is computed once per filter, B^T d B (4x4) once
 * per patch and channel, with additions only. What is left is 16 products per
 * output block and pair of channels; summed over the input channels, each of
 * the 16 positions of the 4x4 is a matrix multiply:
 *
 *   M[xi] (FN x tiles) = U[xi] (FN x C) * V[xi] (C x tiles),   xi = 0..15
 *
 * (winograd.c computes each turned over, M[xi]^T = V[xi]^T U[xi]^T, tiles x
 * FN, since it keeps a pixel's channels side by side: the same sums.)
 *
 * 16 * FN * C multiply-adds per 2x2 block instead of 36 * FN * C: 2.25 times
 * fewer. The price is additions in the transforms, a little more memory, and
 * rounding: the transforms add and subtract neighbouring pixels, so the result
 * is the convolution's to within a few float roundings, not bit for bit the
 * same (tests/test_conv.c bounds the difference).
 *
 * Only for 3x3 filters, stride 1, padding 0 to 2. dx of such a layer is again
 * such a convolution (dy with the filters turned by 180 degrees, C and FN
 * swapped, padding 2 - pad), and dW's product sums over the tiles instead of
 * the channels:
 *
 *   dU[xi] (FN x C) += dM[xi] (FN x tiles) * V[xi]^T,   dM = A dY A^T per block
 *   dW = G^T dU G
 *
 * F(4x4, 3x3) does the same with 6x6 patches: 36 products per 4x4 block of
 * outputs, 144 directly, so 4 times fewer. Its matrices hold larger numbers
 * (up to 8), so it rounds a little more (tests/test_conv.c bounds both).
 *
 * Where they pay. The multiplies have C (or FN) as their inner dimension, 16
 * to 64 here, against C*9 for conv_implicit's: shorter, so each runs further
 * from the machine's peak, and the transforms cost passes over memory. F(2x2)
 * alone paid only on DeepConvNet's 8x8 layers (one thread, batch 100, forward
 * / backward against conv_implicit's path: 64 -> 64 channels, 1.45x / 1.52x;
 * 32 -> 64, 1.20x / 1.30x; 32 -> 32 on 14x14, 0.94x / 1.04x; 16 -> 16 on
 * 28x28, 0.68x / 0.66x). F(4x4) saves more, and with its chunks cut to whole
 * register tiles of the multiply it also paid on the 14x14 layers (one
 * threads, y / dx against conv_implicit's path, medians of 15: 32 -> 32 with
 * padding 2, 3.19 / 3.40 ms to 2.52 / 2.39; 64 -> 64 on 8x8, 4.13 / 4.29 to
 * 2.30 / 2.20, where F(2x2) took 3.18 / 2.79), but only where the pass reads
 * 32 channels or more: 16 -> 32 on 14x14 lost its y (1.70 against 1.72 to
 * 1.91 ms) and won its dx (32 channels in: 1.67 against 1.53 to 1.62). dW
 * by F(4x4), its transforms along the channels of x and dy, paid where x has
 * 32 channels (2 threads, medians of 15: 32 -> 32 on 14x14, 3.37 ms by
 * conv_implicit's path to 2.75; on 8x8, 32 -> 64 1.70 by F(2x2) to 1.33,
 * 64 -> 64 2.93 to 2.66) and lost on 16 (16 -> 32: 1.60 to 2.52). So y and
 * dW take F(4x4) where x has at least 32 channels, dx where dy has too, on
 * images of at most 16 a side (DeepConvNet's layers 4 to 6, all three
 * passes); F(2x2) a dx whose dy has fewer channels on images of at most 10 a
 * side with 32 input channels; conv_implicit's path the rest. Since the
 * multiplies read the transforms where they lie, all three passes take
 * F(4x4) from 16 channels and up to 28 a side (DeepConvNet's layers 2 to 6;
 * see winograd4_fits below).
 * F(2x2) stays as the simpler lesson, and for 04_cnn's comparisons. */
#ifndef DL_WINOGRAD_H
#define DL_WINOGRAD_H

#include "convolution.h"

/* F(2x2): 3x3, stride 1, padding 0 to 2, at least WINOGRAD_MIN_CHANNELS
 * input channels, images of at most WINOGRAD_MAX_SIDE pixels a side (see
 * above). The layers take it where it fits and F(4x4) does not. */
#define WINOGRAD_MIN_CHANNELS 32
#define WINOGRAD_MAX_SIDE 10
int winograd_fits(const ConvShape *s);

/* Reals each slice buffer of ConvWork needs for this shape, and of its U. */
size_t winograd_scratch(const ConvShape *s);
size_t winograd_filter_size(const ConvShape *s);

/* y = conv(x, W) + b (relu: then max(0, .)); b may be NULL. */
void winograd_forward(real *y, const real *x, const real *W, const real *b,
                      const ConvShape *s, int N, ConvWork *work, int relu);

/* The backward pass: dx (if not NULL) = the full convolution of dy with the
 * turned filters; dW (if not NULL) += the layer's dW, one sum over the
 * batch whatever the threads (winograd.c). */
void winograd_backward(real *dx, real *dW, const real *dy, const real *x, const real *W,
                       const ConvShape *s, int N, ConvWork *work);

/* F(4x4, 3x3): 36 multiplications for a 4x4 block's 144 (winograd.c), for
 * y, dx and dW (winograd4_dx and winograd4_dW do winograd_backward's two
 * halves). It runs any 3x3 layer with stride 1, padding 0 to 2, on images of
 * at most WINOGRAD4_MAX_SIDE a side (winograd4_shape; the scratch makes room
 * for it then), and the layers take it where the pass reads at least
 * WINOGRAD4_MIN_CHANNELS channels (winograd4_fits(s, 0): x's C, for y and
 * dW; winograd4_fits(s, 1), for dx, dy's FN as well). Until 2026-12-04 that
 * was 32 channels and 16 a side: DeepConvNet's layers 4 to 6. On 16 channels
 * each transform along them, and each multiply, was too short: y, dx and dW
 * of conv2 and conv3 lost (conv3's dW 1.60 ms by conv_implicit's path, 2.52
 * by F(4x4)). Then dW took two slices of the batch (winograd.c), and the
 * multiplies began to read the transforms where they lie, with a register
 * tile of twice the rows for 16 columns (matmul_strided); one pass at a time,
 * measured inside DeepConvNet's step (make step-ab, 150 steps, the AVX-512
 * build, AVX2 after the semicolons), F(4x4) won everywhere from 16 channels:
 * conv3's y 1.29x (1.06x), conv2's y 1.06x-1.09x (1.21x), the dx of both
 * beside a dW on conv_implicit's path 1.055x and 1.113x (1.081x, 1.058x),
 * then their dW as well, their backward passes 1.199x and 1.297x (1.204x,
 * 1.232x) and the step 1.069x (1.056x). */
#define WINOGRAD4_MIN_CHANNELS 16
#define WINOGRAD4_MAX_SIDE 28
int winograd4_shape(const ConvShape *s);
int winograd4_fits(const ConvShape *s, int dx);
/* Wherever F(2x2) fits, F(4x4) fits for y and dW: the layers take F(2x2) for
 * nothing but a dx (convolution.c counts on it) */
_Static_assert(WINOGRAD_MAX_SIDE <= WINOGRAD4_MAX_SIDE && WINOGRAD_MIN_CHANNELS >= WINOGRAD4_MIN_CHANNELS,
               "winograd_fits must imply winograd4_fits(s, 0)");
size_t winograd4_scratch(const ConvShape *s);
size_t winograd4_filter_size(const ConvShape *s);
void winograd4_forward(real *y, const real *x, const real *W, const real *b,
                       const ConvShape *s, int N, ConvWork *work, int relu);
void winograd4_dx(real *dx, const real *dy, const real *W, const ConvShape *s, int N, ConvWork *work);
/* dW += the layer's dW by F(4x4), as winograd_backward's */
void winograd4_dW(real *dW, const real *dy, const real *x, const ConvShape *s, int N, ConvWork *work);

#endif
