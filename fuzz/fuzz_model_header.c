/* fuzz_model_header.c - the JSON header of a safetensors file (common/json.c
 * and the header checks in common/model.c).
 *
 * In fuzz_model a mutation that adds or removes a byte of the JSON makes the
 * 8-byte header length wrong, and the file fails before its JSON is read. Here
 * the input is the JSON alone: the target writes the length that fits it, then
 * 36 bytes of data, enough for the small network's W (2x3) and b (3) in F32. */
#include "fuzz.h"
#include "model.h"

#include <math.h>

static ParamSet *small_net(void)
{
    static ParamSet ps;
    if (!ps.values) {
        params_init(&ps);
        params_add(&ps, "W", 2, (int[]){2, 3}, 1);
        params_add(&ps, "b", 1, (int[]){3}, 0);
        params_alloc(&ps);
    }
    return &ps;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *file = malloc(8 + size + 36);
    for (int i = 0; i < 8; i++)
        file[i] = (uint8_t)((uint64_t)size >> (8 * i));   /* little-endian header length */
    if (size)
        memcpy(file + 8, data, size);
    for (int i = 0; i < 9; i++) {                            /* 1.0f 2.0f ... 9.0f */
        float v = (float)(i + 1);
        uint32_t u;
        memcpy(&u, &v, 4);
        for (int k = 0; k < 4; k++)
            file[8 + size + 4 * (size_t)i + (size_t)k] = (uint8_t)(u >> (8 * k));
    }
    const char *path = fuzz_write_file("model_header", file, 8 + size + 36);
    free(file);

    char err[MODEL_ERR_SIZE], value[64];
    if (model_read_metadata(path, "network", value, sizeof value, err) != 0)
        fuzz_check_error(err, path);
    ParamSet *ps = small_net();
    if (model_load(path, ps, err) == 0) {
        for (size_t i = 0; i < ps->size; i++)
            fuzz_assert(isfinite(ps->values[i]), "loaded values are finite");
    } else {
        fuzz_check_error(err, path);
    }
    return 0;
}
