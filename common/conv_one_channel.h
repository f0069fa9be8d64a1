/* conv_one_channel.h - the convolution of a layer with one input channel (a
 * grayscale image: DeepConvNet's first layer, SimpleConvNet's only one),
 * computed directly, without a matrix multiply.
 *
 * With one channel, im2col's K = FH*FW is only 9 or 25: each output is a
 * short sum, and the multiply's packing, tiles and copies around it cost more
 * than its arithmetic. Here the image is copied once into a padded plane, and
 * each output row is computed in registers, a tile of FB filters by CB
 * pixels (8 x 32 with AVX-512, 4 x 24 with AVX2): tap t = (fy, fx) adds
 * W[f][t] times the plane's row shifted by (fy, fx), the taps in the book's
 * order. The tile is written once, with its bias and ReLU.
 *
 * dW is the same sums turned around: dW[f][t] is the sum, over the images
 * and positions, of dy[f] times the plane shifted by t. A tile of DB filters
 * by DT taps by CB lanes (4 x 3 x 32 with AVX-512, 3 x 1 x 24 with AVX2)
 * keeps those sums, each lane adding one column of every row, through all
 * the images of a slice (the slices of convolution.h, so the same bits on
 * any number of threads); the lanes are added up in order at the end. For
 * that, dy is copied into rows of whole tiles, zero past the last column.
 *
 * convolution.c takes this path for one-channel, stride-1 layers whose rows
 * fill the tiles well (conv_one_channel_pays);
 * convolution_relu_backward applies the ReLU's backward, in one pass over an
 * image's dy, just before it copies it. */
#ifndef DL_CONV_ONE_CHANNEL_H
#define DL_CONV_ONE_CHANNEL_H

#include "convolution.h"

/* One input channel, stride 1, padding under the filter size: the shapes
 * this path computes. */
int conv_one_channel_fits(const ConvShape *s);
/* Those it is faster for, and which convolution.c sends it: where the
 * register tiles across an output row are at least 3/4 outputs (on this
 * build's vector width). */
int conv_one_channel_pays(const ConvShape *s);

/* Reals each slice buffer of ConvWork (col) needs for this shape. */
size_t conv_one_channel_scratch(const ConvShape *s);

/* y = conv(x, W) + b (b may be NULL), relu(...) if relu. */
void conv_one_channel_forward(real *y, const real *x, const real *W, const real *b,
                              const ConvShape *s, int N, ConvWork *work, int relu);

/* The slices' shares of dW (work->dW[k], for conv_add_slices) from dy, or,
 * if y is not NULL, from the ReLU's backward: dy where y > 0, which is also
 * written to relu_dy (it may be dy itself; unused without y). No dx: a first
 * layer needs none. */
void conv_one_channel_dW(real *relu_dy, const real *dy, const real *y, const real *x, const ConvShape *s,
                         int N, ConvWork *work);

#endif
