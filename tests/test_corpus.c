/* test_corpus.c - texts as ids (common/corpus.c): the character and word
 * vocabularies on small hand-made texts, multi-byte UTF-8, the vocabulary as a
 * model's metadata string and back, and every way a file can be wrong, each
 * refused with one line naming the file. Then the real Tiny Shakespeare, if
 * data/tinyshakespeare/input.txt or $DL_DATA_MIRROR/tinyshakespeare/input.txt
 * is there (`make data` fetches it), and the fuzzer's seeds and regressions. */
#include "corpus.h"
#include "model.h"
#include "test.h"
#include "test_files.h"

#include <zlib.h>

static char tmp[64];

static const char *tmp_path(char *buf, const char *name)
{
    snprintf(buf, 512, "%s/%s", tmp, name);
    return buf;
}

static const char *write_text(char *buf, const char *name, const char *text, size_t n)
{
    tmp_path(buf, name);
    test_write_bytes(buf, text, n);
    return buf;
}

static const char *write_gz(char *buf, const char *name, const void *data, size_t n)
{
    tmp_path(buf, name);
    gzFile f = gzopen(buf, "wb1");
    if (!f || (n > 0 && gzwrite(f, data, (unsigned)n) != (int)n) || gzclose(f) != Z_OK) {
        printf("cannot write %s\n", buf);
        exit(1);
    }
    return buf;
}

/* err is "<path>: ..." on one line and mentions `what`. */
static int names_file_and_says(const char *err, const char *path, const char *what)
{
    size_t n = strlen(path);
    int ok = strncmp(err, path, n) == 0 && strncmp(err + n, ": ", 2) == 0 && !strchr(err, '\n')
             && strstr(err, what) != NULL;
    if (!ok)
        printf("    (expected \"%s: ...%s...\", got \"%s\")\n", path, what, err);
    return ok;
}

/* Loading path fails, as characters and as words, with a message about `what`. */
static void check_load_fails(const char *path, const char *what)
{
    char err[CORPUS_ERR_SIZE] = "";
    CharCorpus c;
    CHECK(char_corpus_load(path, &c, err) == -1);
    CHECK(names_file_and_says(err, path, what));
    CHECK(c.ids == NULL && c.vocab.size == 0);
    WordCorpus w;
    err[0] = '\0';
    CHECK(word_corpus_load(path, &w, err) == -1);
    CHECK(names_file_and_says(err, path, what));
    CHECK(w.ids == NULL && w.vocab.size == 0);
}

/* The ids turned back into characters give the text again. */
static int decodes_to(const CharCorpus *c, const char *text)
{
    size_t pos = 0;
    for (size_t i = 0; i < c->count; i++) {
        const char *ch = c->vocab.chars[c->ids[i]];
        size_t len = strlen(ch);
        if (strncmp(text + pos, ch, len) != 0)
            return 0;
        pos += len;
    }
    return pos == strlen(text);
}

/* ---- characters ------------------------------------------------------------------ */

static void test_char_vocab_and_ids(void)
{
    char p[512], err[CORPUS_ERR_SIZE];
    const char *text = "hello world\n";
    CharCorpus c;
    CHECK(char_corpus_load(write_text(p, "hello.txt", text, strlen(text)), &c, err) == 0);
    /* sorted by code point: '\n' ' ' d e h l o r w */
    CHECK(c.vocab.size == 9);
    CHECK(c.count == 12);
    const char *sorted = "\n dehlorw";
    for (int id = 0; id < 9 && id < c.vocab.size; id++) {
        CHECK(c.vocab.code_points[id] == (uint32_t)sorted[id]);
        CHECK(c.vocab.chars[id][0] == sorted[id] && c.vocab.chars[id][1] == '\0');
    }
    int hello[5] = {4, 3, 5, 5, 6};
    for (int i = 0; i < 5; i++)
        CHECK(c.ids[i] == hello[i]);
    CHECK(c.ids[5] == 1 && c.ids[11] == 0);   /* ' ', '\n' */
    CHECK(decodes_to(&c, text));
    CHECK(char_vocab_id(&c.vocab, 'w') == 8);
    CHECK(char_vocab_id(&c.vocab, 'a') == -1);
    CHECK(char_vocab_id(&c.vocab, 0x10FFFF) == -1);
    char_corpus_free(&c);
}

