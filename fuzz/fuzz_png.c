/* fuzz_png.c - the PNG reader (common/image.c) and the preparation of a drawn
 * digit for `04_cnn predict` (common/digit.c), on any bytes.
 *
 * digit_load_png reads the PNG as grey (decoding to RGBA first, so every colour
 * type and bit depth goes through the same conversion), then crops, scales and
 * centres the digit into 28x28 values in [0, 1]. */
#include "digit.h"
#include "fuzz.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("png", data, size);
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
