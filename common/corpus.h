/* corpus.h - a text as ids: the vocabularies of chapter 05 (the sequel's
 * preprocess() and the character tables of char-rnn), on any UTF-8 text.
 *
 * Loading: the file may be plain or gzip-compressed (read through zlib, as
 * idx.c reads MNIST). It must be UTF-8 text of 1 byte to CORPUS_MAX_BYTES; a
 * leading byte-order mark is dropped. Each of these is an error naming the
 * file: it is missing, empty, larger than the cap, binary (it holds a NUL
 * byte), or not valid UTF-8 (with the offset of the first bad byte).
 *
 * Character level: the vocabulary is the distinct Unicode code points of the
 * text (not bytes: 'é' or 'λ' is one character), sorted, with ids 0..V-1.
 * Tiny Shakespeare has 65: '\n', ' ', '!', ... 'z'.
 *
 * Word level, the sequel's preprocess() made precise for Shakespeare:
 *   1. the text is lower-cased (A-Z, and the capitals of Latin-1, Greek and
 *      Cyrillic; other letters stay as they are);
 *   2. whitespace (space, tab, newline, carriage return, form feed, vertical
 *      tab) separates words;
 *   3. each of  . , ; : ! ? " ( )  is a word of its own ("lord," is "lord" ","),
 *      and so is a dash, a run of two or more hyphens ("to--" is "to" "--");
 *   4. every other character belongs to the word it is in: apostrophes
 *      ("o'er", "'tis", "i'"), single hyphens ("to-morrow"), digits, letters.
 * Ids are given in order of first appearance (the book's word_to_id), and the
 * vocabulary counts each word (word2vec's negative sampler needs them). Tiny
 * Shakespeare gives 249,839 words, 13,154 distinct.
 *
 * Functions that can fail return 0 (or a count) on success and -1 on failure,
 * with a one-line message "<path>: <problem>" in err (FILE_ERR_SIZE bytes). */
#ifndef DL_CORPUS_H
#define DL_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "file_error.h"

#define CORPUS_ERR_SIZE FILE_ERR_SIZE
/* The largest text loaded: 256 MB, 250 times Tiny Shakespeare. As ids it takes
 * 4 bytes a character, so a text at the cap needs about 1.3 GB in all. */
#define CORPUS_MAX_BYTES ((size_t)256 << 20)
/* The most distinct words: far more than any real vocabulary (WikiText-103
 * has 267,735); more means the text is not words at all. */
#define WORD_VOCAB_MAX (1 << 21)
/* The train/validation split: the last 10% of a text is for validation. */
#define CORPUS_VAL_PERCENT 10

/* ---- the text ------------------------------------------------------------ */

/* The text a chapter's --data names: the file itself, or input.txt in the folder
 * it names (as data/tinyshakespeare), written into path. */
void corpus_text_path(const char *data, char *path, size_t size);

/* The whole of path (plain or .gz) as validated UTF-8, NUL-terminated, in
 * *text (malloc'ed, free it), its length in bytes in *size. */
int corpus_read_text(const char *path, char **text, size_t *size, char *err);
/* The same with a cap of max_bytes (at most CORPUS_MAX_BYTES) instead. */
int corpus_read_text_max(const char *path, size_t max_bytes, char **text, size_t *size, char *err);

/* 1-4 bytes of UTF-8 at s (n bytes available): the length of the first code
 * point, stored in *cp, or 0 if the bytes are not valid UTF-8 (a stray
 * continuation byte, a cut-off sequence, an overlong form, a surrogate, or a
 * code point past U+10FFFF). */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* cp as UTF-8 into out (at least 5 bytes), NUL-terminated; returns its length. */
int utf8_encode(uint32_t cp, char *out);

/* ---- characters ------------------------------------------------------------ */

typedef struct {
    int size;                /* V, the number of distinct characters */
    uint32_t *code_points;   /* code_points[id], in increasing order */
    char (*chars)[5];        /* chars[id]: the character as a UTF-8 string, for printing */
} CharVocab;

