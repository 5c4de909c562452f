/* test_consumer.c - the record stream (core/consumer.h) that a translator
 * hands in, against the same executions handed in one instruction at a time
 * (cons_exec, the reference engine's path).
 *
 * Each case feeds two consumers with the same geometry: A instruction by
 * instruction, B through sequences, the engine's own counts (cons_seq_add)
 * and record words.  Every cost column of every instruction must agree, and
 * the costs that decide each case are also checked against values worked
 * out by hand (given with the case).
 *
 * Caches: I1 and D1 256 B, direct-mapped, 16 B lines (16 sets: set =
 * addr >> 4 & 15), LL 1 KiB 2-way.  Small enough that the order of two
 * fetches decides whether the second misses.
 */
#include <stdlib.h>

#include "core/consumer.h"
#include "core/vexdead.h"
#include "tests/unit/tap.h"

static struct dec *dec;

static struct consumer *new_cons_line(unsigned line)
{
    struct cons_config cfg = {.cache_sim = 1, .collecting = 1};
    cfg.geom.i1 = (struct cache_config){256, 1, line};
    cfg.geom.d1 = (struct cache_config){256, 1, line};
    cfg.geom.ll = (struct cache_config){1024, 2, line};
    return cons_new(&cfg);
}
static struct consumer *new_cons(void) { return new_cons_line(16); }

/* Describes the instruction in `bytes` at addr in c, on source line `line`,
 * with VEX block end `vexend`. */
static struct cons_insn *insn(struct consumer *c, uint64_t addr, const char *bytes, size_t len,
                              unsigned line, unsigned vexend)
{
    struct dec_insn *d = calloc(1, sizeof *d);
    struct diag_err e;
    if (dec_decode(dec, (const uint8_t *)bytes, len, addr, d, &e) != 0) {
        printf("# cannot decode: %s\n", e.msg);
        exit(1);
    }
    struct cons_insn *in = cons_insn_add(c, addr, d, (const uint8_t *)bytes, "t.c", "f", line);
    in->vexend = (uint8_t)vexend;
    free(d);
    return in;
}

static struct cons_insn *describe(void *ctx, uint64_t addr)
{
    return cons_insn_find(ctx, addr);
}

/* Once A's and B's counts are settled, every column of a and b's cells
 * agree. */
static void same_cells(struct consumer *A, struct consumer *B, struct cons_insn *const *a,
                       struct cons_insn *const *b, unsigned n, const char *what)
{
    int same = 1;
    cons_settle(A);
    cons_settle(B);
    for (unsigned k = 0; k < n; k++)
        for (unsigned ev = 0; ev < EV_N; ev++)
            if (a[k]->cell[ev] != b[k]->cell[ev]) {
                printf("# insn %u event %u: %lld vs %lld\n", k, ev, (long long)a[k]->cell[ev],
                       (long long)b[k]->cell[ev]);
                same = 0;
            }
    CHECK(same, what);
}

/* The record words of every site of one execution of q (none filtered), at
 * data addresses data[0..]: each preceded by ctx if ctx is nonzero. */
static size_t site_words(const struct cons_seq *q, const uint64_t *data, uint64_t ctx,
                         uint64_t *out)
{
    const struct cons_site *s;
    unsigned ns = cons_seq_sites(q, &s);
    size_t n = 0;
    for (unsigned i = 0; i < ns; i++) {
        if (ctx)
            out[n++] = ctx;
        out[n++] = (uint64_t)i << CONS_REC_TAG_SHIFT | (s[i].fetch ? 0 : *data++);
    }
    return n;
}

/* Block Q at 0x1000: a load, a store, a ret (ends every superblock: its
 * executions do not depend on where the superblock began, so the engine
 * may count them itself and hand in only the sites, after context words). */
static const char Q0[] = "\x48\x8b\x03", Q1[] = "\x48\x89\x01", Q2[] = "\xc3";

