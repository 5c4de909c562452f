/* test_decode.c - unit tests of core/decode.c: bytes -> length, flow, rep kind
 * and access list, and recipe evaluation on fabricated register states.
 *
 * Every expectation is what VEX (Valgrind 3.19's guest_amd64_toIR.c) does for
 * the instruction, hand-derived and confirmed by tests/e2e/decode_cachegrind.sh
 * against Cachegrind and Lackey run live; the Capstone 4.0.2 quirk each case
 * exercises is named next to it.  Bytes are gas's encodings.
 *
 * Access format: K SIZE ADDR [GUARD], joined by "; ".  K is R (read), W (write)
 * or M (modify).  ADDR is [fs:|gs:][a32:]base[+index*scale][+vN.dL*scale]
 * [+al][+disp][+bit(reg/size)|+bitm(reg/size)]; vN.dL / vN.qL is dword / qword
 * lane L of vector register N.  GUARD is ?vN.lL (sign of lane L of vN) or
 * ?eax&MASK (xsave component bits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode.h"
#include "tests/unit/tap.h"

static const char *const regname[DEC_NREGS] = {
    "", "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
};

static void fmt_addr(char *s, size_t cap, const struct dec_access *a)
{
    const struct dec_addr *m = &a->addr;
    size_t k = 0;
    int any = 0;
#define PUT(...) (k += (size_t)snprintf(s + k, cap - k, __VA_ARGS__))
    if (m->seg)
        PUT("%s:", m->seg == DEC_SEG_FS ? "fs" : "gs");
    if (m->addr32)
        PUT("a32:");
    if (m->base) {
        PUT("%s", regname[m->base]);
        any = 1;
    }
    if (m->index) {
        PUT("%s%s*%u", any ? "+" : "", regname[m->index], m->scale);
        any = 1;
    }
    if (m->vsib) {
        PUT("%sv%u.%c%u*%u", any ? "+" : "", m->vindex, m->vindex_q ? 'q' : 'd', m->lane, m->scale);
        any = 1;
    }
    if (m->idx_al) {
        PUT("%sal", any ? "+" : "");
        any = 1;
    }
    if (m->disp || !any) {
        if (!any)
            PUT("0x%llx", (unsigned long long)m->disp);
        else if (m->disp < 0)
            PUT("-0x%llx", (unsigned long long)-m->disp);
        else
            PUT("+0x%llx", (unsigned long long)m->disp);
    }
    if (m->bitreg)
        PUT("+%s(%s/%u)", m->bitmask ? "bitm" : "bit", regname[m->bitreg], m->bitsize);
    if (m->masked || m->vsib)
        PUT(" ?v%u.l%u", m->vmask, m->lane);
    if (m->rfbm)
        PUT(" ?eax&%u", m->rfbm);
#undef PUT
}

static char fmtbuf[4096];

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *fmt(const struct dec_insn *in)
{
    size_t k = 0;
    fmtbuf[0] = 0;
    for (unsigned i = 0; i < in->n_acc && k < sizeof fmtbuf - 128; i++) {
        char a[128];
        fmt_addr(a, sizeof a, &in->acc[i]);
        k += (size_t)snprintf(fmtbuf + k, sizeof fmtbuf - k, "%s%c%u %s", i ? "; " : "",
                              "?RWM"[in->acc[i].kind], in->acc[i].size, a);
    }
    return fmtbuf;
}

static struct dec *d;

/* The bytes of a hex string ("48 8b 05"), at most cap; returns how many. */
static size_t parse_hex(const char *hex, uint8_t *b, size_t cap)
{
    size_t n = 0;
    for (const char *p = hex; *p && n < cap;) {
        char *end;
        unsigned long v = strtoul(p, &end, 16);
        if (end == p)
            break;
        b[n++] = (uint8_t)v;
        p = end;
    }
    return n;
}

/* Decodes a hex byte string at address 0x1000. */
static int decode_hex(const char *hex, struct dec_insn *in, struct diag_err *e)
{
    uint8_t b[64];
    return dec_decode(d, b, parse_hex(hex, b, sizeof b), 0x1000, in, e);
}

/* One case: bytes, expected length, flow, rep and accesses. */
static void t(const char *hex, unsigned len, int flow, int rep, const char *acc, const char *what)
{
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    char name[256];
    if (decode_hex(hex, &in, &e) != 0) {
        snprintf(name, sizeof name, "%s: decodes", what);
        CHECK(0, name);
        printf("  %s\n", e.msg);
        return;
    }
    snprintf(name, sizeof name, "%s: length", what);
    CHECK_INT(in.len, len, name);
    snprintf(name, sizeof name, "%s: flow", what);
    CHECK_INT(in.flow, flow, name);
    snprintf(name, sizeof name, "%s: rep", what);
    CHECK_INT(in.rep, rep, name);
    snprintf(name, sizeof name, "%s: accesses", what);
    CHECK_STR(fmt(&in), acc, name);
}

#define N DEC_FLOW_NONE
#define NR DEC_REP_NONE

