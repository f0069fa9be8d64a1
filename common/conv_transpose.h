/* conv_transpose.h - transposed convolution (PyTorch's ConvTranspose2d), the
 * layer a generator grows images with: 7x7 to 14x14 to 28x28.
 *
 * A convolution maps a large image to a small one, y = conv(x) = W col(x).
 * Its transpose maps back the other way, small to large, and is exactly
 * convolution's backward pass for dx:
 *
 *   forward   y = col2im(W^T x) + b       (convolution_backward's dx)
 *   backward  dx = conv(dy, W)            (convolution_forward, no bias)
 *             dW += x col(dy)^T           (convolution_backward's dW, with the
 *                                           roles of x and dy swapped)
 *             db += sum of dy over n, h, w
 *
 * so nothing new is computed: the same im2col, col2im and multiplies. It is not
 * the inverse of a convolution, only its adjoint: <conv(a), b> = <a, convT(b)>
 * for all a, b (without biases), which the tests check.
 *
 * The shape is the ConvShape of the convolution it transposes, from the big
 * image to the small one:
 *   x  (N, FN, OH, OW)     the small input (FN channels)
 *   W  (FN, C, FH, FW)     PyTorch's layout for ConvTranspose2d: (in, out, kH, kW)
 *   b  (C)
 *   y  (N, C, H, W)        H = (OH - 1) stride - 2 pad + FH, W likewise
 * Scratch is a ConvWork made for that shape (conv_work_create). */
#ifndef DL_CONV_TRANSPOSE_H
#define DL_CONV_TRANSPOSE_H

#include "convolution.h"

/* The shape of a transposed convolution from in_C x in_H x in_W to out_C
 * channels: out_H = (in_H - 1) stride - 2 pad + FH. Dies with a clear message
 * if that is not a whole image. */
ConvShape conv_transpose_shape(int in_C, int in_H, int in_W, int out_C, int FH, int FW, int stride, int pad);

/* y = convT(x, W) + b, for N images. */
void conv_transpose_forward(real *y, const real *x, const real *W, const real *b,
                            const ConvShape *s, int N, ConvWork *work);

/* dx = conv(dy, W) (skipped if dx is NULL); dW += x col(dy)^T; db += sum of dy. */
void conv_transpose_backward(real *dx, real *dW, real *db, const real *dy, const real *x,
                             const real *W, const ConvShape *s, int N, ConvWork *work);

#endif
