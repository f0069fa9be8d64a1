/* seq_data.h - question/answer pairs of characters for seq2seq (the sequel's
 * dataset/sequence.py), and two seeded generators of them.
 *
 * A pair is two short strings: "16+75" -> "91", "27 sep 94" -> "1994-09-27".
 * A net reads ids, so a CharTable numbers the characters, and a batch needs
 * rows of one width, so each side is padded:
 *
 *   encoder xs  (count, Tx)  the question, padded on the right ("16+75  "), or
 *                            the whole padded row reversed ("  57+61", the
 *                            book's x[:, ::-1]: the first digits the decoder
 *                            writes were the last the encoder read)
 *   decoder in  (count, Ty)  the start mark, then the answer ("_91 ")
 *   targets ts  (count, Ty)  the answer, one end mark if there is room, then
 *                            IGNORE_LABEL ("91 " + ignored): the loss never
 *                            asks for the padding, only for where it starts
 *
 * Decoding reads characters until the end mark (or Ty of them): that string is
 * the answer, and "exact match" is that string equal to the true answer.
 *
 * The generators draw from one seed, keep only unique questions (a held-out
 * question then cannot also be a training question), and the split is the
 * last held_out fraction of their random order. */
#ifndef DL_SEQ_DATA_H
#define DL_SEQ_DATA_H

#include <stddef.h>
#include <stdint.h>

/* ---- characters ------------------------------------------------------------------------ */

typedef struct {
    int size;               /* characters in the table */
    char chars[128];        /* id -> character (7-bit ASCII only) */
    int id[128];            /* character -> id, -1 if absent */
} CharTable;

/* The distinct characters of s, sorted by code. Dies on a byte outside 1..127. */
void char_table_init(CharTable *t, const char *s);
/* The id of c, or -1 if the table does not hold it (or c is not ASCII). */
int char_table_id(const CharTable *t, int c);
/* The table's characters as a string (for a model's metadata). */
const char *char_table_string(const CharTable *t, char *buf, int size);

/* ---- pairs of strings --------------------------------------------------------------------- */

typedef struct {
    int count;
    int qw, aw;             /* the longest question and answer, in characters */
    int stride_q, stride_a; /* bytes a question / an answer takes in q / a */
    char *q, *a;            /* count strings each, NUL-terminated */
} TextPairs;

static inline const char *pair_question(const TextPairs *p, int i) { return p->q + (size_t)i * p->stride_q; }
static inline const char *pair_answer(const TextPairs *p, int i) { return p->a + (size_t)i * p->stride_a; }

/* Room for count pairs of at most qw and aw characters; count starts at 0. */
void text_pairs_alloc(TextPairs *p, int capacity, int qw, int aw);
/* Append one pair (dies if it is too long or there is no room). */
void text_pairs_add(TextPairs *p, const char *q, const char *a);
void text_pairs_free(TextPairs *p);
/* The first count - held pairs to train, the last held to test (copies). */
void text_pairs_split(const TextPairs *all, int held, TextPairs *train, TextPairs *test);

/* The book's addition.txt, made here: count unique problems "a+b" with a and b
 * of 1 to 3 digits (the number of digits drawn first, then the number, as the
 * book's file has as many 1-digit as 3-digit numbers), answered "a+b" -> sum.
 * count must be at most 1,000,000 (there are 1,232,100 problems). */
void addition_pairs(TextPairs *p, int count, uint64_t seed);
/* Longest question ("999+999") and answer ("1998"). */
enum { ADDITION_QW = 7, ADDITION_AW = 4 };

/* Dates from 1950-01-01 to 2049-12-31 written as people write them, each with
 * its ISO form: "september 27, 1994", "27 SEP 1994", "9/27/94", "Tuesday,
 * September 27, 1994", ... (date_format_count formats, listed in seq_data.c),
 * count unique questions (at most 500,000). A 2-digit year means 1950-2049. */
void date_pairs(TextPairs *p, int count, uint64_t seed);
enum { DATE_QW = 29, DATE_AW = 10 };
int date_format_count(void);
/* Date d (days since 1970-01-01) in format f, into buf (at least DATE_QW + 1 bytes). */
void date_format(char *buf, int f, long days);
/* ISO "YYYY-MM-DD" of days since 1970-01-01. */
void date_iso(char *buf, long days);

/* Pairs of speeches from a play laid out as Tiny Shakespeare is: a speech is
 * a block of lines after a line "NAME:", blocks apart by a blank line. Each
 * speech is paired with the next one when another speaker says it (the
 * reply); lines are joined with spaces. The question is the last qw
 * characters of the first speech (the end is what is answered), the answer
 * the first aw characters of the reply, both cut at a word boundary. Bytes
 * outside printable ASCII and the marks in `drop` become spaces. Pairs come in
 * the order of the text. Returns the number of pairs. */
int speech_pairs(TextPairs *p, const char *text, int qw, int aw, const char *drop);

/* ---- padded ids ------------------------------------------------------------------------------- */

typedef struct {
    char pad, start, end;   /* characters for padding, the start mark, the end mark */
    int reverse;            /* reverse the encoder's rows */
} SeqFormat;

typedef struct {
    int count, Tx, Ty;
    int *xs;                /* (count, Tx) */
    int *dec_in;            /* (count, Ty) */
    int *ts;                /* (count, Ty), IGNORE_LABEL after the end mark */
} SeqSet;

/* Encode pairs with t for an encoder of Tx steps and a decoder of Ty steps.
 * Returns 0, or -1 with a one-line message in err (err_size bytes) naming the
 * pair whose character t lacks or which is too long. */
int seq_set_encode(SeqSet *s, const TextPairs *p, const CharTable *t, const SeqFormat *f, int Tx, int Ty,
                   char *err, int err_size);
void seq_set_free(SeqSet *s);
/* One question into a padded (and maybe reversed) row of Tx ids; -1 with err as above. */
int seq_encode_question(int *xs, const char *q, const CharTable *t, const SeqFormat *f, int Tx, char *err,
                        int err_size);
/* Decoded ids (Ty of them) as text, up to the end mark: the answer. */
void seq_decode_answer(char *out, const int *ids, int Ty, const CharTable *t, const SeqFormat *f);

#endif