static void test_alu(void)
{
    t("48 03 07", 3, N, NR, "R8 rdi", "add rax,[rdi]: a source is read");
    t("48 01 07", 3, N, NR, "M8 rdi", "add [rdi],rax: read-modify-write is one modify (1 Dr)");
    t("48 83 47 08 01", 5, N, NR, "M8 rdi+0x8", "add qword [rdi+8],1");
    t("f0 48 83 07 01", 5, N, NR, "R8 rdi; M8 rdi", "lock add: load + CAS = read then modify (Dr=2)");
    t("f0 ff 07", 3, N, NR, "R4 rdi; M4 rdi", "lock inc dword [rdi]");
    t("48 39 0f", 3, N, NR, "R8 rdi", "cmp [rdi],rcx: operand 0 only read");
    t("48 85 0f", 3, N, NR, "R8 rdi", "test [rdi],rcx");
    t("48 f7 67 30", 4, N, NR, "R8 rdi+0x30", "mul qword [rdi+0x30]: operand 0 is a source");
    t("6b 4f 30 05", 4, N, NR, "R4 rdi+0x30", "imul ecx,[rdi+0x30],5");
    t("48 d1 27", 3, N, NR, "M8 rdi", "shl qword [rdi],1");
    t("48 89 07", 3, N, NR, "W8 rdi", "mov [rdi],rax");
    t("0f 95 47 01", 4, N, NR, "W1 rdi+0x1", "setne [rdi+1]");
    t("48 0f 44 07", 4, N, NR, "R8 rdi", "cmove rax,[rdi]: loaded whatever the condition");
    t("48 a1 88 77 66 55 44 33 22 11", 10, N, NR, "R8 0x1122334455667788", "movabs rax,[moffs64]");
    t("d7", 1, N, NR, "R1 rbx+al", "xlat (VEX rejects it; hardware semantics)");
}

static void test_atomics(void)
{
    t("48 87 07", 3, N, NR, "R8 rdi; M8 rdi", "xchg [rdi],rax: implicitly locked");
    t("48 0f c1 07", 4, N, NR, "M8 rdi", "xadd [rdi],rax");
    t("f0 48 0f c1 07", 5, N, NR, "R8 rdi; M8 rdi", "lock xadd");
    t("48 0f b1 0f", 4, N, NR, "M8 rdi", "cmpxchg [rdi],rcx: Capstone says read only");
    t("f0 48 0f b1 0f", 5, N, NR, "M8 rdi", "lock cmpxchg: a CAS alone, one modify");
    t("0f c7 0f", 3, N, NR, "M8 rdi", "cmpxchg8b");
    t("48 0f c7 0f", 4, N, NR, "M16 rdi", "cmpxchg16b");
}

static void test_bits(void)
{
    t("48 0f ab 07", 4, N, NR, "M1 rdi+bit(rax/8)", "bts [rdi],rax: one byte at rdi + (rax>>3)");
    t("66 0f ab 07", 4, N, NR, "M1 rdi+bit(rax/2)", "bts [rdi],ax: 16-bit offset");
    t("f0 48 0f ab 07", 5, N, NR, "R1 rdi+bit(rax/8); M1 rdi+bit(rax/8)", "lock bts [rdi],rax");
    t("48 0f a3 07", 4, N, NR, "R1 rdi+bit(rax/8)", "bt [rdi],rax");
    t("0f ba 67 08 21", 5, N, NR, "R4 rdi+0x8", "bt dword [rdi+8],33: whole operand");
    t("f0 48 0f ba 6f 08 02", 7, N, NR, "R8 rdi+0x8; M8 rdi+0x8", "lock bts qword [rdi+8],2");
    t("48 0f a3 c3", 4, N, NR, "W8 rsp-0x120; R1 rsp-0x120+bitm(rax/8)",
      "bt rbx,rax: VEX spills rbx below the red zone");
    t("48 0f ab c3", 4, N, NR, "W8 rsp-0x120; M1 rsp-0x120+bitm(rax/8); R8 rsp-0x120",
      "bts rbx,rax: spill, modify, reload (the manual's reg,reg quirk)");
    t("48 0f ba e0 03", 5, N, NR, "", "bt rax,3: no memory");
}

static void test_stack(void)
{
    t("50", 1, N, NR, "W8 rsp-0x8", "push rax: Capstone reports no stack write");
    t("ff 74 24 08", 4, N, NR, "R8 rsp+0x8; W8 rsp-0x8", "push [rsp+8]: load with the old rsp");
    t("66 6a 03", 3, N, NR, "W2 rsp-0x2", "pushw 3");
    t("58", 1, N, NR, "R8 rsp", "pop rax");
    t("66 58", 2, N, NR, "R2 rsp", "pop ax");
    t("8f 44 24 08", 4, N, NR, "R8 rsp; W8 rsp+0x10", "pop [rsp+8]: address after rsp += 8");
    t("8f 07", 2, N, NR, "R8 rsp; W8 rdi", "pop [rdi]");
    t("0f a0", 2, N, NR, "W8 rsp-0x8", "push fs: a zero-extended 8-byte slot (VEX rejects it)");
    t("0f a1", 2, N, NR, "R8 rsp", "pop fs");
    t("9c", 1, N, NR, "W8 rsp-0x8", "pushfq");
    t("9d", 1, N, NR, "R8 rsp", "popfq");
    t("e8 00 01 00 00", 5, DEC_FLOW_CALL, NR, "W8 rsp-0x8", "call rel32: Capstone reports no stack write");
    t("ff d0", 2, DEC_FLOW_CALL_IND, NR, "W8 rsp-0x8", "call rax");
    t("ff 17", 2, DEC_FLOW_CALL_IND, NR, "R8 rdi; W8 rsp-0x8", "call [rdi]: Capstone reports only the load");
    t("c3", 1, DEC_FLOW_RET, NR, "R8 rsp", "ret");
    t("c2 08 00", 3, DEC_FLOW_RET, NR, "R8 rsp", "ret 8");
    t("f3 c3", 2, DEC_FLOW_RET, NR, "R8 rsp", "rep ret is not a string instruction");
    t("48 cf", 2, DEC_FLOW_RET, NR, "R8 rsp; R8 rsp+0x10; R8 rsp+0x18", "iretq: VEX reads rip, rflags, rsp");
    t("c9", 1, N, NR, "R8 rbp", "leave");
    t("c8 20 00 00", 4, N, NR, "W8 rsp-0x8", "enter 32,0");
    t("c8 10 00 02", 4, N, NR, "W8 rsp-0x8; R8 rbp-0x8; W8 rsp-0x10; W8 rsp-0x18",
      "enter 16,2 (VEX rejects nesting; hardware semantics)");
}