typedef struct {
    CharVocab vocab;
    int *ids;                /* the text, one id per character */
    size_t count;            /* how many characters */
} CharCorpus;

/* Load path and build its character vocabulary and ids. */
int char_corpus_load(const char *path, CharCorpus *c, char *err);
/* The same from text already in memory (size bytes); path only names it in errors. */
int char_corpus_from_text(const char *text, size_t size, const char *path, CharCorpus *c, char *err);
/* As char_corpus_load, but a failure is fatal (exit 1), with a hint to run `make data`. */
void char_corpus_load_or_die(const char *path, CharCorpus *c);
void char_corpus_free(CharCorpus *c);
void char_vocab_free(CharVocab *v);

/* The id of code point cp, or -1 if the vocabulary does not hold it. */
int char_vocab_id(const CharVocab *v, uint32_t cp);
/* A UTF-8 string (a prompt) as ids, into ids[0..max). Returns how many, or -1
 * with "<what>: ..." in err for invalid UTF-8, a character the vocabulary does
 * not hold, or more than max characters. */
int char_vocab_encode(const CharVocab *v, const char *s, int *ids, int max, const char *what, char *err);

/* Saving the vocabulary with a model, as one metadata string: the characters
 * in id order, concatenated as UTF-8 ("\n !$&'...xyz" for Shakespeare).
 * Returns a malloc'ed string. */
char *char_vocab_to_string(const CharVocab *v);
/* Parse such a string back. It must be non-empty valid UTF-8 whose characters
 * are in strictly increasing order (so none is repeated). source names where
 * the string came from (the model file) in errors. */
int char_vocab_from_string(const char *s, const char *source, CharVocab *v, char *err);

/* ---- words ----------------------------------------------------------------- */

typedef struct {
    int size;                /* V, the number of distinct words */
    char *strings;           /* the words, each NUL-terminated, one after another */
    size_t *offsets;         /* word id starts at strings + offsets[id] */
    int *counts;             /* how often each word occurs (0 after word_vocab_from_string) */
    int *slots;              /* a hash table of ids (-1: empty), for word -> id */
    size_t slot_count;       /* a power of two, at least twice size */
    size_t strings_size, strings_cap, cap;   /* bytes used and allocated; ids allocated */
} WordVocab;

typedef struct {
    WordVocab vocab;
    int *ids;                /* the text, one id per word */
    size_t count;            /* how many words */
} WordCorpus;

int word_corpus_load(const char *path, WordCorpus *c, char *err);
int word_corpus_from_text(const char *text, size_t size, const char *path, WordCorpus *c, char *err);
void word_corpus_load_or_die(const char *path, WordCorpus *c);
void word_corpus_free(WordCorpus *c);
void word_vocab_free(WordVocab *v);

/* The word of an id, and the id of a word (-1 if absent; give it lower-case). */
const char *word_vocab_word(const WordVocab *v, int id);
int word_vocab_id(const WordVocab *v, const char *word);

/* Saving: the words in id order, separated by one space ("first citizen : before ..."):
 * no word holds a space. Returns a malloc'ed string. */
char *word_vocab_to_string(const WordVocab *v);
/* Parse it back: non-empty valid UTF-8, words separated by single spaces, no
 * empty word, no other whitespace, no word twice. The counts are all 0. */
int word_vocab_from_string(const char *s, const char *source, WordVocab *v, char *err);

/* ---- lengths and the split --------------------------------------------------- */

/* A sequence of seq_len inputs needs seq_len + 1 tokens: the targets are the
 * inputs one step on. Returns 0 if count tokens are enough, else -1 with
 * "<path>: too short ..." in err. unit names the tokens: "characters", "words". */
int corpus_check_length(const char *path, size_t count, const char *unit, int seq_len, char *err);

/* The last CORPUS_VAL_PERCENT % of count tokens for validation, the rest for
 * training: ids[0, *train_count) and ids[*train_count, count). Each part must
 * hold a sequence of seq_len (see corpus_check_length), else -1 and err. */
int corpus_split(const char *path, size_t count, const char *unit, int seq_len, size_t *train_count,
                 size_t *val_count, char *err);

#endif
