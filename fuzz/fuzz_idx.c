/* fuzz_idx.c - the IDX loader (common/idx.c) on any bytes at all.
 *
 * The input is the file as it is: plain IDX, gzip (zlib's gzopen recognises it
 * by its magic bytes and decompresses), or anything else. It is loaded both as
 * an image file and as a label file (10 classes, as MNIST's). */
#include "fuzz.h"
#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("idx", data, size);
    char err[IDX_ERR_SIZE];

    Tensor images;
    if (idx_load_images(path, &images, err) == 0) {
        fuzz_assert(images.ndim == 4 && images.shape[0] > 0 && images.shape[1] == 1, "image shape");
        fuzz_assert(images.size == (size_t)images.shape[0] * images.shape[2] * images.shape[3],
                    "image size matches its shape");
        for (size_t i = 0; i < images.size; i++)
            fuzz_assert(images.data[i] >= 0 && images.data[i] <= 1, "pixels in [0, 1]");
        tensor_free(&images);
    } else {
        fuzz_check_error(err, path);
    }

    uint8_t *labels;
    int count;
    if (idx_load_labels(path, 10, &labels, &count, err) == 0) {
        fuzz_assert(count > 0, "at least one label");
        for (int i = 0; i < count; i++)
            fuzz_assert(labels[i] < 10, "labels below the 10 classes");
        free(labels);
    } else {
        fuzz_check_error(err, path);
    }
    return 0;
}