static void make_q(struct consumer *c, struct cons_insn **in)
{
    in[0] = insn(c, 0x1000, Q0, 3, 10, VEX_END_NONE); /* mov rax, [rbx] */
    in[1] = insn(c, 0x1003, Q1, 3, 11, VEX_END_NONE); /* mov [rcx], rax */
    in[2] = insn(c, 0x1006, Q2, 1, 12, VEX_END_OTHER); /* ret */
}

/* Addresses of execution x of Q: load, store, the ret's stack read. */
static void q_addrs(unsigned x, uint64_t *a)
{
    a[0] = 0x8000 + 0x100 * (x % 3); /* all in D1 set 0: they evict each other */
    a[1] = 0x9008 + 0x10 * x;
    a[2] = 0x7ff0;
}

/* The words of one execution of q as global words: its sites numbered from
 * base in the engine's table, data addresses kept to their 32-byte lines
 * (none of Q's accesses leaves its line). */
/* With fetch_lines, a fetch's word holds its 32-byte line (CONS_REC_GFETCH),
 * as the translator writes it when the LL's lines are no smaller than I1's;
 * otherwise address 0. */
static int fetch_lines;
static size_t global_words(const struct cons_seq *q, const uint64_t *data, uint32_t base,
                           uint64_t *out)
{
    const struct cons_site *s;
    unsigned ns = cons_seq_sites(q, &s);
    for (unsigned i = 0; i < ns; i++)
        out[i] = !s[i].fetch ? cons_rec_gword(base + i) | (*data++ & ~31ull)
                 : fetch_lines ? cons_rec_gfetch(base + i, s[i].addr & ~31ull)
                               : cons_rec_gword(base + i);
    return ns;
}

/* Five executions of Q (q_addrs 0 to 4): one by one in A, through the
 * stream in B, as context words (gs NULL) or as global words numbered from
 * 1000 in gs. */
static void five_q(struct consumer *A, struct cons_insn **a, struct consumer *B,
                   struct cons_seq *q, const struct cons_gsite *gs, size_t n_gs)
{
    uint64_t words[64];
    for (unsigned x = 0; x < 5; x++) {
        uint64_t ad[3];
        q_addrs(x, ad);
        for (unsigned k = 0; k < 3; k++)
            cons_exec(A, a[k], &ad[k], 1);
        cons_seq_add(B, q, 1);
        size_t n = gs ? global_words(q, ad, 1000, words) : site_words(q, ad, CONS_REC_CTX(0), words);
        cons_stream(B, &q, 1, gs, n_gs, words, words + n);
    }
}

static void test_context_words(void)
{
    struct consumer *A = new_cons(), *B = new_cons();
    struct cons_insn *a[3], *b[3];
    make_q(A, a);
    make_q(B, b);
    struct cons_seq *q = cons_seq_new(B, (const struct cons_insn *const *)b, 3, 1);
    five_q(A, a, B, q, NULL, 0);
    uint64_t words[64];
    same_cells(A, B, a, b, 3, "context words + engine counts = instruction by instruction");
    CHECK_INT(b[0]->cell[EV_IR], 5, "Ir of the load: 5 executions");
    CHECK_INT(b[0]->cell[EV_DR], 5, "Dr of the load");
    /* 0x8000, 0x8100, 0x8200, 0x8000, 0x8100: each evicts the last (set 0),
     * and the store (set 0, then 1, 2, 3, 4) evicts the load's line in
     * execution 0 only: every load misses. */
    CHECK_INT(b[0]->cell[EV_D1MR], 5, "D1mr of the load: set 0 thrashes");
    CHECK_INT(b[1]->cell[EV_DW], 5, "Dw of the store");
    CHECK_INT(b[2]->cell[EV_I1MR], 0, "the ret's fetch shares the block's line: no I1 miss");
    CHECK_INT(b[0]->cell[EV_I1MR], 1, "the block's line misses once in I1");

    /* A partial execution: only the load ran.  The store's and the ret's
     * sites in the words are ignored, the context words skipped. */
    uint64_t ad[3] = {0xa000, 0xa100, 0x7ff0};
    cons_exec(A, a[0], &ad[0], 1);
    size_t n = site_words(q, ad, CONS_REC_CTX(0), words);
    cons_stream_part(B, q, NULL, 0, words, words + n, 1);
    same_cells(A, B, a, b, 3, "partial execution after context words = its first instruction");
    CHECK_INT(b[0]->cell[EV_IR], 6, "Ir of the load: 6");
    CHECK_INT(b[1]->cell[EV_IR], 5, "Ir of the store: still 5");
    CHECK_INT(b[1]->cell[EV_DW], 5, "Dw of the store: still 5");
    cons_free(A);
    cons_free(B);
}

