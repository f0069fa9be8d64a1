/* test_model.c - model files: round trips, the exact byte layout, a file written by
 * hand the way Python's safetensors writes it, and many broken files that must fail
 * cleanly (return -1, name the file, leave the network untouched). */
#include "model.h"
#include "params.h"
#include "test.h"
#include "test_files.h"

#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];   /* a fresh temporary directory for this run */

static const char *tmp_path(char *buf, const char *name)
{
    snprintf(buf, 256, "%s/%s", dir, name);
    return buf;
}

static uint64_t u64_le(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* A file as safetensors lays it out: u64 length, the JSON padded with spaces to a
 * multiple of 8, then the data. */
static void write_safetensors(const char *path, const char *json, const void *data, size_t data_len)
{
    size_t n = strlen(json), padded = (n + 7) / 8 * 8;
    size_t total = 8 + padded + data_len;
    unsigned char *b = malloc(total);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    memcpy(b + 8, json, n);
    memset(b + 8 + n, ' ', padded - n);
    if (data_len)
        memcpy(b + 8 + padded, data, data_len);
    test_write_bytes(path, b, total);
    free(b);
}

/* Little-endian F32 bytes of v, as any safetensors writer produces them. */
static void put_f32(unsigned char *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(u >> (8 * i));
}

/* A small network: four trainable tensors and two state tensors. */
static void make_net(ParamSet *ps)
{
    params_init(ps);
    params_add(ps, "W1", 2, (int[]){3, 4}, 1);
    params_add(ps, "b1", 1, (int[]){4}, 0);
    params_add(ps, "W2", 2, (int[]){4, 2}, 1);
    params_add(ps, "b2", 1, (int[]){2}, 0);
    params_add_state(ps, "bn_mean", 1, (int[]){4});
    params_add_state(ps, "bn_var", 1, (int[]){4});
    params_alloc(ps);
}

static void fill(ParamSet *ps, double seed)
{
    static const double special[] = {0.1, -1e-30, 1e30, 1.17549435e-38, 1e-45, -0.0, 3.14159265};
    for (size_t i = 0; i < ps->size; i++)
        ps->values[i] = (real)(i < 7 ? special[i] : seed * (double)i - 3.7 / (double)(i + 1));
}

/* A network of one tensor "x" of shape [2]. */
static void make_x(ParamSet *ps)
{
    params_init(ps);
    params_add(ps, "x", 1, (int[]){2}, 0);
    params_alloc(ps);
    ps->values[0] = 7;
    ps->values[1] = 8;
}

static const unsigned char X_DATA[8] = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}; /* 1.0f, 2.0f */

/* Loading path must fail: -1, one line naming the file (and containing `what`),
 * and the network's values exactly as before. */
static void expect_load_fails(const char *path, ParamSet *ps, const char *what, const char *label)
{
    char err[MODEL_ERR_SIZE] = "";
    real *before = malloc(ps->size * sizeof(real));
    memcpy(before, ps->values, ps->size * sizeof(real));
    int was_failed = test_current_failed;
    test_current_failed = 0;
    CHECK(model_load(path, ps, err) == -1);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CHECK(strchr(err, '\n') == NULL);
    CHECK(what == NULL || strstr(err, what) != NULL);
    CHECK(memcmp(before, ps->values, ps->size * sizeof(real)) == 0);
    if (test_current_failed)
        printf("    case \"%s\": err = \"%s\"\n", label, err);
    else if (getenv("TEST_VERBOSE"))   /* TEST_VERBOSE=1 shows every message */
        printf("    %s\n", err);
    test_current_failed |= was_failed;
    free(before);
}

/* A header for network x, then the usual 8 bytes of data. */
static void expect_header_fails(const char *json, const char *what)
{
    char path[256];
    ParamSet ps;
    make_x(&ps);
    write_safetensors(tmp_path(path, "bad.safetensors"), json, X_DATA, sizeof X_DATA);
    expect_load_fails(path, &ps, what, json);
    params_free(&ps);
}

/* ---- round trips --------------------------------------------------------------- */

static void test_round_trip(void)
{
    char path[256], err[MODEL_ERR_SIZE];
    ParamSet a, b;
    make_net(&a);
    make_net(&b);
    fill(&a, 0.37);
    CHECK(model_save(tmp_path(path, "net.safetensors"), &a, NULL, err) == 0);
    CHECK(model_load(path, &b, err) == 0);
#ifdef DL_DOUBLE
    /* doubles go through F32 in the file */
    for (size_t i = 0; i < a.size; i++)
        CHECK_NEAR(b.values[i], (double)(float)a.values[i], 0);
#else
    CHECK(memcmp(a.values, b.values, a.size * sizeof(real)) == 0);
#endif
    CHECK(signbit(b.values[5]));   /* -0.0 stays negative */
    CHECK(test_no_temp_files_left(dir));
    params_free(&a);
    params_free(&b);
}