static void test_strings(void)
{
    t("f3 a4", 2, N, DEC_REP, "R1 rsi; W1 rdi", "rep movsb: one element per iteration");
    t("48 a5", 2, N, NR, "R8 rsi; W8 rdi", "movsq");
    t("66 f3 ab", 3, N, DEC_REP, "W2 rdi", "rep stosw: Capstone 4.0.2 drops the 66 before f3");
    t("48 ab", 2, N, NR, "W8 rdi", "stosq");
    t("f3 a6", 2, N, DEC_REPE, "R1 rdi; R1 rsi", "repe cmpsb: VEX loads (rdi) first");
    t("66 a7", 2, N, NR, "R2 rdi; R2 rsi", "cmpsw");
    t("f2 ae", 2, N, DEC_REPNE, "R1 rdi", "repne scasb");
    t("af", 1, N, NR, "R4 rdi", "scasd");
    t("48 ad", 2, N, NR, "R8 rsi", "lodsq");
    t("f3 ac", 2, N, DEC_REP, "R1 rsi", "rep lodsb (VEX runs one iteration; see docs)");
    t("64 a4", 2, N, NR, "R1 fs:rsi; W1 rdi", "fs movsb: the override applies to rsi");
    t("67 a4", 2, N, NR, "R1 a32:rsi; W1 a32:rdi", "addr32 movsb");
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    decode_hex("f3 48 a5", &in, &e);
    CHECK_INT(in.str_size, 8, "rep movsq: element size 8");
    decode_hex("66 f3 ab", &in, &e);
    CHECK_INT(in.str_size, 2, "rep stosw: element size 2");
    decode_hex("48 01 07", &in, &e);
    CHECK_INT(in.str_size, 0, "add: no element size");
}

static void test_no_access(void)
{
    t("48 8d 04 8f", 4, N, NR, "", "lea: Capstone reports a read");
    t("66 0f 1f 04 00", 5, N, NR, "", "nopw [rax+rax]: Capstone reports a read");
    t("0f 18 08", 3, N, NR, "", "prefetcht0: Capstone reports a read");
    t("0f 0d 0f", 3, N, NR, "", "prefetchw");
    t("0f ae 3f", 3, N, NR, "", "clflush");
    t("f3 90", 2, N, NR, "", "pause");
    t("f3 0f 1e fa", 4, N, NR, "", "endbr64");
    t("f3 48 0f 1e c8", 5, N, NR, "", "rdsspq rax: hint-space nop (Capstone 4.0.2 cannot decode it)");
    t("f3 0f 1e 4c 24 08", 6, N, NR, "", "hint-space nop with a memory operand: no access");
    t("0f 01 ee", 3, N, NR, "", "rdpkru (Capstone 4.0.2 cannot decode it)");
    t("0f a2", 2, DEC_FLOW_CPUID, NR, "", "cpuid");
    t("0f 31", 2, DEC_FLOW_RDTSC, NR, "", "rdtsc");
    t("0f 01 f9", 3, DEC_FLOW_RDTSC, NR, "", "rdtscp");
    t("48 0f c7 f0", 4, DEC_FLOW_RDRAND, NR, "", "rdrand rax");
    t("48 0f c7 f8", 4, DEC_FLOW_RDRAND, NR, "", "rdseed rax");
    t("0f 05", 2, DEC_FLOW_SYSCALL, NR, "", "syscall");
    t("cc", 1, DEC_FLOW_TRAP, NR, "", "int3");
    t("cd 80", 2, DEC_FLOW_TRAP, NR, "", "int 0x80");
    t("0f 0b", 2, DEC_FLOW_TRAP, NR, "", "ud2");
    t("f4", 1, DEC_FLOW_TRAP, NR, "", "hlt");
}

static void test_branches(void)
{
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    t("74 05", 2, DEC_FLOW_JCC, NR, "", "je");
    decode_hex("74 05", &in, &e);
    CHECK_INT(in.target, 0x1007, "je +5 at 0x1000: target");
    t("e9 fb 00 00 00", 5, DEC_FLOW_JMP, NR, "", "jmp rel32");
    decode_hex("e9 fb 00 00 00", &in, &e);
    CHECK_INT(in.target, 0x1100, "jmp rel32: target");
    t("e2 fe", 2, DEC_FLOW_JCC, NR, "", "loop");
    t("e3 00", 2, DEC_FLOW_JCC, NR, "", "jrcxz");
    t("ff 24 c1", 3, DEC_FLOW_JMP_IND, NR, "R8 rcx+rax*8", "jmp [rcx+rax*8]: jump table");
    t("ff e0", 2, DEC_FLOW_JMP_IND, NR, "", "jmp rax");
    decode_hex("ff d0", &in, &e);
    CHECK_INT(in.target, 0, "indirect call: no target");
}

