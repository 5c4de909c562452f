/* decode_tab.c - the decoder's rule table (see decode_tab.h).
 *
 * Owns: the per-id rules, written after VEX's translation of each instruction
 * (VEX/priv/guest_amd64_toIR.c, Valgrind 3.19) and checked against Cachegrind
 * and Lackey runs of tests/progs/insns.S.  Capstone 4.0.2 gets these wrong:
 * stores reported as reads (fst, fist*, pextr*, cmpxchg), no access bits at all
 * (roundss, cvtss2si), fnstsw m16 as 4 bytes, fnsave/frstor as 4 bytes, no stack
 * or string accesses, and lea/nop/prefetch as reads.
 * Must not: hold any state beyond the lazily built index.
 */
#include "core/decode_tab.h"

#include <capstone/capstone.h>
#include <pthread.h>

#include "core/decode.h"

#define R DEC_READ
#define W DEC_WRITE
#define M DEC_MODIFY

static const struct tab_rule rules[] = {
    /* ---- no data access: address arithmetic and hints ---- */
    { X86_INS_LEA, TAB_NONE, 0, 0, 0 },
    { X86_INS_NOP, TAB_NONE, 0, 0, 0 },
    { X86_INS_PREFETCH, TAB_NONE, 0, 0, 0 },
    { X86_INS_PREFETCHT0, TAB_NONE, 0, 0, 0 },
    { X86_INS_PREFETCHT1, TAB_NONE, 0, 0, 0 },
    { X86_INS_PREFETCHT2, TAB_NONE, 0, 0, 0 },
    { X86_INS_PREFETCHNTA, TAB_NONE, 0, 0, 0 },
    { X86_INS_PREFETCHW, TAB_NONE, 0, 0, 0 },
    { X86_INS_CLFLUSH, TAB_NONE, 0, 0, 0 },    /* VEX: invalidates translations only */
    { X86_INS_CLFLUSHOPT, TAB_NONE, 0, 0, 0 },
    { X86_INS_CLWB, TAB_NONE, 0, 0, 0 },
    { X86_INS_INVLPG, TAB_NONE, 0, 0, 0 },
    { X86_INS_UD0, TAB_NONE, 0, 0, 0 },
    { TAB_INS_UD1, TAB_NONE, 0, 0, 0 },

    /* ---- stack ---- */
    { X86_INS_PUSH, TAB_PUSH, 0, 0, 0 },
    { X86_INS_POP, TAB_POP, 0, 0, 0 },
    { X86_INS_PUSHF, TAB_PUSHF, 0, 2, 0 },
    { X86_INS_PUSHFQ, TAB_PUSHF, 0, 8, 0 },
    { X86_INS_POPF, TAB_POPF, 0, 2, 0 },
    { X86_INS_POPFQ, TAB_POPF, 0, 8, 0 },
    { X86_INS_CALL, TAB_CALL, 0, 0, 0 },
    { X86_INS_LCALL, TAB_CALL, 0, 0, 0 },
    { X86_INS_RET, TAB_RET, 0, 0, 0 },
    { X86_INS_RETF, TAB_FARRET, 0, 2, 0 },
    { X86_INS_RETFQ, TAB_FARRET, 0, 2, 0 },
    { X86_INS_IRET, TAB_IRET, 0, 0, 0 },
    { X86_INS_IRETD, TAB_IRET, 0, 0, 0 },
    { X86_INS_IRETQ, TAB_IRET, 0, 0, 0 },
    { X86_INS_LEAVE, TAB_LEAVE, 0, 0, 0 },
    { X86_INS_ENTER, TAB_ENTER, 0, 0, 0 },

    /* ---- strings ---- */
    { X86_INS_MOVSB, TAB_MOVS, 0, 0, 0 },
    { X86_INS_MOVSW, TAB_MOVS, 0, 0, 0 },
    { X86_INS_MOVSD, TAB_MOVS, 0, 0, 0 },
    { X86_INS_MOVSQ, TAB_MOVS, 0, 0, 0 },
    { X86_INS_CMPSB, TAB_CMPS, 0, 0, 0 },
    { X86_INS_CMPSW, TAB_CMPS, 0, 0, 0 },
    { X86_INS_CMPSD, TAB_CMPS, 0, 0, 0 },
    { X86_INS_CMPSQ, TAB_CMPS, 0, 0, 0 },
    { X86_INS_STOSB, TAB_STOS, 0, 0, 0 },
    { X86_INS_STOSW, TAB_STOS, 0, 0, 0 },
    { X86_INS_STOSD, TAB_STOS, 0, 0, 0 },
    { X86_INS_STOSQ, TAB_STOS, 0, 0, 0 },
    { X86_INS_LODSB, TAB_LODS, 0, 0, 0 },
    { X86_INS_LODSW, TAB_LODS, 0, 0, 0 },
    { X86_INS_LODSD, TAB_LODS, 0, 0, 0 },
    { X86_INS_LODSQ, TAB_LODS, 0, 0, 0 },
    { X86_INS_SCASB, TAB_SCAS, 0, 0, 0 },
    { X86_INS_SCASW, TAB_SCAS, 0, 0, 0 },
    { X86_INS_SCASD, TAB_SCAS, 0, 0, 0 },
    { X86_INS_SCASQ, TAB_SCAS, 0, 0, 0 },
    { X86_INS_INSB, TAB_INS, 0, 0, 0 },
    { X86_INS_INSW, TAB_INS, 0, 0, 0 },
    { X86_INS_INSD, TAB_INS, 0, 0, 0 },
    { X86_INS_OUTSB, TAB_OUTS, 0, 0, 0 },
    { X86_INS_OUTSW, TAB_OUTS, 0, 0, 0 },
    { X86_INS_OUTSD, TAB_OUTS, 0, 0, 0 },

    /* ---- atomics and bit tests ---- */
    { X86_INS_XCHG, TAB_XCHG, 0, 0, 0 },
    { X86_INS_XADD, TAB_XADD, 0, 0, 0 },
    { X86_INS_CMPXCHG, TAB_CAS, 0, 0, 0 },
    { X86_INS_CMPXCHG8B, TAB_CAS, 0, 8, 0 },
    { X86_INS_CMPXCHG16B, TAB_CAS, 0, 16, 0 },
    { X86_INS_BT, TAB_BT, 0, 0, 0 },
    { X86_INS_BTS, TAB_BT, 0, 0, 0 },
    { X86_INS_BTR, TAB_BT, 0, 0, 0 },
    { X86_INS_BTC, TAB_BT, 0, 0, 0 },

    /* ---- state images ---- */
    { X86_INS_FXSAVE, TAB_FXSAVE, 0, 0, 0 },
    { X86_INS_FXSAVE64, TAB_FXSAVE, 0, 0, 0 },
    { X86_INS_FXRSTOR, TAB_FXRSTOR, 0, 0, 0 },
    { X86_INS_FXRSTOR64, TAB_FXRSTOR, 0, 0, 0 },
    { X86_INS_XSAVE, TAB_XSAVE, 0, 0, 0 },
    { X86_INS_XSAVE64, TAB_XSAVE, 0, 0, 0 },
    { X86_INS_XSAVEOPT, TAB_XSAVE, 0, 0, 0 }, /* VEX rejects these four: modelled */
    { X86_INS_XSAVEOPT64, TAB_XSAVE, 0, 0, 0 }, /* as plain xsave */
    { X86_INS_XSAVEC, TAB_XSAVE, 0, 0, 0 },
    { X86_INS_XSAVEC64, TAB_XSAVE, 0, 0, 0 },
    { X86_INS_XSAVES, TAB_XSAVE, 0, 0, 0 },
    { X86_INS_XSAVES64, TAB_XSAVE, 0, 0, 0 },
    { X86_INS_XRSTOR, TAB_XRSTOR, 0, 0, 0 },
    { X86_INS_XRSTOR64, TAB_XRSTOR, 0, 0, 0 },
    { X86_INS_XRSTORS, TAB_XRSTOR, 0, 0, 0 },
    { X86_INS_XRSTORS64, TAB_XRSTOR, 0, 0, 0 },
    { X86_INS_FNSTENV, TAB_FPENV, W, 28, 28 },
    { X86_INS_FLDENV, TAB_FPENV, R, 28, 28 },
    { X86_INS_FNSAVE, TAB_FPENV, W, 108, 94 },
    { X86_INS_FRSTOR, TAB_FPENV, R, 108, 94 },

    /* ---- masked moves, gathers, xlat ---- */
    { X86_INS_VMASKMOVPS, TAB_VMASKMOV, 0, 4, 0 },
    { X86_INS_VMASKMOVPD, TAB_VMASKMOV, 0, 8, 0 },
    { X86_INS_VPMASKMOVD, TAB_VMASKMOV, 0, 4, 0 },
    { X86_INS_VPMASKMOVQ, TAB_VMASKMOV, 0, 8, 0 },
    { X86_INS_VPGATHERDD, TAB_GATHER, 0, 4, 4 },
    { X86_INS_VGATHERDPS, TAB_GATHER, 0, 4, 4 },
    { X86_INS_VPGATHERDQ, TAB_GATHER, 0, 8, 4 },
    { X86_INS_VGATHERDPD, TAB_GATHER, 0, 8, 4 },
    { X86_INS_VPGATHERQD, TAB_GATHER, 0, 4, 8 },
    { X86_INS_VGATHERQPS, TAB_GATHER, 0, 4, 8 },
    { X86_INS_VPGATHERQQ, TAB_GATHER, 0, 8, 8 },
    { X86_INS_VGATHERQPD, TAB_GATHER, 0, 8, 8 },
    { X86_INS_MASKMOVQ, TAB_MASKMOV, 0, 8, 0 },
    { X86_INS_MASKMOVDQU, TAB_MASKMOV, 0, 16, 0 },
    { X86_INS_VMASKMOVDQU, TAB_MASKMOV, 0, 16, 0 },
    { X86_INS_XLATB, TAB_XLAT, 0, 0, 0 },

    /* ---- VEX loads lane by lane (cvtps2pd, roundps, packed FMA ...) ---- */
    { X86_INS_CVTPS2PD, TAB_LANES, 0, 4, 0 },
    { X86_INS_VCVTPS2PD, TAB_LANES, 0, 4, 0 },
    { X86_INS_CVTPS2PI, TAB_LANES, 0, 4, 0 },
    { X86_INS_CVTTPS2PI, TAB_LANES, 0, 4, 0 },
    { X86_INS_CVTPD2PI, TAB_LANES, 0, 8, 0 },
    { X86_INS_CVTTPD2PI, TAB_LANES, 0, 8, 0 },
    { X86_INS_ROUNDPS, TAB_LANES, 0, 4, 0 },
    { X86_INS_ROUNDPD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMADD132PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMADD213PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMADD231PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMADDSUB132PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMADDSUB213PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMADDSUB231PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMSUB132PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMSUB213PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMSUB231PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMSUBADD132PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMSUBADD213PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMSUBADD231PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFNMADD132PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFNMADD213PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFNMADD231PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFNMSUB132PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFNMSUB213PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFNMSUB231PS, TAB_LANES, 0, 4, 0 },
    { X86_INS_VFMADD132PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMADD213PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMADD231PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMADDSUB132PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMADDSUB213PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMADDSUB231PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMSUB132PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMSUB213PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMSUB231PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMSUBADD132PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMSUBADD213PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFMSUBADD231PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFNMADD132PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFNMADD213PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFNMADD231PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFNMSUB132PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFNMSUB213PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VFNMSUB231PD, TAB_LANES, 0, 8, 0 },
    { X86_INS_VMOVDDUP, TAB_MOVDDUP, 0, 0, 0 },
    { X86_INS_VPERM2F128, TAB_VPERM2, 0, 0, 0 },
    { X86_INS_VPERM2I128, TAB_VPERM2, 0, 0, 0 },

    { X86_INS_PUNPCKLBW, TAB_PUNPCKL, 0, 0, 0 },
    { X86_INS_PUNPCKLWD, TAB_PUNPCKL, 0, 0, 0 },
    { X86_INS_PUNPCKLDQ, TAB_PUNPCKL, 0, 0, 0 },

    /* ---- VEX reads a smaller part of the source than Capstone says ---- */
    { X86_INS_COMISS, TAB_DEFAULT, 0, 4, 0 },  /* Capstone: 16 */
    { X86_INS_UCOMISS, TAB_DEFAULT, 0, 4, 0 },
    { X86_INS_VCOMISS, TAB_DEFAULT, 0, 4, 0 },
    { X86_INS_VUCOMISS, TAB_DEFAULT, 0, 4, 0 },
    { X86_INS_COMISD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_UCOMISD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VCOMISD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VUCOMISD, TAB_DEFAULT, 0, 8, 0 },
    /* Shifts by a count in xmm/m128: VEX loads only the low 64 bits. */
    { X86_INS_PSLLW, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_PSLLD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_PSLLQ, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_PSRLW, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_PSRLD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_PSRLQ, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_PSRAW, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_PSRAD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSLLW, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSLLD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSLLQ, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSRLW, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSRLD, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSRLQ, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSRAW, TAB_DEFAULT, 0, 8, 0 },
    { X86_INS_VPSRAD, TAB_DEFAULT, 0, 8, 0 },

    /* ---- memory operand 0 updated in place ---- */
    { X86_INS_ADD, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_OR, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_ADC, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SBB, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_AND, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SUB, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_XOR, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_INC, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_DEC, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_NOT, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_NEG, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SHL, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SAL, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SHR, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SAR, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_ROL, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_ROR, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_RCL, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_RCR, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SHLD, TAB_DEFAULT, M, 0, 0 },
    { X86_INS_SHRD, TAB_DEFAULT, M, 0, 0 },

    /* ---- memory operand 0 only read ---- */
    { X86_INS_CMP, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_TEST, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_MUL, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_IMUL, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_DIV, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_IDIV, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_JMP, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_LJMP, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FLD, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FILD, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FBLD, TAB_DEFAULT, R, 10, 0 },
    { X86_INS_FADD, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FSUB, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FSUBR, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FMUL, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FDIV, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FDIVR, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FCOM, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FCOMP, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FIADD, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FISUB, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FISUBR, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FIMUL, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FIDIV, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FIDIVR, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FICOM, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FICOMP, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_FLDCW, TAB_DEFAULT, R, 2, 0 },
    { X86_INS_LDMXCSR, TAB_DEFAULT, R, 4, 0 },
    { X86_INS_VLDMXCSR, TAB_DEFAULT, R, 4, 0 },
    { X86_INS_LGDT, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_LIDT, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_LLDT, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_LTR, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_LMSW, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_VERR, TAB_DEFAULT, R, 0, 0 },
    { X86_INS_VERW, TAB_DEFAULT, R, 0, 0 },

    /* ---- memory operand 0 stored, not read ---- */
    { X86_INS_MOV, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVABS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVBE, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVNTI, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_SETAE, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETA, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETBE, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETB, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETE, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETGE, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETG, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETLE, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETL, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETNE, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETNO, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETNP, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETNS, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETO, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETP, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_SETS, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_FST, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_FSTP, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_FIST, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_FISTP, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_FISTTP, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_FBSTP, TAB_DEFAULT, W, 10, 0 },
    { X86_INS_FNSTCW, TAB_DEFAULT, W, 2, 0 },
    { X86_INS_FNSTSW, TAB_DEFAULT, W, 2, 0 },
    { X86_INS_STMXCSR, TAB_DEFAULT, W, 4, 0 },
    { X86_INS_VSTMXCSR, TAB_DEFAULT, W, 4, 0 },
    { X86_INS_SGDT, TAB_DEFAULT, W, 6, 0 },   /* VEX: a 6-byte dirty helper */
    { X86_INS_SIDT, TAB_DEFAULT, W, 6, 0 },
    { X86_INS_SLDT, TAB_DEFAULT, W, 2, 0 },
    { X86_INS_STR, TAB_DEFAULT, W, 2, 0 },
    { X86_INS_SMSW, TAB_DEFAULT, W, 2, 0 },
    { X86_INS_MOVAPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVAPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVUPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVUPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVDQA, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVDQU, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVSS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVLPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVHPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVLPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVHPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVQ, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVNTPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVNTPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVNTDQ, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVNTQ, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVNTSS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_MOVNTSD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_PEXTRB, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_PEXTRW, TAB_DEFAULT, W, 2, 0 },
    { X86_INS_PEXTRD, TAB_DEFAULT, W, 4, 0 },
    { X86_INS_PEXTRQ, TAB_DEFAULT, W, 8, 0 },
    { X86_INS_EXTRACTPS, TAB_DEFAULT, W, 4, 0 },
    { X86_INS_VMOVAPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVAPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVUPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVUPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVDQA, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVDQU, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVSS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVSD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVLPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVHPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVLPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVHPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVQ, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVNTPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVNTPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVNTDQ, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VPEXTRB, TAB_DEFAULT, W, 1, 0 },
    { X86_INS_VPEXTRW, TAB_DEFAULT, W, 2, 0 },
    { X86_INS_VPEXTRD, TAB_DEFAULT, W, 4, 0 },
    { X86_INS_VPEXTRQ, TAB_DEFAULT, W, 8, 0 },
    { X86_INS_VEXTRACTPS, TAB_DEFAULT, W, 4, 0 },
    { X86_INS_VEXTRACTF128, TAB_DEFAULT, W, 16, 0 },
    { X86_INS_VEXTRACTI128, TAB_DEFAULT, W, 16, 0 },
    { X86_INS_VCVTPS2PH, TAB_DEFAULT, W, 0, 0 },
    /* AVX-512 stores (decoded only with Capstone >= 5; masks are ignored, the
     * whole operand is counted: Valgrind cannot run these at all). */
    { X86_INS_VMOVDQA32, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVDQA64, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVDQU8, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVDQU16, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVDQU32, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VMOVDQU64, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VEXTRACTF32X4, TAB_DEFAULT, W, 16, 0 },
    { X86_INS_VEXTRACTF64X4, TAB_DEFAULT, W, 32, 0 },
    { X86_INS_VEXTRACTI32X4, TAB_DEFAULT, W, 16, 0 },
    { X86_INS_VEXTRACTI64X4, TAB_DEFAULT, W, 32, 0 },
    { X86_INS_VCOMPRESSPD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VCOMPRESSPS, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VPCOMPRESSD, TAB_DEFAULT, W, 0, 0 },
    { X86_INS_VPCOMPRESSQ, TAB_DEFAULT, W, 0, 0 },
};

