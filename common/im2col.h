/* im2col.h - unrolling image patches into rows, and back (the book's util.py).
 *
 * A convolution slides an FH x FW filter over a padded image. im2col copies
 * every patch the filter sees into one row of a matrix, so that the whole
 * convolution of a batch becomes a single matrix multiply:
 *
 *   x    (N, C, H, W)                      the batch, NCHW
 *   col  (N*OH*OW, C*FH*FW)                row (n, oy, ox) holds the patch under
 *                                          output pixel (oy, ox) of image n,
 *                                          ordered (c, fy, fx) like a filter
 *   OH = (H + 2*pad - FH) / stride + 1,  OW likewise
 *
 * Pixels of the padding are zeros. col2im is the adjoint: it adds every entry
 * of a col matrix back onto the pixel it was copied from (a pixel under
 * several patches receives the sum), which is exactly the backward pass. */
#ifndef DL_IM2COL_H
#define DL_IM2COL_H

#include "tensor.h"

/* Output size along one side: (in + 2*pad - filter) / stride + 1. */
int conv_output_size(int in, int filter, int stride, int pad);

/* col (N*OH*OW, C*FH*FW) = the patches of x (N, C, H, W). */
void im2col(real *col, const real *x, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad);

/* x (N, C, H, W) = the sum of col's entries onto the pixels they came from
 * (x is overwritten, entries that fall on the padding are dropped). */
void col2im(real *x, const real *col, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad);

#endif