static void test_x87(void)
{
    t("d9 07", 2, N, NR, "R4 rdi", "fld dword");
    t("db 2f", 2, N, NR, "R10 rdi", "fld tbyte: a 10-byte dirty helper");
    t("d9 17", 2, N, NR, "W4 rdi", "fst dword: Capstone says read");
    t("db 3f", 2, N, NR, "W10 rdi", "fstp tbyte");
    t("df 3f", 2, N, NR, "W8 rdi", "fistp qword: Capstone says read");
    t("d9 3f", 2, N, NR, "W2 rdi", "fnstcw");
    t("d9 2f", 2, N, NR, "R2 rdi", "fldcw");
    t("dd 3f", 2, N, NR, "W2 rdi", "fnstsw m16: Capstone says 4 bytes");
    t("d9 37", 2, N, NR, "W28 rdi", "fnstenv");
    t("d9 27", 2, N, NR, "R28 rdi", "fldenv");
    t("dd 37", 2, N, NR, "W108 rdi", "fnsave: Capstone says 4 bytes");
    t("dd 27", 2, N, NR, "R108 rdi", "frstor");
    t("66 dd 37", 3, N, NR, "W94 rdi", "16-bit fnsave");
}

static void test_save_areas(void)
{
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    char want[2048];
    size_t k = 0;
    k += (size_t)snprintf(want + k, sizeof want - k, "W160 rdi; W8 rdi+0x18");
    for (int r = 0; r < 16; r++)
        k += (size_t)snprintf(want + k, sizeof want - k, "; W16 rdi+0x%x", 160 + 16 * r);
    t("0f ae 07", 3, N, NR, want, "fxsave: x87 image, MXCSR, 16 xmm stores");

    decode_hex("0f ae 27", &in, &e);
    CHECK_INT(in.n_acc, 35, "xsave: 35 accesses");
    fmt(&in);
    CHECK(starts(fmtbuf, "W160 rdi ?eax&1; W8 rdi+0x18 ?eax&6; W16 rdi+0xa0 ?eax&2; W16 rdi+0xb0 ?eax&2"),
          "xsave: components gated by EAX bits");
    CHECK(strstr(fmtbuf, "W16 rdi+0x240 ?eax&4") != NULL, "xsave: ymm upper halves at 576");
    CHECK(strstr(fmtbuf, "; M1 rdi+0x200") != NULL, "xsave: XSTATE_BV byte modified last");

    decode_hex("0f ae 2f", &in, &e);
    CHECK_INT(in.n_acc, 37, "xrstor: 37 accesses");
    fmt(&in);
    CHECK(starts(fmtbuf, "R8 rdi+0x200; R8 rdi+0x208; R8 rdi+0x210; R160 rdi ?eax&1; R8 rdi+0x18 ?eax&6"),
          "xrstor: header read first");
}