/* SSE meanings of ids shared with string instructions. */
static const struct tab_rule sse_movsd = { X86_INS_MOVSD, TAB_DEFAULT, W, 0, 0 };
static const struct tab_rule sse_cmpsd = { X86_INS_CMPSD, TAB_DEFAULT, 0, 0, 0 };

/* rules[] position + 1 by id (0 = no rule), built once. */
static uint16_t index_of[X86_INS_ENDING];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
    for (unsigned i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].id < X86_INS_ENDING)
            index_of[rules[i].id] = (uint16_t)(i + 1);
}

const struct tab_rule *tab_lookup(unsigned id)
{
    pthread_once(&index_once, build_index);
    if (id >= X86_INS_ENDING || !index_of[id])
        return NULL;
    return &rules[index_of[id] - 1];
}

const struct tab_rule *tab_lookup_sse(unsigned id)
{
    if (id == X86_INS_MOVSD)
        return &sse_movsd;
    if (id == X86_INS_CMPSD)
        return &sse_cmpsd;
    return NULL;
}

unsigned tab_string_size(unsigned id)
{
    switch (id) {
    case X86_INS_MOVSW: case X86_INS_CMPSW: case X86_INS_STOSW: case X86_INS_LODSW:
    case X86_INS_SCASW: case X86_INS_INSW: case X86_INS_OUTSW:
        return 2;
    case X86_INS_MOVSD: case X86_INS_CMPSD: case X86_INS_STOSD: case X86_INS_LODSD:
    case X86_INS_SCASD: case X86_INS_INSD: case X86_INS_OUTSD:
        return 4;
    case X86_INS_MOVSQ: case X86_INS_CMPSQ: case X86_INS_STOSQ: case X86_INS_LODSQ:
    case X86_INS_SCASQ:
        return 8;
    default:
        return 1;
    }
}

int tab_is_string(int kind)
{
    return kind >= TAB_MOVS && kind <= TAB_OUTS;
}