static void test_metadata_round_trip(void)
{
    char path[256], err[MODEL_ERR_SIZE], value[128];
    const char *tricky = "quote \" backslash \\ newline \n tab \t caf\xc3\xa9 \x01";
    const char *meta[] = {"network", "two_layer_net", "note", tricky, "epochs", "10", NULL};
    ParamSet a;
    make_net(&a);
    fill(&a, 1);
    CHECK(model_save(tmp_path(path, "meta.safetensors"), &a, meta, err) == 0);
    CHECK(model_read_metadata(path, "network", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "two_layer_net") == 0);
    CHECK(model_read_metadata(path, "note", value, sizeof value, err) == 0);
    CHECK(strcmp(value, tricky) == 0);
    CHECK(model_read_metadata(path, "epochs", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "10") == 0);
    CHECK(model_read_metadata(path, "absent", value, sizeof value, err) == 0);
    CHECK(value[0] == '\0');
    CHECK(model_read_metadata(path, "network", value, 5, err) == -1);   /* does not fit */
    CHECK(model_load(path, &a, err) == 0);
    params_free(&a);
}

/* The bytes on disk: u64 header length, a JSON header padded to 8 that names every
 * tensor, then little-endian F32 data in ParamSet order. */
static void test_file_layout(void)
{
    char path[256], err[MODEL_ERR_SIZE];
    const char *meta[] = {"network", "test", NULL};
    ParamSet a;
    make_net(&a);
    fill(&a, 2);
    CHECK(model_save(tmp_path(path, "layout.safetensors"), &a, meta, err) == 0);
    size_t n;
    unsigned char *b = test_read_bytes(path, &n);
    uint64_t header = u64_le(b);
    CHECK(header % 8 == 0);
    CHECK(n == 8 + header + 4 * a.size);
    char *json = malloc(header + 1);
    memcpy(json, b + 8, header);
    json[header] = '\0';
    CHECK(json[0] == '{');
    for (int i = 0; i < a.count; i++) {
        char key[64];
        snprintf(key, sizeof key, "\"%s\":{\"dtype\":\"F32\"", a.info[i].name);
        CHECK(strstr(json, key) != NULL);
    }
    CHECK(strstr(json, "\"__metadata__\":{\"network\":\"test\"}") != NULL);
    CHECK(strstr(json, "\"W1\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}") != NULL);
    unsigned char first[4];
    put_f32(first, (float)a.values[0]);
    CHECK(memcmp(b + 8 + header, first, 4) == 0);
    free(json);
    free(b);
    params_free(&a);
}

/* A file assembled byte by byte the way Python writes
 *   safetensors.numpy.save_file({"a": np.array([[1, -2], [0.5, 3]], np.float32),
 *                                "b": np.array([1.5, -0.25, 100], np.float64)},
 *                               "f", metadata={"format": "np"})
 * compact JSON, padded with spaces to a multiple of 8. */
static void test_python_file_loads(void)
{
    static const char json[] =
        "{\"__metadata__\":{\"format\":\"np\"},"
        "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        "\"b\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[16,40]}}";
    static const unsigned char data[40] = {
        0x00, 0x00, 0x80, 0x3f,  0x00, 0x00, 0x00, 0xc0,        /* 1.0f, -2.0f */
        0x00, 0x00, 0x00, 0x3f,  0x00, 0x00, 0x40, 0x40,        /* 0.5f, 3.0f */
        0, 0, 0, 0, 0, 0, 0xf8, 0x3f,                            /* 1.5 */
        0, 0, 0, 0, 0, 0, 0xd0, 0xbf,                            /* -0.25 */
        0, 0, 0, 0, 0, 0, 0x59, 0x40,                            /* 100.0 */
    };
    char path[256], err[MODEL_ERR_SIZE], value[32];
    CHECK((sizeof json - 1) % 8 != 0);   /* so the padding is exercised */
    write_safetensors(tmp_path(path, "python.safetensors"), json, data, sizeof data);
    size_t n;
    unsigned char *b = test_read_bytes(path, &n);
    CHECK(u64_le(b) == 144 && b[8 + 142] == '}' && b[8 + 143] == ' ');
    free(b);

    ParamSet ps;
    params_init(&ps);
    params_add(&ps, "a", 2, (int[]){2, 2}, 1);
    params_add(&ps, "b", 1, (int[]){3}, 0);
    params_alloc(&ps);
    CHECK(model_load(path, &ps, err) == 0);
    const double want[7] = {1, -2, 0.5, 3, 1.5, -0.25, 100};
    for (int i = 0; i < 7; i++)
        CHECK(ps.values[i] == (real)want[i]);
    CHECK(model_read_metadata(path, "format", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "np") == 0);
    params_free(&ps);
}