static void test_utf8_characters(void)
{
    /* Greek, an accented letter and an emoji: 2, 2 and 4 bytes each */
    const char *text = "\xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82 caf\xC3\xA9 \xF0\x9F\x98\x80\n";   /* λόγος café 😀 */
    char p[512], err[CORPUS_ERR_SIZE];
    CharCorpus c;
    CHECK(char_corpus_load(write_text(p, "greek.txt", text, strlen(text)), &c, err) == 0);
    CHECK(c.count == 13);                 /* characters, not the 21 bytes */
    CHECK(c.vocab.size == 13 - 1);        /* ' ' comes twice */
    for (int id = 1; id < c.vocab.size; id++)
        CHECK(c.vocab.code_points[id - 1] < c.vocab.code_points[id]);
    CHECK(c.vocab.code_points[c.vocab.size - 1] == 0x1F600);
    CHECK(strcmp(c.vocab.chars[c.vocab.size - 1], "\xF0\x9F\x98\x80") == 0);
    int lambda = char_vocab_id(&c.vocab, 0x3BB);
    CHECK(lambda >= 0 && c.ids[0] == lambda && strcmp(c.vocab.chars[lambda], "\xCE\xBB") == 0);
    CHECK(c.ids[9] == char_vocab_id(&c.vocab, 0xE9));
    CHECK(decodes_to(&c, text));

    /* a prompt as ids; a character the vocabulary lacks is an error naming it */
    int ids[8];
    CHECK(char_vocab_encode(&c.vocab, "caf\xC3\xA9", ids, 8, "--prompt", err) == 4);
    CHECK(ids[3] == char_vocab_id(&c.vocab, 0xE9));
    CHECK(char_vocab_encode(&c.vocab, "cab", ids, 8, "--prompt", err) == -1);
    CHECK(names_file_and_says(err, "--prompt", "'b' (U+0062, character 3) is not one of the 12"));
    CHECK(char_vocab_encode(&c.vocab, "caf\xC3", ids, 8, "--prompt", err) == -1);
    CHECK(names_file_and_says(err, "--prompt", "invalid UTF-8 at byte 3"));
    CHECK(char_vocab_encode(&c.vocab, "cafca", ids, 3, "--prompt", err) == -1);
    CHECK(names_file_and_says(err, "--prompt", "longer than 3"));
    char_corpus_free(&c);
}