static void test_sse_avx(void)
{
    t("0f 28 06", 3, N, NR, "R16 rsi", "movaps xmm0,[rsi]");
    t("0f 29 07", 3, N, NR, "W16 rdi", "movaps [rdi],xmm0");
    t("c5 fe 7f a7 a1 00 00 00", 8, N, NR, "W32 rdi+0xa1", "vmovdqu [rdi+0xa1],ymm4");
    t("66 0f 3a 14 57 01 01", 7, N, NR, "W1 rdi+0x1", "pextrb [rdi+1]: Capstone says read");
    t("66 0f 3a 0a 5e 04 01", 7, N, NR, "R4 rsi+0x4", "roundss: Capstone gives no access bits");
    t("f3 0f 2d 46 04", 5, N, NR, "R4 rsi+0x4", "cvtss2si: Capstone gives no access bits");
    t("0f 2f 66 04", 4, N, NR, "R4 rsi+0x4", "comiss m32: Capstone says 16 bytes");
    t("66 0f f1 76 20", 5, N, NR, "R8 rsi+0x20", "psllw xmm,m128: VEX loads the low 64 bits");
    t("c5 7d f1 56 20", 5, N, NR, "R8 rsi+0x20", "vpsllw ymm,ymm,m128");
    t("0f 60 4e 04", 4, N, NR, "R8 rsi+0x4", "punpcklbw mm1,m32: VEX loads 8 (Capstone 5 says 4)");
    t("66 0f 60 0e", 4, N, NR, "R16 rsi", "punpcklbw xmm1,m128");
    t("0f 5a 66 08", 4, N, NR, "R4 rsi+0x8; R4 rsi+0xc", "cvtps2pd: VEX loads lane by lane");
    t("c5 fc 5a 76 10", 5, N, NR, "R4 rsi+0x10; R4 rsi+0x14; R4 rsi+0x18; R4 rsi+0x1c", "vcvtps2pd ymm");
    t("66 0f 3a 09 5e 10 01", 7, N, NR, "R8 rsi+0x10; R8 rsi+0x18", "roundpd: by lane");
    t("66 0f 2d 46 08", 5, N, NR, "R8 rsi+0x8; R8 rsi+0x10", "cvtpd2pi: by lane");
    t("c4 e2 fd 98 6e 20", 6, N, NR, "R8 rsi+0x20; R8 rsi+0x28; R8 rsi+0x30; R8 rsi+0x38",
      "vfmadd132pd ymm: packed FMA loads by lane");
    t("c5 ff 12 4e 10", 5, N, NR, "R8 rsi+0x10; R8 rsi+0x20", "vmovddup ymm: the two even qwords");
    t("c4 e3 65 06 26 21", 6, N, NR, "R16 rsi", "vperm2f128 0x21: only the low half is used");
    t("c4 e3 65 06 26 31", 6, N, NR, "R16 rsi+0x10", "vperm2f128 0x31: only the high half");
    t("c4 e3 65 06 26 88", 6, N, NR, "", "vperm2f128 0x88: both halves zeroed");
    t("c4 e3 65 46 26 32", 6, N, NR, "R16 rsi; R16 rsi+0x10", "vperm2i128 0x32: both halves");
    t("c4 e2 7d 5a 56 10", 6, N, NR, "R16 rsi+0x10", "vbroadcasti128: Capstone 4.0.2 cannot decode it");
    t("64 c4 e2 7d 5a 14 48", 7, N, NR, "R16 fs:rax+rcx*2", "fs vbroadcasti128 [rax+rcx*2]");
    t("c4 e2 7d 5a 15 00 01 00 00", 9, N, NR, "R16 rip+0x100", "vbroadcasti128 [rip+0x100]");
    t("66 0f f7 c1", 4, N, NR, "M16 rdi", "maskmovdqu: VEX loads and stores all 16 bytes at [rdi]");
    t("0f f7 c2", 3, N, NR, "M8 rdi", "maskmovq");
    t("c4 62 1d 2c 2e", 5, N, NR,
      "R4 rsi ?v12.l0; R4 rsi+0x4 ?v12.l1; R4 rsi+0x8 ?v12.l2; R4 rsi+0xc ?v12.l3; "
      "R4 rsi+0x10 ?v12.l4; R4 rsi+0x14 ?v12.l5; R4 rsi+0x18 ?v12.l6; R4 rsi+0x1c ?v12.l7",
      "vmaskmovps ymm13,ymm12,[rsi]: one guarded load per lane");
    t("c4 62 19 2e af a0 01 00 00", 9, N, NR,
      "W4 rdi+0x1a0 ?v12.l0; W4 rdi+0x1a4 ?v12.l1; W4 rdi+0x1a8 ?v12.l2; W4 rdi+0x1ac ?v12.l3",
      "vmaskmovps [rdi+0x1a0],xmm12,xmm13");
    t("c4 62 9d 8c 2e", 5, N, NR,
      "R8 rsi ?v12.l0; R8 rsi+0x8 ?v12.l1; R8 rsi+0x10 ?v12.l2; R8 rsi+0x18 ?v12.l3",
      "vpmaskmovq ymm");
    t("c4 22 05 90 2c b6", 6, N, NR,
      "R4 rsi+v14.d0*4 ?v15.l0; R4 rsi+v14.d1*4 ?v15.l1; R4 rsi+v14.d2*4 ?v15.l2; "
      "R4 rsi+v14.d3*4 ?v15.l3; R4 rsi+v14.d4*4 ?v15.l4; R4 rsi+v14.d5*4 ?v15.l5; "
      "R4 rsi+v14.d6*4 ?v15.l6; R4 rsi+v14.d7*4 ?v15.l7",
      "vpgatherdd ymm: one read per lane");
    t("c4 22 05 91 6c 36 04", 7, N, NR,
      "R4 rsi+v14.q0*1+0x4 ?v15.l0; R4 rsi+v14.q1*1+0x4 ?v15.l1; "
      "R4 rsi+v14.q2*1+0x4 ?v15.l2; R4 rsi+v14.q3*1+0x4 ?v15.l3",
      "vpgatherqd xmm,[rsi+ymm14+4]: 4 qword indices");
    t("c4 22 81 92 2c 76", 6, N, NR, "R8 rsi+v14.d0*2 ?v15.l0; R8 rsi+v14.d1*2 ?v15.l1",
      "vgatherdpd xmm: 2 lanes");
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    decode_hex("c4 22 05 90 2c b6", &in, &e);
    CHECK_INT(in.needs_vregs, 1, "gather: needs vector registers");
    decode_hex("0f 28 06", &in, &e);
    CHECK_INT(in.needs_vregs, 0, "movaps: no vector registers needed");
}

static void test_segments(void)
{
    t("64 48 8b 04 25 28 00 00 00", 9, N, NR, "R8 fs:0x28", "mov rax,fs:[0x28]");
    t("65 48 8b 04 25 08 00 00 00", 9, N, NR, "R8 gs:0x8", "mov rax,gs:[8]");
    t("48 8b 05 10 00 00 00", 7, N, NR, "R8 rip+0x10", "mov rax,[rip+0x10]");
    t("67 8b 07", 3, N, NR, "R4 a32:rdi", "mov eax,[edi]");
}

/* The client request: 16-byte rotate preamble + marker. */
static void test_client_request(void)
{
    const char *pre = "48 c1 c7 03 48 c1 c7 0d 48 c1 c7 3d 48 c1 c7 33 ";
    char hex[128];
    struct dec_insn in;
    struct diag_err e = { { 0 } };

    snprintf(hex, sizeof hex, "%s48 87 db", pre);
    t(hex, 19, DEC_FLOW_CLREQ, NR, "", "client request: one 19-byte instruction, no data access");
    decode_hex(hex, &in, &e);
    CHECK_INT(in.special, DEC_SPECIAL_CLREQ, "client request: special kind");
    snprintf(hex, sizeof hex, "%s48 87 c9", pre);
    t(hex, 19, N, NR, "", "get NRADDR marker");
    decode_hex(hex, &in, &e);
    CHECK_INT(in.special, DEC_SPECIAL_NRADDR, "get NRADDR: special kind");
    snprintf(hex, sizeof hex, "%s48 87 d2", pre);
    t(hex, 19, DEC_FLOW_CALL_IND, NR, "W8 rsp-0x8", "call-noredir rax: VEX pushes the return address");
    snprintf(hex, sizeof hex, "%s48 87 ff", pre);
    t(hex, 19, N, NR, "", "IR injection marker");
    decode_hex(hex, &in, &e);
    CHECK_INT(in.special, DEC_SPECIAL_INJECT_IR, "IR injection: special kind");
    snprintf(hex, sizeof hex, "%s48 87 c0", pre);
    t(hex, 4, N, NR, "", "preamble + other xchg: just a rotate");
    t("48 c1 c7 03 48 c1 c7 0d 48 c1 c7 3d 48 c1 c7 33 48 87", 4, N, NR, "",
      "preamble cut short: just a rotate");
    decode_hex("48 c1 c7 03", &in, &e);
    CHECK_INT(in.special, DEC_SPECIAL_NONE, "plain rotate: not special");
}

