/* test_files.h - what the tests that read and write files share: a temporary
 * folder, whole-file reads and writes, and loading MNIST for tests that train. */
#ifndef DL_TEST_FILES_H
#define DL_TEST_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"

/* A fresh folder /tmp/<name>_XXXXXX in dir (at least 64 bytes); exits if it cannot. */
static inline void test_make_temp_dir(char *dir, size_t size, const char *name)
{
    snprintf(dir, size, "/tmp/%s_XXXXXX", name);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

/* Remove the files in dir, then dir itself. */
static inline void test_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    if (!d)
        return;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
        }
    closedir(d);
    rmdir(dir);
}

/* 1 if no ".tmp." file (an atomic write's leftover) is in dir. */
static inline int test_no_temp_files_left(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int clean = 1;
    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp."))
            clean = 0;
    closedir(d);
    return clean;
}

/* Write n bytes to path; exits if it cannot (the test itself is broken then). */
static inline void test_write_bytes(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* The whole file, NUL-terminated, with *n its size; NULL (and *n = 0) if it cannot be read. */
static inline unsigned char *test_read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    *n = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    unsigned char *b = malloc(size > 0 ? (size_t)size + 1 : 1);
    *n = size > 0 ? (size_t)size : 0;
    if (fread(b, 1, *n, f) != *n)
        *n = 0;
    b[*n] = '\0';
    fclose(f);
    return b;
}

/* 1 if both files can be read, are not empty, and hold the same bytes. */
static inline int test_same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *x = test_read_bytes(a, &na), *y = test_read_bytes(b, &nb);
    int same = x && y && na == nb && na > 0 && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* MNIST from test_data_dir() (make test fetches it). On failure, prints why and
 * the closing line of a failed run, so the caller can return 1. */
static inline int test_load_mnist(Dataset *train, Dataset *test)
{
    char err[IDX_ERR_SIZE];
    if (mnist_load(test_data_dir(), 10, train, test, err) == 0)
        return 0;
    printf("  cannot load MNIST: %s\n", err);
    printf("0 passed, 1 failed\n");
    return -1;
}

#endif