static void test_utf8_decoder(void)
{
    uint32_t cp;
    char out[5];
    /* every length, at both ends of its range, through encode and decode */
    uint32_t samples[] = {0x01, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF};
    int lens[] = {1, 1, 2, 2, 3, 3, 3, 3, 4, 4};
    for (int i = 0; i < 10; i++) {
        CHECK(utf8_encode(samples[i], out) == lens[i]);
        CHECK(utf8_decode((const unsigned char *)out, strlen(out), &cp) == lens[i] && cp == samples[i]);
    }
    /* what is not UTF-8 */
    const char *bad[] = {"\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                         "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x82", "\xC3\x28"};
    for (int i = 0; i < 12; i++)
        CHECK(utf8_decode((const unsigned char *)bad[i], strlen(bad[i]), &cp) == 0);
}

/* ---- words ---------------------------------------------------------------------- */

static void test_word_splitting(void)
{
    const char *text = "First Citizen:\nBefore we proceed, O'er to-morrow--'tis \xC3\x89T\xC3\x89 "
                       "\xCE\x9B\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82.\r\n(\"Hark!\")\t--- me?";
    const char *words[] = {"first", "citizen", ":", "before", "we", "proceed", ",", "o'er", "to-morrow", "--",
                           "'tis", "\xC3\xA9t\xC3\xA9", "\xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82", ".", "(", "\"",
                           "hark", "!", "\"", ")", "---", "me", "?"};
    int n = (int)(sizeof words / sizeof *words);
    char p[512], err[CORPUS_ERR_SIZE];
    WordCorpus w;
    CHECK(word_corpus_load(write_text(p, "words.txt", text, strlen(text)), &w, err) == 0);
    CHECK(w.count == (size_t)n);
    CHECK(w.vocab.size == n - 1);         /* '"' twice */
    for (int i = 0; i < n && (size_t)i < w.count; i++) {
        int ok = strcmp(word_vocab_word(&w.vocab, w.ids[i]), words[i]) == 0;
        CHECK(ok);
        if (!ok)
            printf("    (word %d: \"%s\", expected \"%s\")\n", i, word_vocab_word(&w.vocab, w.ids[i]), words[i]);
    }
    /* ids in order of first appearance, as the book's word_to_id */
    CHECK(w.ids[0] == 0 && w.ids[1] == 1 && w.ids[22] == 21);
    CHECK(w.ids[18] == w.ids[15]);
    CHECK(word_vocab_id(&w.vocab, "o'er") == 7);
    CHECK(word_vocab_id(&w.vocab, "First") == -1);   /* the vocabulary is lower-case */
    CHECK(word_vocab_id(&w.vocab, "o") == -1);
    word_corpus_free(&w);
}

static void test_word_counts(void)
{
    const char *text = "You are all resolved rather to die than to famish?\n\nAll:\nResolved. resolved.\n";
    char err[CORPUS_ERR_SIZE];
    WordCorpus w;
    CHECK(word_corpus_from_text(text, strlen(text), "citizens", &w, err) == 0);
    CHECK(w.count == 17);
    CHECK(w.vocab.size == 12);
    int resolved = word_vocab_id(&w.vocab, "resolved"), to = word_vocab_id(&w.vocab, "to");
    int all = word_vocab_id(&w.vocab, "all"), dot = word_vocab_id(&w.vocab, ".");
    CHECK(resolved == 3 && w.vocab.counts[resolved] == 3);
    CHECK(to >= 0 && w.vocab.counts[to] == 2);
    CHECK(all == 2 && w.vocab.counts[all] == 2);
    CHECK(dot >= 0 && w.vocab.counts[dot] == 2);
    CHECK(w.vocab.counts[word_vocab_id(&w.vocab, "famish")] == 1);
    long total = 0;
    for (int id = 0; id < w.vocab.size; id++)
        total += w.vocab.counts[id];
    CHECK(total == (long)w.count);
    word_corpus_free(&w);

    /* many distinct words: the hash table grows, and every word is still found */
    size_t cap = 6 * 5000 + 1, len = 0;
    char *many = malloc(cap);
    for (int i = 0; i < 5000; i++)
        len += (size_t)snprintf(many + len, cap - len, "w%d ", i % 3000);
    CHECK(word_corpus_from_text(many, len, "many", &w, err) == 0);
    CHECK(w.count == 5000 && w.vocab.size == 3000);
    CHECK(word_vocab_id(&w.vocab, "w2999") == 2999 && w.vocab.counts[2999] == 1 && w.vocab.counts[0] == 2);
    CHECK(strcmp(word_vocab_word(&w.vocab, 1234), "w1234") == 0);
    word_corpus_free(&w);
    free(many);
}

/* ---- the vocabulary as a string, and back ------------------------------------------- */

static void test_char_vocab_round_trip(void)
{
    const char *text = "To be, or not to be:\n\"\\\" caf\xC3\xA9 \xF0\x9F\x98\x80\t";
    char err[CORPUS_ERR_SIZE];
    CharCorpus c;
    CHECK(char_corpus_from_text(text, strlen(text), "t", &c, err) == 0);
    char *s = char_vocab_to_string(&c.vocab);
    CHECK(strcmp(s, "\t\n \",:T\\abcefnort\xC3\xA9\xF0\x9F\x98\x80") == 0);
    CharVocab v;
    CHECK(char_vocab_from_string(s, "model.safetensors", &v, err) == 0);
    CHECK(v.size == c.vocab.size);
    for (int id = 0; id < v.size && id < c.vocab.size; id++) {
        CHECK(v.code_points[id] == c.vocab.code_points[id]);
        CHECK(strcmp(v.chars[id], c.vocab.chars[id]) == 0);
    }
    char *again = char_vocab_to_string(&v);
    CHECK(strcmp(again, s) == 0);
    free(again);
    free(s);
    char_vocab_free(&v);
    char_corpus_free(&c);
}

static void test_word_vocab_round_trip(void)
{
    const char *text = "O Romeo, Romeo! wherefore art thou Romeo? caf\xC3\xA9 o'er to-morrow -- \"";
    char err[CORPUS_ERR_SIZE];
    WordCorpus w;
    CHECK(word_corpus_from_text(text, strlen(text), "t", &w, err) == 0);
    char *s = word_vocab_to_string(&w.vocab);
    CHECK(strcmp(s, "o romeo , ! wherefore art thou ? caf\xC3\xA9 o'er to-morrow -- \"") == 0);
    WordVocab v;
    CHECK(word_vocab_from_string(s, "model.safetensors", &v, err) == 0);
    CHECK(v.size == w.vocab.size);
    for (int id = 0; id < v.size && id < w.vocab.size; id++) {
        CHECK(strcmp(word_vocab_word(&v, id), word_vocab_word(&w.vocab, id)) == 0);
        CHECK(word_vocab_id(&v, word_vocab_word(&w.vocab, id)) == id);
        CHECK(v.counts[id] == 0);
    }
    char *again = word_vocab_to_string(&v);
    CHECK(strcmp(again, s) == 0);
    free(again);
    free(s);
    word_vocab_free(&v);
    word_corpus_free(&w);
}

static void check_char_parse_fails(const char *s, const char *what)
{
    char err[CORPUS_ERR_SIZE] = "";
    CharVocab v;
    CHECK(char_vocab_from_string(s, "m.safetensors", &v, err) == -1);
    CHECK(names_file_and_says(err, "m.safetensors", what));
    CHECK(v.size == 0 && v.code_points == NULL);
}

static void check_word_parse_fails(const char *s, const char *what)
{
    char err[CORPUS_ERR_SIZE] = "";
    WordVocab v;
    CHECK(word_vocab_from_string(s, "m.safetensors", &v, err) == -1);
    CHECK(names_file_and_says(err, "m.safetensors", what));
    CHECK(v.size == 0 && v.strings == NULL);
}

static void test_vocab_parse_errors(void)
{
    check_char_parse_fails("", "character vocabulary: empty");
    check_char_parse_fails("abc\xFF", "invalid UTF-8 at byte 3");
    check_char_parse_fails("ab\xC3\xA9\xC3", "invalid UTF-8 at byte 4");
    check_char_parse_fails("abbc", "U+0062 appears twice (ids 1 and 2)");
    check_char_parse_fails("abca", "U+0061 after U+0063 at byte 3");
    check_char_parse_fails("\xC3\xA9" "a", "U+0061 after U+00E9 at byte 2");

    check_word_parse_fails("", "word vocabulary: empty");
    check_word_parse_fails("to be  or", "an empty word at byte 6");
    check_word_parse_fails(" to", "an empty word at byte 0");
    check_word_parse_fails("to be ", "an empty word at byte 6");
    check_word_parse_fails("to\tbe", "whitespace other than a space at byte 2");
    check_word_parse_fails("to be\nor", "whitespace other than a space at byte 5");
    check_word_parse_fails("to be or not to", "the word 'to' appears twice (ids 0 and 4)");
    check_word_parse_fails("caf\xE9 au lait", "invalid UTF-8 at byte 3");
}

/* The strings survive a model file: model.c escapes them as JSON and reads them back. */
static void test_vocab_in_a_model_file(void)
{
    const char *text = "First Citizen:\n\"Speak, speak.\" \\ caf\xC3\xA9\t\xF0\x9F\x98\x80\r\n";
    char err[CORPUS_ERR_SIZE], path[512];
    CharCorpus c;
    WordCorpus w;
    CHECK(char_corpus_from_text(text, strlen(text), "t", &c, err) == 0);
    CHECK(word_corpus_from_text(text, strlen(text), "t", &w, err) == 0);
    char *chars = char_vocab_to_string(&c.vocab), *words = word_vocab_to_string(&w.vocab);
    ParamSet ps;
    params_init(&ps);
    params_add(&ps, "W", 2, (int[]){c.vocab.size, 2}, 1);
    params_alloc(&ps);
    const char *meta[] = {"chars", chars, "words", words, NULL};
    tmp_path(path, "vocab.safetensors");
    CHECK(model_save(path, &ps, meta, err) == 0);

    char value[1024];
    CharVocab cv;
    CHECK(model_read_metadata(path, "chars", value, sizeof value, err) == 0);
    CHECK(strcmp(value, chars) == 0);
    CHECK(char_vocab_from_string(value, path, &cv, err) == 0 && cv.size == c.vocab.size);
    WordVocab wv;
    CHECK(model_read_metadata(path, "words", value, sizeof value, err) == 0);
    CHECK(strcmp(value, words) == 0);
    CHECK(word_vocab_from_string(value, path, &wv, err) == 0 && wv.size == w.vocab.size);
    CHECK(word_vocab_id(&wv, "\"") == 3 && word_vocab_id(&wv, "speak") == 4);
    CHECK(word_vocab_id(&wv, "\\") == 7 && word_vocab_id(&wv, "\xF0\x9F\x98\x80") == 9);
    char_vocab_free(&cv);
    word_vocab_free(&wv);
    params_free(&ps);
    free(chars);
    free(words);
    char_corpus_free(&c);
    word_corpus_free(&w);
}

/* ---- files: gzip, and everything that is not a text ---------------------------------- */

static void test_gzip_and_bom(void)
{
    const char *text = "Now is the winter of our discontent\nMade glorious summer\n";
    char p[512], q[512], err[CORPUS_ERR_SIZE];
    CharCorpus plain, gz;
    CHECK(char_corpus_load(write_text(p, "richard.txt", text, strlen(text)), &plain, err) == 0);
    CHECK(char_corpus_load(write_gz(q, "richard.txt.gz", text, strlen(text)), &gz, err) == 0);
    CHECK(gz.count == plain.count && gz.vocab.size == plain.vocab.size);
    CHECK(gz.count > 0 && memcmp(gz.ids, plain.ids, gz.count * sizeof *gz.ids) == 0);
    char_corpus_free(&gz);

    /* a byte-order mark is not part of the text */
    char with_bom[128] = "\xEF\xBB\xBF";
    strcat(with_bom, text);
    CHECK(char_corpus_load(write_text(p, "bom.txt", with_bom, strlen(with_bom)), &gz, err) == 0);
    CHECK(gz.count == plain.count && gz.vocab.size == plain.vocab.size);
    char *s;
    size_t n;
    CHECK(corpus_read_text(p, &s, &n, err) == 0 && n == strlen(text) && strcmp(s, text) == 0);
    free(s);
    char_corpus_free(&gz);
    char_corpus_free(&plain);
}

static void test_bad_files(void)
{
    char p[512];
    tmp_path(p, "no-such-file.txt");
    check_load_fails(p, "cannot open (No such file or directory)");
    check_load_fails(write_text(p, "empty.txt", "", 0), "empty file");
    check_load_fails(write_text(p, "bom-only.txt", "\xEF\xBB\xBF", 3), "only a byte-order mark");
    check_load_fails(write_text(p, "binary.bin", "abc\n\x89PNG\0\0\x01", 11), "binary file, not text: a NUL byte at byte 8");
    check_load_fails(write_text(p, "latin1.txt", "line one\ncaf\xE9 au lait\n", 22), "invalid UTF-8 at byte 12 (line 2): 0xe9");
    check_load_fails(write_text(p, "cut.txt", "abc\xE2\x82", 5), "invalid UTF-8 at byte 3 (line 1)");
    check_load_fails(write_text(p, "bom-latin1.txt", "\xEF\xBB\xBF" "ab\xFF", 6), "invalid UTF-8 at byte 5");
    check_load_fails(tmp, "read error");   /* a folder */

    /* gzip: cut short, corrupted, compressed twice */
    const char *text = "Is this a dagger which I see before me,\nThe handle toward my hand?\n";
    char gz_path[512];
    write_gz(gz_path, "macbeth.gz", text, strlen(text));
    size_t n;
    unsigned char *gz = test_read_bytes(gz_path, &n);
    check_load_fails(write_text(p, "cut.gz", (const char *)gz, n - 10), "truncated gzip data");
    gz[n - 6] ^= 0x40;   /* in the CRC-32 at the end: zlib's check fails */
    check_load_fails(write_text(p, "corrupt.gz", (const char *)gz, n), "corrupt gzip data");
    gz[n - 6] ^= 0x40;
    write_gz(p, "twice.gz", gz, n);
    check_load_fails(p, "gzip data inside gzip (compressed twice?)");
    free(gz);
}

/* The cap stops the reading as soon as it is passed, plain or gzip (a gzip
 * bomb of 1 MB of 'a' here, under a cap of 1000 bytes). */
static void test_size_cap(void)
{
    char p[512], err[CORPUS_ERR_SIZE];
    char *text;
    size_t n;
    write_text(p, "hundred.txt", "0123456789012345678901234567890123456789012345678901234567890123456789"
                                 "012345678901234567890123456789", 100);
    CHECK(corpus_read_text_max(p, 100, &text, &n, err) == 0 && n == 100);
    free(text);
    CHECK(corpus_read_text_max(p, 99, &text, &n, err) == -1 && text == NULL);
    CHECK(names_file_and_says(err, p, "too large: more than the 99 bytes of text allowed"));

    size_t big = 1 << 20;
    char *a = malloc(big);
    memset(a, 'a', big);
    write_gz(p, "bomb.gz", a, big);
    free(a);
    CHECK(corpus_read_text_max(p, 1000, &text, &n, err) == -1);
    CHECK(names_file_and_says(err, p, "too large: more than the 1000 bytes"));
    CHECK(corpus_read_text_max(p, big, &text, &n, err) == 0 && n == big && text[big - 1] == 'a' && text[big] == 0);
    free(text);
    CHECK(corpus_read_text_max(p, big - 1, &text, &n, err) == -1);
    CHECK(names_file_and_says(err, p, "too large: more than the 1048575 bytes"));
}

static void test_whitespace_is_characters_not_words(void)
{
    /* check_load_fails above wants both loaders to fail: whitespace alone is
     * a text of characters, though, and only the word loader refuses it */
    char p[512], err[CORPUS_ERR_SIZE];
    CharCorpus c;
    CHECK(char_corpus_load(write_text(p, "blank.txt", " \n\t ", 4), &c, err) == 0 && c.vocab.size == 3);
    char_corpus_free(&c);
    WordCorpus w;
    CHECK(word_corpus_load(p, &w, err) == -1 && names_file_and_says(err, p, "no words"));
}

static void test_length_and_split(void)
{
    char err[CORPUS_ERR_SIZE];
    CHECK(corpus_check_length("t.txt", 36, "characters", 35, err) == 0);
    CHECK(corpus_check_length("t.txt", 35, "characters", 35, err) == -1);
    CHECK(names_file_and_says(err, "t.txt", "too short: 35 characters, and a sequence of 35 needs 36"));
    CHECK(corpus_check_length("t.txt", 100, "words", 0, err) == -1);
    CHECK(names_file_and_says(err, "t.txt", "the length must be at least 1"));

    size_t train, val;
    CHECK(corpus_split("t.txt", 1000, "characters", 99, &train, &val, err) == 0);
    CHECK(train == 900 && val == 100);
    CHECK(corpus_split("t.txt", 1009, "characters", 99, &train, &val, err) == 0);
    CHECK(train == 909 && val == 100);
    CHECK(corpus_split("t.txt", 1000, "words", 100, &train, &val, err) == -1);
    CHECK(names_file_and_says(err, "t.txt", "of its 1000 words, the last 10% (100) are for validation, "
                                            "and a sequence of 100 needs 101"));
    CHECK(corpus_split("t.txt", 5, "words", 1, &train, &val, err) == -1);
}

/* ---- the real Tiny Shakespeare --------------------------------------------------- */

static const char *shakespeare_path(char *buf)
{
    snprintf(buf, 512, "data/tinyshakespeare/input.txt");
    if (access(buf, R_OK) == 0)
        return buf;
    const char *mirror = getenv("DL_DATA_MIRROR");
    if (mirror && *mirror) {
        snprintf(buf, 512, "%s/tinyshakespeare/input.txt", mirror);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return NULL;
}

static void test_tiny_shakespeare(void)
{
    char p[512], err[CORPUS_ERR_SIZE];
    const char *path = shakespeare_path(p);
    CHECK(path != NULL);    /* make test fetches it (it ships in scripts/data) */
    if (!path)
        return;
    CharCorpus c;
    CHECK(char_corpus_load(path, &c, err) == 0);
    CHECK(c.count == 1115394);
    CHECK(c.vocab.size == 65);
    char *s = char_vocab_to_string(&c.vocab);
    CHECK(strcmp(s, "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 0);
    free(s);
    CHECK(c.ids[0] == char_vocab_id(&c.vocab, 'F') && c.ids[5] == char_vocab_id(&c.vocab, ' '));
    size_t train, val;
    CHECK(corpus_split(path, c.count, "characters", 256, &train, &val, err) == 0);
    CHECK(val == 111539 && train == 1003855);

    /* the same, read through gzip */
    size_t n;
    unsigned char *bytes = test_read_bytes(path, &n);
    CharCorpus gz;
    CHECK(char_corpus_load(write_gz(p, "input.txt.gz", bytes, n), &gz, err) == 0);
    CHECK(gz.count == c.count && memcmp(gz.ids, c.ids, c.count * sizeof *c.ids) == 0);
    CHECK(decodes_to(&c, (const char *)bytes));
    char_corpus_free(&gz);
    char_corpus_free(&c);

    /* words: counted by an independent Python script with the same rules */
    WordCorpus w;
    CHECK(word_corpus_from_text((const char *)bytes, n, path, &w, err) == 0);
    CHECK(w.count == 249839);
    CHECK(w.vocab.size == 13154);
    const char *first[] = {"first", "citizen", ":", "before", "we", "proceed", "any", "further", ",", "hear"};
    for (int id = 0; id < 10; id++)
        CHECK(strcmp(word_vocab_word(&w.vocab, id), first[id]) == 0);
    CHECK(w.vocab.counts[word_vocab_id(&w.vocab, ",")] == 19846);
    CHECK(w.vocab.counts[word_vocab_id(&w.vocab, "the")] == 6283);
    CHECK(w.vocab.counts[word_vocab_id(&w.vocab, "o'er")] == 40);
    CHECK(w.vocab.counts[word_vocab_id(&w.vocab, "'tis")] == 335);
    CHECK(w.vocab.counts[word_vocab_id(&w.vocab, "to-morrow")] == 63);
    CHECK(w.vocab.counts[word_vocab_id(&w.vocab, "--")] == 446);
    char *words = word_vocab_to_string(&w.vocab);
    WordVocab v;
    CHECK(word_vocab_from_string(words, "shakespeare", &v, err) == 0 && v.size == w.vocab.size);
    word_vocab_free(&v);
    free(words);
    word_corpus_free(&w);
    free(bytes);
}

/* ---- the fuzzer's seeds and the inputs that once broke the loader ----------------------- */

/* As fuzz/fuzz_corpus.c: the file loaded as characters and as words, and its bytes
 * (up to a NUL) parsed as both vocabularies. ok-* files must load. */
static void feed_file(const char *path, const char *name)
{
    char err[CORPUS_ERR_SIZE] = "";
    int want_ok = strncmp(name, "ok-", 3) == 0;
    CharCorpus c;
    int rc = char_corpus_load(path, &c, err);
    CHECK(rc == 0 || names_file_and_says(err, path, ""));
    CHECK(want_ok == (rc == 0));
    if (want_ok != (rc == 0))
        printf("    (%s: expected it to %s: \"%s\")\n", path, want_ok ? "load" : "fail", err);
    char_corpus_free(&c);
    WordCorpus w;
    rc = word_corpus_load(path, &w, err);
    CHECK(rc == 0 || names_file_and_says(err, path, ""));
    word_corpus_free(&w);

    size_t n;
    char *bytes = (char *)test_read_bytes(path, &n);   /* NUL-terminated */
    CharVocab cv;
    if (char_vocab_from_string(bytes, path, &cv, err) == 0) {
        char *s = char_vocab_to_string(&cv);
        CHECK(strcmp(s, bytes) == 0);
        free(s);
        char_vocab_free(&cv);
    } else {
        CHECK(names_file_and_says(err, path, "character vocabulary: "));
    }
    WordVocab wv;
    if (word_vocab_from_string(bytes, path, &wv, err) == 0) {
        char *s = word_vocab_to_string(&wv);
        CHECK(strcmp(s, bytes) == 0);
        free(s);
        word_vocab_free(&wv);
    } else {
        CHECK(names_file_and_says(err, path, "word vocabulary: "));
    }
    free(bytes);
}

static int feed_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            feed_file(path, e->d_name);
            count++;
        }
    closedir(d);
    return count;
}

static void test_fuzz_seeds_and_regressions(void)
{
    int seeds = feed_folder("fuzz/corpus/corpus");
    CHECK(seeds >= 4);
    if (seeds < 4)
        printf("    (no seeds in fuzz/corpus/corpus; run the tests from the top folder)\n");
    feed_folder("fuzz/regressions/corpus");
}

int main(void)
{
    test_make_temp_dir(tmp, sizeof tmp, "test_corpus");
    RUN(test_char_vocab_and_ids);
    RUN(test_utf8_characters);
    RUN(test_utf8_decoder);
    RUN(test_word_splitting);
    RUN(test_word_counts);
    RUN(test_char_vocab_round_trip);
    RUN(test_word_vocab_round_trip);
    RUN(test_vocab_parse_errors);
    RUN(test_vocab_in_a_model_file);
    RUN(test_gzip_and_bom);
    RUN(test_bad_files);
    RUN(test_size_cap);
    RUN(test_whitespace_is_characters_not_words);
    RUN(test_length_and_split);
    RUN(test_tiny_shakespeare);
    RUN(test_fuzz_seeds_and_regressions);
    test_remove_dir(tmp);
    return test_summary();
}