static void test_errors(void)
{
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    if (!dec_has_avx512()) {
        CHECK_INT(decode_hex("62 f1 fe 28 6f 06", &in, &e), -1, "EVEX vmovdqu64: refused by Capstone 4");
        CHECK_STR(e.msg, "undecodable instruction at 0x1000: bytes 62 f1 fe 28 6f 06 (AVX-512? run with --cpuid=masked)",
                  "EVEX: message names address, bytes and the hint");
        e.msg[0] = 0;
        CHECK_INT(decode_hex("67 62 f1 7d 48 6f 06", &in, &e), -1, "EVEX behind a prefix: refused");
        CHECK(strstr(e.msg, "AVX-512?") != NULL, "EVEX behind a prefix: hint");
    }
    e.msg[0] = 0;
    CHECK_INT(decode_hex("0f 04", &in, &e), -1, "0f 04 (no such opcode): undecodable");
    CHECK(starts(e.msg, "undecodable instruction at 0x1000: bytes 0f 04 (invalid, or an extension Capstone "),
          "undecodable: message format");
    CHECK(strstr(e.msg, "AVX-512") == NULL, "non-EVEX: no AVX-512 hint");
    e.msg[0] = 0;
    CHECK_INT(decode_hex("48 8b", &in, &e), -1, "truncated instruction: undecodable");
    CHECK_INT(dec_decode(d, (const uint8_t *)"", 0, 0x2000, &in, &e), -1, "no bytes: undecodable");
}

/* ----------------------------------------------------------- evaluation */

static uint8_t vregs[16 * 32];

static void set_lane32(int reg, int lane, int32_t v)
{
    memcpy(vregs + 32 * reg + 4 * lane, &v, 4);
}

static void set_lane64(int reg, int lane, int64_t v)
{
    memcpy(vregs + 32 * reg + 8 * lane, &v, 8);
}

/* Evaluates access i of hex at register state r; returns "-" if it does not
 * happen, else the address in hex. */
static const char *ev(const char *hex, unsigned i, const struct dec_regs *r)
{
    static char buf[32];
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    uint64_t a = 0;
    if (decode_hex(hex, &in, &e) != 0 || i >= in.n_acc)
        return "decode failed";
    if (!dec_eval(&in, i, r, &a))
        return "-";
    snprintf(buf, sizeof buf, "%llx", (unsigned long long)a);
    return buf;
}

