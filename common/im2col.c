#include "im2col.h"

#include <string.h>

int conv_output_size(int in, int filter, int stride, int pad)
{
    return (in + 2 * pad - filter) / stride + 1;
}

/* Images are independent, so both loops run over the batch on OpenMP threads:
 * each thread writes its own rows of col (im2col) or its own images (col2im),
 * and the sums in col2im happen in one fixed order whatever the thread count.
 * Small jobs stay on one thread: waking the others would cost more. */
#define PARALLEL_MIN (1 << 15)

void im2col(real *col, const real *x, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad)
{
    const int OH = conv_output_size(H, FH, stride, pad), OW = conv_output_size(W, FW, stride, pad);
    const int K = C * FH * FW;
#pragma omp parallel for schedule(static) if ((long)N * OH * OW * K > PARALLEL_MIN)
    for (int n = 0; n < N; n++) {
        const real *img = x + (size_t)n * C * H * W;
        for (int oy = 0; oy < OH; oy++) {
            for (int ox = 0; ox < OW; ox++) {
                real *row = col + ((size_t)(n * OH + oy) * OW + ox) * K;
                const int y0 = oy * stride - pad, x0 = ox * stride - pad;
                for (int c = 0; c < C; c++) {
                    const real *plane = img + (size_t)c * H * W;
                    for (int fy = 0; fy < FH; fy++) {
                        const int y = y0 + fy;
                        real *dst = row + (c * FH + fy) * FW;
                        if (y < 0 || y >= H) {                  /* a row of padding */
                            memset(dst, 0, FW * sizeof(real));
                            continue;
                        }
                        const real *src = plane + (size_t)y * W;
                        for (int fx = 0; fx < FW; fx++) {
                            const int xx = x0 + fx;
                            dst[fx] = xx >= 0 && xx < W ? src[xx] : 0;
                        }
                    }
                }
            }
        }
    }
}

void col2im(real *x, const real *col, int N, int C, int H, int W,
            int FH, int FW, int stride, int pad)
{
    const int OH = conv_output_size(H, FH, stride, pad), OW = conv_output_size(W, FW, stride, pad);
    const int K = C * FH * FW;
#pragma omp parallel for schedule(static) if ((long)N * OH * OW * K > PARALLEL_MIN)
    for (int n = 0; n < N; n++) {
        real *img = x + (size_t)n * C * H * W;
        memset(img, 0, (size_t)C * H * W * sizeof(real));
        for (int oy = 0; oy < OH; oy++) {
            for (int ox = 0; ox < OW; ox++) {
                const real *row = col + ((size_t)(n * OH + oy) * OW + ox) * K;
                const int y0 = oy * stride - pad, x0 = ox * stride - pad;
                for (int c = 0; c < C; c++) {
                    real *plane = img + (size_t)c * H * W;
                    for (int fy = 0; fy < FH; fy++) {
                        const int y = y0 + fy;
                        if (y < 0 || y >= H)
                            continue;
                        const real *src = row + (c * FH + fy) * FW;
                        real *dst = plane + (size_t)y * W;
                        for (int fx = 0; fx < FW; fx++) {
                            const int xx = x0 + fx;
                            if (xx >= 0 && xx < W)
                                dst[xx] += src[fx];     /* overlapping patches add up */
                        }
                    }
                }
            }
        }
    }
}
