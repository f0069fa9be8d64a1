/* fuzz.h - what the fuzz targets share.
 *
 * A fuzz target is one function, LLVMFuzzerTestOneInput(data, size), that
 * libFuzzer calls again and again with inputs it mutates from a corpus of
 * examples (fuzz/corpus/<target>/), keeping every input that reaches code no
 * earlier input reached. Built with -fsanitize=fuzzer,address,undefined, any
 * out-of-bounds access, use after free, leak or undefined behaviour stops the
 * run and saves the input that caused it. The targets add the course's own
 * promise to that: a loader either succeeds or fails with one line that names
 * the file; anything else is a finding too (fuzz_check_error aborts).
 *
 * The loaders read files (gzopen, fstat, libpng reading a FILE *), so a target
 * writes its input to a file first and fuzzes exactly the code a user runs;
 * on tmpfs (/dev/shm) that write costs a few microseconds. */
#ifndef DL_FUZZ_H
#define DL_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_file[256];

static inline void fuzz_remove_file(void)
{
    remove(fuzz_file);
}

/* A per-process file name in /dev/shm (memory) if there is one, else /tmp;
 * the file is removed when the fuzzer exits. */
static inline const char *fuzz_path(const char *name)
{
    if (!fuzz_file[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_file, sizeof fuzz_file, "%s/dl-fuzz-%ld-%s", dir, (long)getpid(), name);
        atexit(fuzz_remove_file);
    }
    return fuzz_file;
}

/* Write the input to fuzz_path(name) and return that path. A failure here is
 * the machine's, not the loader's: say so and stop. */
static inline const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    return path;
}

/* The loader failed: its message must be "<path>: <reason>" on one line. */
static inline void fuzz_check_error(const char *err, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(err, path, n) != 0 || strncmp(err + n, ": ", 2) != 0 || err[n + 2] == '\0'
        || strchr(err, '\n')) {
        fprintf(stderr, "bad error message for %s: \"%s\"\n", path, err);
        abort();
    }
}

/* A check on a successful load; a failed one is a finding. */
static inline void fuzz_assert(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "check failed: %s\n", what);
        abort();
    }
}

#endif