static void test_eval(void)
{
    struct dec_regs r;
    memset(&r, 0, sizeof r);
    r.gpr[DEC_RIP] = 0x1000; /* decode_hex decodes at 0x1000 */
    r.gpr[DEC_RSP] = 0x9000;
    r.gpr[DEC_RBP] = 0x9100;
    r.gpr[DEC_RSI] = 0x5000;
    r.gpr[DEC_RDI] = 0x100006000;
    r.gpr[DEC_RBX] = 0x2000;
    r.gpr[DEC_RAX] = 0x1234;
    r.gpr[DEC_RCX] = 3;
    r.fs_base = 0x7f0000000000;
    r.gs_base = 0x7e0000000000;
    r.vregs = vregs;

    CHECK_STR(ev("64 48 8b 04 25 28 00 00 00", 0, &r), "7f0000000028", "fs:[0x28] adds the fs base");
    CHECK_STR(ev("65 48 8b 04 25 08 00 00 00", 0, &r), "7e0000000008", "gs:[8] adds the gs base");
    CHECK_STR(ev("48 8b 05 10 00 00 00", 0, &r), "1017", "rip+0x10 counts from the next instruction");
    CHECK_STR(ev("c4 e2 7d 5a 15 00 01 00 00", 0, &r), "1109", "vbroadcasti128 [rip+0x100] (len 9)");
    CHECK_STR(ev("67 8b 07", 0, &r), "6000", "[edi] wraps to 32 bits");
    CHECK_STR(ev("67 a4", 1, &r), "6000", "addr32 movsb: rdi wraps");
    CHECK_STR(ev("64 a4", 0, &r), "7f0000005000", "fs movsb: fs:rsi");
    CHECK_STR(ev("ff 24 c1", 0, &r), "91a3", "jmp [rcx+rax*8] with rcx=3, rax=0x1234");
    r.gpr[DEC_RCX] = 0x4000;
    CHECK_STR(ev("ff 24 c1", 0, &r), "d1a0", "jmp [rcx+rax*8] = 0x4000 + 0x1234*8");
    CHECK_STR(ev("d7", 0, &r), "2034", "xlat: rbx + al");
    CHECK_STR(ev("50", 0, &r), "8ff8", "push: rsp-8");
    CHECK_STR(ev("8f 44 24 08", 0, &r), "9000", "pop [rsp+8]: reads [rsp]");
    CHECK_STR(ev("8f 44 24 08", 1, &r), "9010", "pop [rsp+8]: writes [rsp+16]");
    CHECK_STR(ev("c9", 0, &r), "9100", "leave reads [rbp]");

    /* bt* with a register bit offset: arithmetic shift of the sign-extended
     * offset; the reg,reg form masks it to the operand width. */
    r.gpr[DEC_RDI] = 0x6000;
    r.gpr[DEC_RAX] = (uint64_t)-9;
    CHECK_STR(ev("48 0f ab 07", 0, &r), "5ffe", "bts [rdi],rax with rax=-9: byte rdi-2");
    r.gpr[DEC_RAX] = 1000;
    CHECK_STR(ev("48 0f ab 07", 0, &r), "607d", "bts [rdi],rax with rax=1000: byte rdi+125");
    r.gpr[DEC_RAX] = 0x1fff7;
    CHECK_STR(ev("66 0f ab 07", 0, &r), "5ffe", "bts [rdi],ax: ax=0xfff7 is -9");
    r.gpr[DEC_RAX] = 0x80000000;
    CHECK_STR(ev("0f ab 07", 0, &r), "fffffffff0006000", "bts [rdi],eax: eax=0x80000000 is negative");
    r.gpr[DEC_RAX] = 127;
    CHECK_STR(ev("48 0f ab c3", 0, &r), "8ee0", "bts rbx,rax: spill at rsp-288");
    CHECK_STR(ev("48 0f ab c3", 1, &r), "8ee7", "bts rbx,rax=127: byte (127&63)>>3 = 7");
    CHECK_STR(ev("48 0f ab c3", 2, &r), "8ee0", "bts rbx,rax: reload");

    /* vpgatherdd ymm13,[rsi+ymm14*4],ymm15: disabled lanes read [rsp]. */
    static const int32_t idx[8] = { 0, 3, 6, 1, -1, 5, 2, 7 };
    static const int32_t mask[8] = { -1, 0, -1, -1, -1, 0, 0x7fffffff, (int32_t)0x80000000 };
    for (int i = 0; i < 8; i++) {
        set_lane32(14, i, idx[i]);
        set_lane32(15, i, mask[i]);
    }
    static const char *const want_dd[8] = { "5000", "9000", "5018", "5004", "4ffc", "9000", "9000", "501c" };
    for (int i = 0; i < 8; i++) {
        char what[96];
        snprintf(what, sizeof what, "vpgatherdd lane %d (index %d, mask %s)", i, idx[i],
                 mask[i] < 0 ? "on" : "off: reads [rsp]");
        CHECK_STR(ev("c4 22 05 90 2c b6", (unsigned)i, &r), want_dd[i], what);
    }
    /* vpgatherqd xmm13,[rsi+ymm14*1+4],xmm15: qword indices, dword mask lanes. */
    set_lane64(14, 0, 0x100);
    set_lane64(14, 1, -0x10);
    set_lane64(14, 2, 0x20);
    set_lane64(14, 3, 0x30);
    CHECK_STR(ev("c4 22 05 91 6c 36 04", 0, &r), "5104", "vpgatherqd lane 0");
    CHECK_STR(ev("c4 22 05 91 6c 36 04", 1, &r), "9000", "vpgatherqd lane 1: mask dword 1 is off");
    CHECK_STR(ev("c4 22 05 91 6c 36 04", 2, &r), "5024", "vpgatherqd lane 2");
    CHECK_STR(ev("c4 22 05 91 6c 36 04", 3, &r), "5034", "vpgatherqd lane 3");
    /* vgatherdpd xmm13,[rsi+xmm14*2],xmm15: dword indices, qword mask lanes. */
    set_lane32(14, 0, 8);
    set_lane32(14, 1, 16);
    set_lane64(15, 0, 1);
    set_lane64(15, 1, -1);
    CHECK_STR(ev("c4 22 81 92 2c 76", 0, &r), "9000", "vgatherdpd lane 0: qword mask 1 is off");
    CHECK_STR(ev("c4 22 81 92 2c 76", 1, &r), "5020", "vgatherdpd lane 1: 0x5000 + 16*2");

    /* vmaskmovps ymm13,ymm12,[rsi]: guarded lanes. */
    for (int i = 0; i < 8; i++)
        set_lane32(12, i, i & 1 ? -1 : 0);
    CHECK_STR(ev("c4 62 1d 2c 2e", 0, &r), "-", "vmaskmovps lane 0: mask off, no access");
    CHECK_STR(ev("c4 62 1d 2c 2e", 1, &r), "5004", "vmaskmovps lane 1");
    CHECK_STR(ev("c4 62 1d 2c 2e", 7, &r), "501c", "vmaskmovps lane 7");
    /* vpmaskmovq: qword lanes; the sign of each qword. */
    set_lane64(12, 0, -1);
    set_lane64(12, 1, 0x7fffffffffffffffLL);
    CHECK_STR(ev("c4 62 9d 8c 2e", 0, &r), "5000", "vpmaskmovq lane 0");
    CHECK_STR(ev("c4 62 9d 8c 2e", 1, &r), "-", "vpmaskmovq lane 1: sign clear");

    /* xsave/xrstor: components gated by EAX (the requested-feature bitmap). */
    r.gpr[DEC_RAX] = 6;
    CHECK_STR(ev("0f ae 27", 0, &r), "-", "xsave eax=6: no x87 image");
    CHECK_STR(ev("0f ae 27", 1, &r), "6018", "xsave eax=6: MXCSR");
    CHECK_STR(ev("0f ae 27", 2, &r), "60a0", "xsave eax=6: xmm0");
    CHECK_STR(ev("0f ae 27", 18, &r), "6240", "xsave eax=6: ymm0 upper half");
    CHECK_STR(ev("0f ae 27", 34, &r), "6200", "xsave: XSTATE_BV");
    r.gpr[DEC_RAX] = 1;
    CHECK_STR(ev("0f ae 27", 0, &r), "6000", "xsave eax=1: x87 image");
    CHECK_STR(ev("0f ae 27", 1, &r), "-", "xsave eax=1: no MXCSR");
    CHECK_STR(ev("0f ae 27", 2, &r), "-", "xsave eax=1: no xmm");
    CHECK_STR(ev("0f ae 2f", 0, &r), "6200", "xrstor: header read whatever EAX");
}