/* Legal JSON that a strict parser must still accept: whitespace, escapes, any key order. */
static void test_json_variants_accepted(void)
{
    char path[256], err[MODEL_ERR_SIZE] = "";
    const char *json = "{ \"\\u0078\" : { \"data_offsets\" : [ 0 , 8 ],\n\t\"shape\": [2], "
                       "\"dtype\": \"F32\" }, \"__metadata__\": {\"k\\/\\\"\": \"\\ud83d\\ude00\"} }";
    ParamSet ps;
    make_x(&ps);
    write_safetensors(tmp_path(path, "variants.safetensors"), json, X_DATA, sizeof X_DATA);
    CHECK(model_load(path, &ps, err) == 0);
    CHECK(ps.values[0] == 1 && ps.values[1] == 2);
    char value[16];
    CHECK(model_read_metadata(path, "k/\"", value, sizeof value, err) == 0);
    CHECK(strcmp(value, "\xf0\x9f\x98\x80") == 0);   /* U+1F600 from its surrogate pair */
    if (err[0])
        printf("    err = %s\n", err);
    params_free(&ps);
}

/* ---- broken files ---------------------------------------------------------------- */

static void test_truncated_files_fail(void)
{
    char path[256], cut[256], err[MODEL_ERR_SIZE];
    ParamSet a;
    make_net(&a);
    fill(&a, 3);
    CHECK(model_save(tmp_path(path, "whole.safetensors"), &a, NULL, err) == 0);
    size_t n;
    unsigned char *b = test_read_bytes(path, &n);
    size_t header = (size_t)u64_le(b);
    size_t cuts[] = {0, 1, 7, 8, 9, 8 + header / 2, 8 + header - 1, 8 + header, 8 + header + 3, n - 4, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        test_write_bytes(tmp_path(cut, "cut.safetensors"), b, cuts[i]);
        char label[32];
        snprintf(label, sizeof label, "cut at %zu", cuts[i]);
        expect_load_fails(cut, &a, NULL, label);
    }
    free(b);
    params_free(&a);
}

static void test_corrupt_json_fails(void)
{
    static const char *bad[] = {
        "",
        "[]",
        "{",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} x",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}{}",
        "{'x':{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[[2]],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999999]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":[1]}}",
        "{\"x\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":F32,\"shape\":[2],\"data_offsets\":[0,8]}}",
        ("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"),   /* twice */
        "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"__metadata__\":{},\"__metadata__\":{},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"__metadata__\":{\"a\":1},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"__metadata__\":{\"a\":{\"b\":\"c\"}},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"\\q\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"\\u00zz\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"\\u0000\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"x\n\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"\xff\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"\xc0\x80\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} \x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_header_fails(bad[i], NULL);
    expect_header_fails("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},}", "bad JSON header");
}

static void test_header_length_checked_before_allocating(void)
{
    char path[256];
    ParamSet ps;
    make_x(&ps);
    unsigned char b[64] = {0};
    /* one byte more than the file holds */
    b[0] = 57;
    test_write_bytes(tmp_path(path, "long.safetensors"), b, sizeof b);
    expect_load_fails(path, &ps, "header length 57", "header longer than file");
    /* 2^60: must be refused without trying to allocate it */
    memset(b, 0, 8);
    b[7] = 0x10;
    test_write_bytes(path, b, sizeof b);
    expect_load_fails(path, &ps, "header length 1152921504606846976", "2^60");
    params_free(&ps);
}

