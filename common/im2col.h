/* im2col.h - unrolling image patches into a matrix, and back (the book's util.py).
 *
 * A convolution slides an FH x FW filter over a padded image. im2col copies
 * every patch the filter sees into one column of a matrix, so that the whole
 * convolution becomes a single matrix multiply:
 *
 *   x    (N, C, H, W)                      images, NCHW
 *   col  (C*FH*FW, N*OH*OW)                column (n, oy, ox) holds the patch under
 *                                          output pixel (oy, ox) of image n; its
 *                                          rows are ordered (c, fy, fx) like a filter
 *   OH = (H + 2*pad - FH) / stride + 1,  OW likewise
 *
 * This is the transpose of the book's col (N*OH*OW, C*FH*FW). The same numbers,
 * but stored so that each row is filled by copying whole rows of the image
 * (OW numbers at a time for stride 1), which is several times faster than
 * scattering patches of FW numbers; the multiply takes either orientation.
 *
 * Pixels of the padding are zeros. col2im is the adjoint: it adds every entry
 * of a col matrix back onto the pixel it was copied from (a pixel under
 * several patches receives the sum), which is exactly the backward pass. */
#ifndef DL_IM2COL_H
#define DL_IM2COL_H

#include "tensor.h"

/* Output size along one side: (in + 2*pad - filter) / stride + 1. */
int conv_output_size(int in, int filter, int stride, int pad);

/* col (C*FH*FW, N*OH*OW) = the patches of x (N, C, H, W). */
void im2col(real *col, const real *x, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad);

/* x (N, C, H, W) = the sum of col's entries onto the pixels they came from
 * (x is overwritten; entries that fall on the padding are dropped). */
void col2im(real *x, const real *col, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad);

#endif
