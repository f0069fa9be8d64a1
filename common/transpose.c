#include "transpose.h"

#include <string.h>

enum { BLOCK = 8 };         /* block8 turns over BLOCK x BLOCK numbers */

#if defined(__GNUC__) && !defined(__clang__)

/* Eight numbers in one vector, and the same number of integers that say, for
 * __builtin_shuffle, which of two vectors' 16 numbers goes where: index k < 8
 * is the first vector's number k, 8 + k the second's. */
typedef real Eight __attribute__((vector_size(8 * sizeof(real))));
#ifdef DL_DOUBLE
typedef long long Picks __attribute__((vector_size(8 * sizeof(long long))));
#else
typedef int Picks __attribute__((vector_size(8 * sizeof(int))));
#endif

/* One 8 x 8 block. Name the rows' numbers r0 = (a0 .. a7), r1 = (b0 .. b7),
 * and so on. Round 1 interleaves pairs of rows: (a0 b0 a1 b1 | a4 b4 a5 b5)
 * and (a2 b2 a3 b3 | a6 b6 a7 b7). Round 2 interleaves those in pairs of
 * numbers: (a0 b0 c0 d0 | a4 b4 c4 d4), ... Round 3 joins halves: (a0 b0 c0
 * d0 e0 f0 g0 h0), column 0, ... */
static void block8(real *restrict d, size_t ldd, const real *restrict s, size_t lds)
{
    Eight r[8], u[8], w[8];
    for (int i = 0; i < 8; i++)
        memcpy(&r[i], s + i * lds, sizeof r[i]);   /* any alignment; one load each */
    const Picks lo1 = {0, 8, 1, 9, 4, 12, 5, 13}, hi1 = {2, 10, 3, 11, 6, 14, 7, 15};
    for (int i = 0; i < 8; i += 2) {
        u[i] = __builtin_shuffle(r[i], r[i + 1], lo1);
        u[i + 1] = __builtin_shuffle(r[i], r[i + 1], hi1);
    }
    const Picks lo2 = {0, 1, 8, 9, 4, 5, 12, 13}, hi2 = {2, 3, 10, 11, 6, 7, 14, 15};
    for (int i = 0; i < 8; i += 4)
        for (int k = 0; k < 2; k++) {
            w[i + 2 * k] = __builtin_shuffle(u[i + k], u[i + k + 2], lo2);
            w[i + 2 * k + 1] = __builtin_shuffle(u[i + k], u[i + k + 2], hi2);
        }
    const Picks lo3 = {0, 1, 2, 3, 8, 9, 10, 11}, hi3 = {4, 5, 6, 7, 12, 13, 14, 15};
    for (int k = 0; k < 4; k++) {
        const Eight top = __builtin_shuffle(w[k], w[k + 4], lo3), bottom = __builtin_shuffle(w[k], w[k + 4], hi3);
        memcpy(d + k * ldd, &top, sizeof top);
        memcpy(d + (k + 4) * ldd, &bottom, sizeof bottom);
    }
}

#else

/* Other compilers: the same blocks, a number at a time. */
static void block8(real *restrict d, size_t ldd, const real *restrict s, size_t lds)
{
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++)
            d[j * ldd + i] = s[i * lds + j];
}

#endif

/* The blocks that overhang the last row or column move back to end there,
 * overlapping their neighbours: those numbers are written twice, the same
 * both times. Only a matrix narrower than a block goes a number at a time. */
void transpose(real *restrict dst, size_t ldd, const real *restrict src, size_t lds, int rows, int cols)
{
    if (rows < BLOCK || cols < BLOCK) {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                dst[j * ldd + i] = src[i * lds + j];
        return;
    }
    for (int i0 = 0; i0 < rows; i0 += BLOCK) {
        const int i = i0 + BLOCK <= rows ? i0 : rows - BLOCK;
        for (int j0 = 0; j0 < cols; j0 += BLOCK) {
            const int j = j0 + BLOCK <= cols ? j0 : cols - BLOCK;
            block8(dst + j * ldd + i, ldd, src + i * lds + j, lds);
        }
    }
}

/* One image (channels x H x W) into its plane, position by position with the
 * channels side by side: dst[((y + at) * S + x + at) * channels + c], a row
 * at a time. Only the pixels are written; the rest of the plane stays zero.
 * A row reads a short run of every channel, far apart: more runs at once than
 * the hardware's prefetcher follows. So each row asks for the one two rows
 * further down (__builtin_prefetch, GCC's and Clang's: a hint, no effect on
 * the numbers): 1.13x on conv4's forward pass, 1.04x on DeepConvNet's step
 * (make step-ab, 150 steps); conv_implicit.c's dW
 * reads its images in the same layout. */
void to_positions(real *dst, const real *src, int channels, int H, int W, int at, int S)
{
    const size_t HW = (size_t)H * W;
    for (int y = 0; y < H; y++) {
        if (y + 2 < H)
            for (int c = 0; c < channels; c++) {        /* the row's first and last number */
                __builtin_prefetch(src + c * HW + (size_t)(y + 2) * W);
                __builtin_prefetch(src + c * HW + (size_t)(y + 2) * W + W - 1);
            }
        transpose(dst + ((size_t)(y + at) * S + at) * channels, channels, src + (size_t)y * W, HW, channels, W);
    }
}

/* The way back: the H x W first positions of a plane whose rows hold S
 * positions, into one image (channels x H x W). The rows it will write two
 * rows on are asked for the same way (1.02x on the step, twice). */
void from_positions(real *dst, const real *src, int channels, int H, int W, int S)
{
    const size_t HW = (size_t)H * W;
    for (int y = 0; y < H; y++) {
        if (y + 2 < H)
            for (int c = 0; c < channels; c++) {
                __builtin_prefetch(dst + c * HW + (size_t)(y + 2) * W, 1);
                __builtin_prefetch(dst + c * HW + (size_t)(y + 2) * W + W - 1, 1);
            }
        transpose(dst + (size_t)y * W, HW, src + (size_t)y * S * channels, channels, W, channels);
    }
}