/* What a translator needs: every register touched (it picks scratch registers
 * among the others) and where a RIP-relative displacement sits. */
static void g(const char *hex, uint32_t want_in, uint32_t want_out, int rip_disp, const char *what)
{
    struct dec_insn in;
    struct diag_err e = { { 0 } };
    char name[256];
    snprintf(name, sizeof name, "%s: decodes, copyable", what);
    CHECK(decode_hex(hex, &in, &e) == 0 && in.copyable, name);
    snprintf(name, sizeof name, "%s: registers touched", what);
    CHECK((in.gprs & want_in) == want_in && (in.gprs & want_out) == 0, name);
    snprintf(name, sizeof name, "%s: rip displacement offset", what);
    CHECK_INT(in.rip_disp, rip_disp, name);
}

#define R(x) (uint32_t)DEC_FX_GPR(DEC_##x)

static void test_translator_facts(void)
{
    g("0f b6 c4", R(RAX), R(RBX) | R(RDX), 0, "movzx eax, ah: ah is rax");
    g("88 fe", R(RDX) | R(RBX), R(RCX) | R(RSI), 0, "mov dh, bh: high-byte registers are rdx, rbx");
    g("0f a3 f5", R(RBP) | R(RSI), R(RBX), 0, "bt ebp, esi (Capstone has no access table)");
    g("48 8b 05 10 00 00 00", R(RAX), R(RBX), 3, "mov rax, [rip+16]");
    g("c7 05 10 00 00 00 01 00 00 00", 0, R(RAX), 2, "mov dword [rip+16], 1: disp before imm");
    g("f3 a4", R(RSI) | R(RDI) | R(RCX), R(RBX), 0, "rep movsb: implicit rsi, rdi, rcx");
    g("48 f7 e3", R(RAX) | R(RDX) | R(RBX), R(RCX), 0, "mul rbx: implicit rax, rdx");
}

/* The decode cache (decode.c) gives what a fresh decode gives: the same
 * bytes at the same address twice, then other bytes at that address (code
 * rewritten), then the same bytes with fewer of them available after.  The
 * reference is a new decoder for each case, whose cache is empty. */
static void test_cache_same(void)
{
    struct dec_insn a, b, c;
    struct diag_err e = { { 0 } };
    static const char *const hex[] = {
        "48 8b 44 24 08 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90",
        "48 8b 44 24 08 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90",
        "c5 fd 6f 04 24 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90",
        "48 c1 c7 03 48 c1 c7 0d 48 c1 c7 3d 48 c1 c7 33 48 87 db",
        "48 c1 c7 03 48 c1 c7 0d 48 c1 c7 3d 48 c1 c7 33 48 87",
        "48 c1 c7 03 48 c1 c7 0d 48 c1 c7 3d 48 c1 c7 33 48 87 db",
    };
    static const unsigned len[] = {5, 5, 5, 19, 4, 19};
    static const unsigned n_acc[] = {1, 1, 1, 0, 0, 0};
    for (size_t i = 0; i < sizeof hex / sizeof *hex; i++) {
        uint8_t bytes[32];
        size_t n = parse_hex(hex[i], bytes, sizeof bytes);
        int r1 = dec_decode(d, bytes, n, 0x2000, &a, &e); /* cached after the first */
        int r2 = dec_decode(d, bytes, n, 0x2000, &b, &e); /* from the cache */
        struct dec *fresh = dec_new(NULL);
        int r3 = fresh ? dec_decode(fresh, bytes, n, 0x2000, &c, &e) : -1;
        dec_free(fresh);
        char what[96];
        snprintf(what, sizeof what, "cache: case %zu decodes as a fresh decoder does", i);
        CHECK(r1 == 0 && r2 == 0 && r3 == 0 && a.n_acc == b.n_acc && memcmp(&a, &b, DEC_INSN_SIZE(a.n_acc)) == 0 &&
                  strcmp(a.text, b.text) == 0 &&
                  memcmp(&a, &c, DEC_INSN_SIZE(a.n_acc)) == 0 && strcmp(a.text, c.text) == 0 &&
                  a.len == len[i] && a.n_acc == n_acc[i],
              what);
    }
}

int main(void)
{
    struct diag_err e = { { 0 } };
    d = dec_new(&e);
    CHECK(d != NULL, "dec_new");
    if (!d) {
        printf("# %s\n", e.msg);
        return tap_done();
    }
    test_alu();
    test_atomics();
    test_bits();
    test_stack();
    test_strings();
    test_no_access();
    test_branches();
    test_x87();
    test_save_areas();
    test_sse_avx();
    test_segments();
    test_client_request();
    test_errors();
    test_eval();
    test_translator_facts();
    test_cache_same();
    CHECK(dec_capstone_version()[0] >= '4', "dec_capstone_version");
    dec_free(d);
    return tap_done();
}
