/* fuzz_playground.c - the playground's JSON API (playground/api.c,
 * api_seq2seq.c, api_gan.c), without the HTTP around it: the first byte
 * chooses the endpoint ('d' /api/digit, 't' /api/text, 'a' /api/add, 'y'
 * /api/date, 'g' /api/gan; any other byte: its value modulo 5 in that order)
 * and the rest is the request's body. Whatever the body, the answer must be
 * 200, 400 or 422 (a drawing with no digit), and one line of JSON; an error
 * must be {"error": "..."}. The nets are untrained, no files: SimpleConvNet, a
 * one-layer LSTM of 8 over a small vocabulary with a character beyond ASCII,
 * small addition and dates seq2seq models, a conditional MLP GAN. */
#include "api.h"
#include "fuzz.h"
#include "json.h"

static const struct {
    char letter;
    void (*answer)(Playground *pg, char *body, size_t len, Answer *a);
} endpoints[] = {
    {'d', api_digit}, {'t', api_text}, {'a', api_add}, {'y', api_date}, {'g', api_gan},
};

static Playground pg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        playground_init_untrained(&pg, 1, "\n !,.:?abcdefghijklmnopqrstuvwxyz\xC3\xA9", 8);
        ready = 1;
    }
    if (size == 0)
        return 0;
    size_t n = size - 1;
    char *body = malloc(n ? n : 1);
    if (n)
        memcpy(body, data + 1, n);
    Answer a = {0, {0}};
    int e = data[0] % 5;
    for (int k = 0; k < 5; k++)
        if (data[0] == endpoints[k].letter)
            e = k;
    endpoints[e].answer(&pg, body, n, &a);
    fuzz_assert(a.status == 200 || a.status == 400 || a.status == 422, "status 200, 400 or 422");
    fuzz_assert(a.body.s && a.body.len > 1 && a.body.s[a.body.len - 1] == '\n' &&
                memchr(a.body.s, '\n', a.body.len) == a.body.s + a.body.len - 1, "an answer is one line");
    fuzz_assert(json_valid_utf8((const unsigned char *)a.body.s, a.body.len), "an answer is UTF-8");
    if (a.status != 200)
        fuzz_assert(strncmp(a.body.s, "{\"error\": \"", 11) == 0, "an error is {\"error\": ...}");
    free(a.body.s);
    free(body);
    return 0;
}
