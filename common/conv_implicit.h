/* conv_implicit.h - the convolution's fast path: the same three products as
 * im2col's (convolution.h), with the col matrix never written out.
 *
 * A stride-1 convolution reads, for filter tap (c, fy, fx), the image shifted
 * by (fy, fx). Lay a few images of a channel one under the other, each row
 * followed by `pad` zeros and each image by `pad` zero rows, and that shifted
 * image is one contiguous run of numbers: the row of col for that tap is just
 * a pointer into the padded images. The multiply reads its B operand through
 * those pointers (matmul_rows_at, matmul_cols_at), so the nine-fold copy of
 * im2col, and col2im's scatter, disappear:
 *
 *   forward  y  = W  * (x  seen through the K = C*FH*FW tap offsets)
 *   dW        += dy * (x  seen through the same offsets)^T
 *   dx        = W' * (dy seen through its own offsets)
 *
 * where W' holds the filters turned by 180 degrees with C and FN swapped: dx
 * is the "full" convolution of dy, again stride 1. The outputs come out on the
 * padded grid (a few columns and rows of it are not pixels) and are copied
 * back to (N, C, H, W), with the bias and the ReLU on the way.
 *
 * dW's B operand has its taps as columns, and a column is a run of one
 * channel's grid: the multiply would read it across. With 16 channels or
 * more, dW takes the grid transposed instead, position by position with the
 * channels side by side (xT). Then the FW*C numbers from position q + fy*S on
 * are taps (fy, 0 .. FW-1) of every channel at q, in one run, and
 *
 *   dW for filter row fy (FN, FW*C) += dy * (xT seen fy rows down)
 *
 * is a product whose B rows lie C numbers apart (matmul_rows_at again, with
 * the offsets 0, C, 2C, ...): FH products, each at the speed of the forward's.
 * With fewer channels, dW takes dot products of dy's rows with the columns.
 *
 * Only for stride 1 and padding smaller than the filter; everything else
 * takes the im2col path. */
#ifndef DL_CONV_IMPLICIT_H
#define DL_CONV_IMPLICIT_H

#include "convolution.h"

/* Stride 1, padding under the filter size: the shapes this path handles. */
int conv_implicit_fits(const ConvShape *s);

/* Reals each slice buffer of ConvWork needs for this shape; the number of
 * tap offsets of one operand (max of C*FH*FW and FN*FH*FW); and of the ints
 * in ConvWork's offset table: x's and dy's taps, then, when dW goes by
 * filter rows, one per grid position of a chunk. */
size_t conv_implicit_scratch(const ConvShape *s);
int conv_implicit_taps(const ConvShape *s);
size_t conv_implicit_offsets(const ConvShape *s);

/* convolution_forward / convolution_relu_forward for shapes that fit. */
void conv_implicit_forward(real *y, const real *x, const real *W, const real *b,
                           const ConvShape *s, int N, ConvWork *work, int relu);

/* Whether dW goes filter row by filter row for this shape (see above). */
int conv_implicit_dW_by_rows(const ConvShape *s);
/* The dx and (if with_dW) per-slice dW (work->dW[k]) parts of convolution_backward. */
void conv_implicit_backward(real *dx, int with_dW, const real *dy, const real *x, const real *W,
                            const ConvShape *s, int N, ConvWork *work);

#endif
