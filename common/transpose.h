/* transpose.h - a matrix turned over: rows become columns.
 *
 * Winograd's convolution (winograd.c) works on images laid out position by
 * position with a pixel's channels side by side, while the layers keep them
 * channel by channel (NCHW). Every pass turns its images over on the way in
 * and back on the way out: one number moved per number, but a transpose
 * written as two plain loops reads or writes a number at a time, far apart,
 * and took a quarter of those passes. This one moves 8 x 8 blocks through
 * vector registers: 8 rows loaded whole, three rounds of interleaving, 8
 * columns stored whole. */
#ifndef DL_TRANSPOSE_H
#define DL_TRANSPOSE_H

#include <stddef.h>

#include "tensor.h"

/* dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols. */
void transpose(real *restrict dst, size_t ldd, const real *restrict src, size_t lds, int rows, int cols);

/* Images in the layout "position by position, a pixel's channels side by
 * side", as Winograd's passes and conv_implicit's dW read them (transpose.c).
 * to_positions: one image (channels x H x W) into a plane whose rows hold S
 * positions, the pixel (y, x) at position (y + at, x + at); only the pixels
 * are written, so the rest (the padding) stays as it was. from_positions: the
 * H x W first positions of such a plane back into one image. */
void to_positions(real *dst, const real *src, int channels, int H, int W, int at, int S);
void from_positions(real *dst, const real *src, int channels, int H, int W, int S);

#endif
