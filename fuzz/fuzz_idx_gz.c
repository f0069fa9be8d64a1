/* fuzz_idx_gz.c - the IDX loader (common/idx.c) reading gzip-compressed files.
 *
 * Mutated gzip bytes rarely survive zlib's checksum, so fuzz_idx seldom gets
 * past the decompression with a gzip input. Here the input is the content and
 * the target compresses it, so that the fuzzer explores the IDX parsing behind
 * a valid gzip stream (how MNIST ships). */
#include "fuzz.h"
#include "idx.h"

#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_path("idx.gz");
    gzFile f = gzopen(path, "wb1");   /* level 1: fast; any level reads back the same */
    if (!f || (size && gzwrite(f, data, (unsigned)size) != (int)size) || gzclose(f) != Z_OK) {
        perror(path);
        exit(1);
    }
    char err[IDX_ERR_SIZE];

    Tensor images;
    if (idx_load_images(path, &images, err) == 0) {
        fuzz_assert(images.ndim == 4 && images.shape[0] > 0, "image shape");
        fuzz_assert(images.size == (size_t)images.shape[0] * images.shape[2] * images.shape[3],
                    "image size matches its shape");
        tensor_free(&images);
    } else {
        fuzz_check_error(err, path);
    }

    uint8_t *labels;
    int count;
    if (idx_load_labels(path, 10, &labels, &count, err) == 0) {
        for (int i = 0; i < count; i++)
            fuzz_assert(labels[i] < 10, "labels below the 10 classes");
        free(labels);
    } else {
        fuzz_check_error(err, path);
    }
    return 0;
}