/* Global words; with_lines: fetches' words hold their line (CONS_REC_GFETCH),
 * which the worker looks up in I1 without reading the site. */
static void test_global_words(int with_lines)
{
    printf("# global words, fetches %s\n", with_lines ? "with their line" : "at address 0");
    fetch_lines = with_lines;
    /* 32-byte lines: a global word keeps only the line of an address (the
     * translator uses them only with lines of 32 bytes or more). */
    struct consumer *A = new_cons_line(32), *B = new_cons_line(32);
    struct cons_insn *a[3], *b[3];
    make_q(A, a);
    make_q(B, b);
    struct cons_seq *q = cons_seq_new(B, (const struct cons_insn *const *)b, 3, 1);
    /* Numbers from 1000: both parts of a global word's number are used. */
    const struct cons_site *sites;
    unsigned ns = cons_seq_sites(q, &sites), end = 1000 + ns;
    CHECK_INT(ns, 4, "Q's sites: its fetch, the load, the store, the ret's read");
    static struct cons_gsite gs[1005];
    for (unsigned i = 0; i < ns; i++)
        gs[1000 + i] = cons_gsite_of(q, i);
    CHECK_INT(cons_rec_gsite(cons_rec_gword(1001) | 0x7fffffffffc0ull), 1001,
              "a global word's number survives its line address");
    CHECK_INT(cons_rec_gsite(cons_rec_gfetch(1003, 0x7fffffffffe0ull)), 1003,
              "a fetch's global word keeps its number beside its line");
    five_q(A, a, B, q, gs, end);
    uint64_t words[64];
    same_cells(A, B, a, b, 3, "global words + engine counts = instruction by instruction");
    CHECK_INT(b[0]->cell[EV_D1MR], 5, "D1mr of the load through global words: set 0 thrashes");
    CHECK_INT(b[0]->cell[EV_I1MR], 1, "the block's line misses once in I1");

    /* A number past the table counts nothing. */
    uint64_t ad[3] = {0xb000, 0xb100, 0x7ff0};
    size_t n = global_words(q, ad, 1000, words);
    cons_stream(B, &q, 1, gs, 1000, words, words + n);
    same_cells(A, B, a, b, 3, "global words past the table: nothing counted");

    /* A partial execution: only the load ran; a global word of another
     * sequence's site is not this one's. */
    q_addrs(5, ad);
    cons_exec(A, a[0], &ad[0], 1);
    n = global_words(q, ad, 1000, words);
    struct cons_seq *other = cons_seq_new(B, (const struct cons_insn *const *)b, 2, 1);
    gs[end] = cons_gsite_of(other, 1); /* the other's load, at another address */
    words[n++] = cons_rec_gword(end) | 0xc000;
    cons_stream_part(B, q, gs, end + 1, words, words + n, 1);
    same_cells(A, B, a, b, 3, "partial execution in global words = its first instruction");
    CHECK_INT(b[0]->cell[EV_IR], 6, "Ir of the load: 6");
    CHECK_INT(b[1]->cell[EV_IR], 5, "Ir of the store: still 5");
    fetch_lines = 0;
    cons_free(A);
    cons_free(B);
}

