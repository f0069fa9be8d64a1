/* The JSON reader's numbers (json_number), which the playground's requests
 * use: the grammar is JSON's, strictly, and every failure says where. The rest
 * of the reader is tested through the model files (test_model.c). */
#include <string.h>

#include "json.h"
#include "test.h"

/* Read one number from text; returns json_number's result, the value in *v,
 * and where reading stopped in *pos. */
static int read_number(const char *text, double *v, size_t *pos, char *error)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    Json j = {buf, strlen(buf), 0, ""};
    int rc = json_number(&j, v);
    *pos = j.pos;
    strcpy(error, j.error);
    return rc;
}

static void test_json_numbers_read(void)
{
    const struct { const char *text; double value; size_t end; } good[] = {
        {"0", 0, 1}, {"-0", 0, 2}, {"7", 7, 1}, {" 255,", 255, 4}, {"-12.5]", -12.5, 5},
        {"0.001", 0.001, 5}, {"1e3", 1000, 3}, {"2.5E-2}", 0.025, 6}, {"-1e+2", -100, 5},
        {"0.30000000000000004", 0.30000000000000004, 19}, {"0x10", 0, 1},   /* the caller then meets the x */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double v = -99;
        size_t pos;
        char err[160];
        CHECK(read_number(good[i].text, &v, &pos, err) == 0);
        CHECK_NEAR(v, good[i].value, 1e-15);
        CHECK(pos == good[i].end);
    }
}

static void test_json_bad_numbers_fail_with_a_place(void)
{
    const char *bad[] = {"", "-", "+1", ".5", "01", "-01", "1.", "1.e3", "1e", "1e+", "NaN", "Infinity",
                         "-Infinity", "1e999", "-1e400", "\"3\"", "true",
                         "1234567890123456789012345678901234567890123456789012345678901234567890"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42;
        size_t pos;
        char err[160];
        int rc = read_number(bad[i], &v, &pos, err);
        CHECK(rc == -1);
        CHECK(v == 42);     /* nothing stored on failure */
        CHECK(strstr(err, " at byte ") != NULL);
        if (rc != -1)
            printf("  accepted: '%s'\n", bad[i]);
    }
}

int main(void)
{
    RUN(test_json_numbers_read);
    RUN(test_json_bad_numbers_fail_with_a_place);
    return test_summary();
}
