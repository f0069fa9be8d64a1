/* fuzz_png.c - the PNG reader (common/image.c) and the preparation of a drawn
 * digit for `04_cnn predict` (common/digit.c), on any bytes.
 *
 * digit_load_png reads the PNG as grey (decoding to RGBA first, so every colour
 * type and bit depth goes through the same conversion), then crops, scales and
 * centres the digit into 28x28 values in [0, 1].
 *
 * Every PNG chunk ends with a CRC of its contents, and libpng refuses a header
 * whose CRC is wrong: nearly every mutation of the header (its width, height,
 * colour type) would stop there. So before writing the file the target puts the
 * right CRC behind each chunk, and the mutations reach the code behind the check. */
#include "digit.h"
#include "fuzz.h"

#include <math.h>
#include <zlib.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* After the 8-byte signature: chunks of length (4), type (4), data, CRC (4). */
static void fix_chunk_crcs(uint8_t *png, size_t size)
{
    size_t pos = 8;
    while (pos + 12 <= size) {
        uint32_t len = be32(png + pos);
        if (len > size - pos - 12)
            break;
        uint32_t crc = (uint32_t)crc32(0, png + pos + 4, 4 + len);   /* type and data */
        uint8_t *out = png + pos + 8 + len;
        out[0] = (uint8_t)(crc >> 24), out[1] = (uint8_t)(crc >> 16);
        out[2] = (uint8_t)(crc >> 8), out[3] = (uint8_t)crc;
        pos += 12 + (size_t)len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *png = malloc(size ? size : 1);
    if (size)
        memcpy(png, data, size);
    fix_chunk_crcs(png, size);
    const char *path = fuzz_write_file("png", png, size);
    free(png);

    char err[IMAGE_ERR_SIZE];
    real digit[DIGIT_SIZE * DIGIT_SIZE];
    if (digit_load_png(path, digit, err) == 0) {
        for (int i = 0; i < DIGIT_SIZE * DIGIT_SIZE; i++)
            fuzz_assert(isfinite(digit[i]) && digit[i] >= 0 && digit[i] <= 1, "digit values in [0, 1]");
    } else {
        fuzz_check_error(err, path);
    }
    return 0;
}