/* Block J at 0x2000: cmp; jne 0x2100, whose &&-idiom merges the add at
 * 0x2009 (its fall-through side).  The branch is taken to R (a ret at
 * 0x2100, I1 set 0 like J's line 0x2000): VEX counts the merged add anyway,
 * and fetches it, before R.  In that order, the add's fetch hits J's line
 * and R's misses; R first would evict J's line and make the add miss. */
static const char J0[] = "\x48\x39\xd8", J1[] = "\x0f\x85\xf7\x00\x00\x00",
                  M0[] = "\x48\x83\xc0\x01", R0[] = "\xc3";

static void make_j(struct consumer *c, struct cons_insn **in)
{
    in[0] = insn(c, 0x2000, J0, 3, 20, VEX_END_NONE);  /* cmp rax, rbx */
    in[1] = insn(c, 0x2003, J1, 6, 21, VEX_END_COND);  /* jne 0x2100 */
    cons_insn_set_andand(c, in[1], 1, (const uint64_t[]){0x2009});
    in[2] = insn(c, 0x2009, M0, 4, 22, VEX_END_NONE);  /* add rax, 1 */
    in[3] = insn(c, 0x2100, R0, 1, 23, VEX_END_OTHER); /* ret */
    cons_set_describer(c, describe, c);
}

static void test_direction_byte(void)
{
    struct consumer *A = new_cons(), *B = new_cons();
    struct cons_insn *a[4], *b[4];
    make_j(A, a);
    make_j(B, b);
    uint64_t stack = 0x7ff0;
    cons_exec(A, a[0], NULL, 0);
    cons_exec(A, a[1], NULL, 0);
    cons_exec(A, a[3], &stack, 1);

    struct cons_seq *seqs[2];
    seqs[0] = cons_seq_new(B, (const struct cons_insn *const *)b, 2, 1);
    seqs[1] = cons_seq_new(B, (const struct cons_insn *const *)&b[3], 1, 1);
    uint64_t words[16];
    size_t n = 0;
    /* J's start word, its direction byte set to "taken", its sites; then
     * R's sites after context words, R counted by the engine. */
    words[n++] = (CONS_REC_START(0) & ~(0xFFull << 8 * CONS_REC_DIR_BYTE)) |
                 1ull << 8 * CONS_REC_DIR_BYTE;
    n += site_words(seqs[0], NULL, 0, words + n);
    n += site_words(seqs[1], &stack, CONS_REC_CTX(1), words + n);
    cons_seq_add(B, seqs[1], 1);
    cons_stream(B, seqs, 2, NULL, 0, words, words + n);
    same_cells(A, B, a, b, 4, "direction byte: the idiom decided before later sites");
    CHECK_INT(b[2]->cell[EV_IR], 1, "the merged add is counted once (the idiom)");
    CHECK_INT(b[2]->cell[EV_I1MR], 0, "its fetch hits J's line");
    CHECK_INT(b[3]->cell[EV_I1MR], 1, "R's fetch misses");
    CHECK_INT(b[0]->cell[EV_I1MR], 1, "J's line missed once");

    /* Not taken: the superblock goes on into the merged add, nothing extra. */
    words[0] = CONS_REC_START(0) & ~(0xFFull << 8 * CONS_REC_DIR_BYTE);
    n = 1 + site_words(seqs[0], NULL, 0, words + 1);
    cons_stream(B, seqs, 2, NULL, 0, words, words + n);
    cons_settle(B);
    CHECK_INT(b[2]->cell[EV_IR], 1, "not taken: the add is not counted before it runs");
    CHECK_INT(b[0]->cell[EV_IR], 2, "J ran twice");
    cons_free(A);
    cons_free(B);
}

int main(void)
{
    struct diag_err e;
    dec = dec_new(&e);
    if (!dec) {
        printf("# %s\n", e.msg);
        return 1;
    }
    test_context_words();
    test_global_words(0);
    test_global_words(1);
    test_direction_byte();
    dec_free(dec);
    return tap_done();
}