static void test_wrong_dtype_fails(void)
{
    expect_header_fails("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                        "tensor 'x' has dtype I64; only F32 and F64 are supported");
    expect_header_fails("{\"x\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", "BF16");
}

static void test_bad_offsets_fail(void)
{
    /* out of range, backwards */
    expect_header_fails("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "ends at byte 16");
    expect_header_fails("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "begin after end");
    /* size and shape disagree */
    expect_header_fails("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "span 8 bytes");
    expect_header_fails("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", "span 8 bytes");
    expect_header_fails("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
                        "\"data_offsets\":[0,8]}}", "span 8 bytes");
    /* not all of the data is used */
    expect_header_fails("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "extra bytes");
    expect_header_fails("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "belong to no tensor");
}

static void test_overlapping_tensors_fail(void)
{
    char path[256];
    ParamSet ps;
    params_init(&ps);
    params_add(&ps, "x", 1, (int[]){2}, 0);
    params_add(&ps, "y", 1, (int[]){2}, 0);
    params_alloc(&ps);
    unsigned char data[12] = {0};
    write_safetensors(tmp_path(path, "overlap.safetensors"),
                      "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                      "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data, sizeof data);
    expect_load_fails(path, &ps, "overlap", "overlap");
    unsigned char same[8] = {0};
    write_safetensors(path, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", same, sizeof same);
    expect_load_fails(path, &ps, "overlap", "same bytes");
    params_free(&ps);
}

static void test_tensors_must_match_network(void)
{
    char path[256], err[MODEL_ERR_SIZE];
    ParamSet a, b;
    make_net(&a);
    fill(&a, 4);
    CHECK(model_save(tmp_path(path, "net.safetensors"), &a, NULL, err) == 0);

    /* the network has a tensor the file lacks */
    params_init(&b);
    params_add(&b, "W1", 2, (int[]){3, 4}, 1);
    params_add(&b, "b1", 1, (int[]){4}, 0);
    params_add(&b, "W2", 2, (int[]){4, 2}, 1);
    params_add(&b, "b2", 1, (int[]){2}, 0);
    params_add(&b, "W3", 2, (int[]){2, 2}, 1);
    params_add_state(&b, "bn_mean", 1, (int[]){4});
    params_add_state(&b, "bn_var", 1, (int[]){4});
    params_alloc(&b);
    expect_load_fails(path, &b, "tensor 'W3' is missing", "missing");
    params_free(&b);

    /* the file has a tensor the network lacks */
    params_init(&b);
    params_add(&b, "W1", 2, (int[]){3, 4}, 1);
    params_add(&b, "b1", 1, (int[]){4}, 0);
    params_add(&b, "W2", 2, (int[]){4, 2}, 1);
    params_add(&b, "b2", 1, (int[]){2}, 0);
    params_add_state(&b, "bn_mean", 1, (int[]){4});
    params_alloc(&b);
    expect_load_fails(path, &b, "unexpected tensor 'bn_var'", "unexpected");
    params_free(&b);
    params_free(&a);

    /* same names, another shape: the message says both */
    params_init(&a);
    params_add(&a, "W1", 2, (int[]){784, 100}, 1);
    params_alloc(&a);
    CHECK(model_save(path, &a, NULL, err) == 0);
    params_init(&b);
    params_add(&b, "W1", 2, (int[]){784, 50}, 1);
    params_alloc(&b);
    CHECK(model_load(path, &b, err) == -1);
    char want[MODEL_ERR_SIZE];
    snprintf(want, sizeof want, "%s: tensor 'W1' has shape [784, 100], the network expects [784, 50]", path);
    CHECK(strcmp(err, want) == 0);
    params_free(&b);
    params_init(&b);
    params_add(&b, "W1", 1, (int[]){78400}, 1);   /* same size, other rank */
    params_alloc(&b);
    expect_load_fails(path, &b, "[784, 100], the network expects [78400]", "rank");
    params_free(&b);
    params_free(&a);
}

static void test_non_finite_values_fail(void)
{
    char path[256], err[MODEL_ERR_SIZE];
    ParamSet ps;
    make_x(&ps);
    unsigned char data[8];
    put_f32(data, 1);
    put_f32(data + 4, NAN);
    write_safetensors(tmp_path(path, "nan.safetensors"),
                      "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data, sizeof data);
    expect_load_fails(path, &ps, "non-finite value (NaN or infinity) at element 1", "NaN");
    put_f32(data, -INFINITY);
    write_safetensors(path, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data, sizeof data);
    expect_load_fails(path, &ps, "non-finite", "-inf");
    /* and a NaN is not saved either: the old file stays as it was */
    size_t n1, n2;
    unsigned char *old = test_read_bytes(path, &n1);
    ps.values[1] = NAN;
    CHECK(model_save(path, &ps, NULL, err) == -1);
    CHECK(strstr(err, path) == err && strstr(err, "non-finite"));
    unsigned char *now = test_read_bytes(path, &n2);
    CHECK(n1 == n2 && memcmp(old, now, n1) == 0);
    CHECK(test_no_temp_files_left(dir));
    free(old);
    free(now);
    params_free(&ps);
}

static void test_missing_and_empty_files_fail(void)
{
    char path[256], err[MODEL_ERR_SIZE], value[8];
    ParamSet ps;
    make_x(&ps);
    expect_load_fails(tmp_path(path, "does-not-exist.safetensors"), &ps, "cannot open", "missing file");
    CHECK(model_read_metadata(path, "k", value, sizeof value, err) == -1 && strstr(err, path) == err);
    test_write_bytes(tmp_path(path, "empty.safetensors"), "", 0);
    expect_load_fails(path, &ps, "too short", "empty file");
    CHECK(model_read_metadata(path, "k", value, sizeof value, err) == -1 && strstr(err, path) == err);
    expect_load_fails(dir, &ps, "not a regular file", "a directory");
    params_free(&ps);
}

/* Every byte of a small file changed in turn: loading may succeed (a changed value)
 * or fail, but must never crash, and a failure leaves the network alone. */
static void test_every_byte_changed_is_safe(void)
{
    char path[256], err[MODEL_ERR_SIZE];
    const char *meta[] = {"k", "v", NULL};
    ParamSet ps;
    make_x(&ps);
    CHECK(model_save(tmp_path(path, "small.safetensors"), &ps, meta, err) == 0);
    size_t n;
    unsigned char *b = test_read_bytes(path, &n);
    static const unsigned char changes[] = {0x00, 0x01, 0x22, 0x5c, 0x7f, 0xff};
    real before[2] = {ps.values[0], ps.values[1]};
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < sizeof changes; c++) {
            unsigned char keep = b[i];
            b[i] = changes[c];
            test_write_bytes(path, b, n);
            b[i] = keep;
            if (model_load(path, &ps, err) == 0) {
                ps.values[0] = before[0];   /* a data byte changed: put the values back */
                ps.values[1] = before[1];
                continue;
            }
            CHECK(strncmp(err, path, strlen(path)) == 0);
            CHECK(ps.values[0] == before[0] && ps.values[1] == before[1]);
        }
    free(b);
    params_free(&ps);
}

/* ---- saving -------------------------------------------------------------------------- */

static void test_failed_save_leaves_nothing(void)
{
    char path[256], err[MODEL_ERR_SIZE];
    ParamSet ps;
    make_x(&ps);
    /* a directory that does not exist */
    CHECK(model_save(tmp_path(path, "no/such/dir/m.safetensors"), &ps, NULL, err) == -1);
    CHECK(strstr(err, path) == err);
    CHECK(test_no_temp_files_left(dir));
    /* a path that is a directory: the rename fails, the temporary goes */
    tmp_path(path, "a-directory");
    CHECK(mkdir(path, 0755) == 0);
    CHECK(model_save(path, &ps, NULL, err) == -1);
    CHECK(strstr(err, path) == err);
    CHECK(test_no_temp_files_left(dir));
    rmdir(path);
    params_free(&ps);
}

static void test_save_replaces_existing_file(void)
{
    char path[256], err[MODEL_ERR_SIZE];
    ParamSet a, b;
    make_net(&a);
    make_net(&b);
    fill(&a, 5);
    tmp_path(path, "replace.safetensors");
    test_write_bytes(path, "an older, longer file that is not a model at all, and should go away", 68);
    CHECK(model_save(path, &a, NULL, err) == 0);
    fill(&a, 6);
    CHECK(model_save(path, &a, NULL, err) == 0);
    CHECK(model_load(path, &b, err) == 0);
    CHECK(b.values[10] == (real)(float)a.values[10]);
    CHECK(test_no_temp_files_left(dir));
    params_free(&a);
    params_free(&b);
}

/* ---- setup ------------------------------------------------------------------------------ */

int main(void)
{
    test_make_temp_dir(dir, sizeof dir, "test_model");
    RUN(test_round_trip);
    RUN(test_metadata_round_trip);
    RUN(test_file_layout);
    RUN(test_python_file_loads);
    RUN(test_json_variants_accepted);
    RUN(test_truncated_files_fail);
    RUN(test_corrupt_json_fails);
    RUN(test_header_length_checked_before_allocating);
    RUN(test_wrong_dtype_fails);
    RUN(test_bad_offsets_fail);
    RUN(test_overlapping_tensors_fail);
    RUN(test_tensors_must_match_network);
    RUN(test_non_finite_values_fail);
    RUN(test_missing_and_empty_files_fail);
    RUN(test_every_byte_changed_is_safe);
    RUN(test_failed_save_leaves_nothing);
    RUN(test_save_replaces_existing_file);
    test_remove_dir(dir);
    return test_summary();
}
