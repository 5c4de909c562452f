/* insns.S - one execution of each x86-64 instruction form the decoder must get
 * right, one instruction per source line, so that Cachegrind's per-line Dr/Dw
 * (and Lackey's access trace) can be compared with what core/decode.c derives.
 * Static, no libc: built with `gcc -nostdlib -static -g`.  Its own stack lives
 * in .bss and fs points into .bss, so every data address is the same natively
 * and under Valgrind.  Every instruction here is accepted by Valgrind 3.19's
 * VEX on an AVX2 host; forms VEX rejects are listed in docs/decoder.md. */
        .text
        .globl _start
        .type _start, @function
_start:
        lea stack_top(%rip), %rsp
        mov %rsp, %rbp
        /* arch_prctl(ARCH_SET_FS, tls) */
        mov $158, %eax
        mov $0x1002, %edi
        lea tls(%rip), %rsi
        syscall
        lea buf(%rip), %rdi
        lea buf2(%rip), %rsi
        lea buf3(%rip), %rbx
        xor %ecx, %ecx
        xor %edx, %edx
        mov $3, %eax
        mov $2, %r8d
        mov $-2, %r9
        mov $100, %r10d

/* ---- plain moves and ALU, both directions ---- */
        mov (%rdi), %rax
        mov 8(%rdi), %eax
        mov 2(%rdi), %ax
        mov 1(%rdi), %al
        mov 1(%rdi), %ah
        mov %rax, 16(%rdi)
        mov %eax, 24(%rdi)
        mov %ax, 28(%rdi)
        mov %al, 30(%rdi)
        movq $-1, 32(%rdi)
        movl $5, 40(%rdi)
        movw $6, 44(%rdi)
        movb $7, 46(%rdi)
        movzbl 3(%rdi), %eax
        movzwq 4(%rdi), %rax
        movsbq 5(%rdi), %rax
        movswl 6(%rdi), %eax
        movslq 8(%rdi), %rax
        movabs buf, %rax
        movabs %rax, buf+8
        movabs buf, %eax
        movabs %al, buf+3
        mov (%rdi,%r8,8), %rax
        mov 64(%rdi,%r8,4), %ecx
        mov -8(%rsi,%r9,4), %edx
        mov buf(,%r8,8), %rax
        mov buf+16, %rax
        mov buf(%rip), %rax
        mov %rax, buf+24(%rip)
        mov 0x10(%rsp), %rax
        mov %rax, -8(%rbp)
        add (%rdi), %rax
        add %rax, (%rdi)
        add (%rdi), %eax
        add %eax, 4(%rdi)
        add %ax, 4(%rdi)
        add %al, 4(%rdi)
        addq $1, 8(%rdi)
        addl $1000, 8(%rdi)
        addw $1, 8(%rdi)
        addb $1, 8(%rdi)
        or (%rdi), %rcx
        or %rcx, 8(%rdi)
        orl $0x10, 12(%rdi)
        adc (%rdi), %rcx
        adc %rcx, 8(%rdi)
        adcb $1, 12(%rdi)
        sbb (%rdi), %rcx
        sbb %rcx, 8(%rdi)
        sbbw $1, 12(%rdi)
        and (%rdi), %rcx
        and %rcx, 8(%rdi)
        andq $-1, 8(%rdi)
        sub (%rdi), %rcx
        sub %rcx, 8(%rdi)
        subl $3, 8(%rdi)
        xor (%rdi), %rcx
        xor %rcx, 8(%rdi)
        xorb $0x55, 8(%rdi)
        cmp (%rdi), %rcx
        cmp %rcx, 8(%rdi)
        cmpl $3, 8(%rdi)
        cmpb $3, 8(%rdi)
        test %rcx, 8(%rdi)
        testl $3, 8(%rdi)
        testb $3, 8(%rdi)
        mov %rdi, %rcx
        add %rcx, %rdx
        xor %edx, %edx

/* ---- locked read-modify-write ---- */
        lock addq $1, (%rdi)
        lock add %eax, 4(%rdi)
        lock addb $1, 1(%rdi)
        lock addw $1, 2(%rdi)
        lock or %rax, (%rdi)
        lock adcl $0, (%rdi)
        lock sbbl $0, (%rdi)
        lock andl $-1, (%rdi)
        lock subq $1, (%rdi)
        lock xorq $0, (%rdi)
        lock incl (%rdi)
        lock decq (%rdi)
        lock notw (%rdi)
        lock negb (%rdi)
        incl (%rdi)
        decq 8(%rdi)
        incb 9(%rdi)
        decw 10(%rdi)
        notq (%rdi)
        negl (%rdi)
        notb 3(%rdi)

/* ---- xchg / xadd / cmpxchg ---- */
        xchg %rax, (%rdi)
        xchg 8(%rdi), %ecx
        xchg %ax, 2(%rdi)
        xchg %al, 1(%rdi)
        lock xchg %rax, (%rdi)
        xchg %rax, %rcx
        xchg %rcx, %rax
        xadd %rax, (%rdi)
        xadd %cl, 1(%rdi)
        lock xadd %rax, (%rdi)
        lock xadd %ecx, 4(%rdi)
        mov (%rdi), %rax
        cmpxchg %rcx, (%rdi)
        cmpxchg %rcx, (%rdi)
        cmpxchg %cl, 1(%rdi)
        lock cmpxchg %rcx, (%rdi)
        lock cmpxchg %ecx, 8(%rdi)
        cmpxchg %rcx, %rdx
        cmpxchg8b (%rdi)
        lock cmpxchg8b 8(%rdi)
        cmpxchg16b 16(%rdi)
        lock cmpxchg16b 32(%rdi)

/* ---- bit tests ---- */
        mov $5, %ecx
        bt %rcx, (%rdi)
        bts %rcx, (%rdi)
        btr %rcx, (%rdi)
        btc %rcx, (%rdi)
        mov $77, %ecx
        bt %ecx, 8(%rdi)
        bts %ecx, 8(%rdi)
        btr %cx, 8(%rdi)
        btc %rcx, 8(%rdi)
        mov $-9, %rcx
        bt %rcx, 64(%rdi)
        bts %rcx, 64(%rdi)
        btc %ecx, 64(%rdi)
        btr %cx, 64(%rdi)
        mov $1000, %ecx
        bts %rcx, (%rdi)
        lock bts %rcx, (%rdi)
        lock btr %ecx, 8(%rdi)
        lock btc %rcx, 8(%rdi)
        btq $3, (%rdi)
        btsl $33, 8(%rdi)
        btrw $4, 8(%rdi)
        btcq $63, 8(%rdi)
        lock btsq $2, 8(%rdi)
        lock btrl $2, 8(%rdi)
        mov $70, %ecx
        bt %rcx, %rax
        bts %rcx, %rax
        btr %ecx, %eax
        btc %cx, %ax
        bt %rax, %rcx
        btq $3, %rax
        btsq $3, %rax

/* ---- shifts and rotates of memory ---- */
        mov $3, %ecx
        shlq (%rdi)
        shll $3, 8(%rdi)
        shrw %cl, 8(%rdi)
        sarb $1, 8(%rdi)
        rolq $5, (%rdi)
        rorl %cl, (%rdi)
        rclq (%rdi)
        rcrb $2, (%rdi)
        shld $4, %rax, (%rdi)
        shrd %cl, %eax, 8(%rdi)
        shldw %cl, %ax, 8(%rdi)

/* ---- multiply and divide ---- */
        mov $7, %eax
        movq $3, 48(%rdi)
        mulq 48(%rdi)
        imull 48(%rdi)
        mulb 48(%rdi)
        imul 48(%rdi), %rcx
        imul $5, 48(%rdi), %ecx
        imulw $300, 48(%rdi), %cx
        xor %edx, %edx
        mov $100, %eax
        divq 48(%rdi)
        xor %edx, %edx
        divl 48(%rdi)
        mov $100, %eax
        cqo
        idivq 48(%rdi)
        mov $100, %ax
        idivb 48(%rdi)

/* ---- bit scans, counts, cmov, setcc, movbe, crc32 ---- */
        bsf (%rdi), %rax
        bsr 8(%rdi), %ecx
        tzcnt (%rdi), %rax
        lzcnt 8(%rdi), %ecx
        popcnt (%rdi), %rax
        popcnt 8(%rdi), %cx
        cmp %rax, %rax
        cmove (%rdi), %rax
        cmovne 8(%rdi), %rcx
        cmovbl 8(%rdi), %ecx
        sete (%rdi)
        setne 1(%rdi)
        setb 2(%rdi)
        movbe (%rdi), %rax
        movbe %eax, 8(%rdi)
        movbe 8(%rdi), %cx
        crc32b (%rdi), %eax
        crc32l 8(%rdi), %eax
        crc32q 8(%rdi), %rax
        crc32w 8(%rdi), %eax
        bswap %rax
        lahf
        sahf
        cwtl
        cltq
        cqto
        cbtw

/* ---- BMI1 / BMI2 / ADX ---- */
        andn (%rdi), %rax, %rcx
        bextr %rax, 8(%rdi), %rcx
        blsi (%rdi), %rax
        blsmsk 8(%rdi), %ecx
        blsr (%rdi), %rax
        bzhi %rax, 8(%rdi), %rcx
        pdep (%rdi), %rax, %rcx
        pext 8(%rdi), %eax, %ecx
        mulx (%rdi), %rax, %rcx
        rorx $3, 8(%rdi), %rax
        sarx %rax, (%rdi), %rcx
        shlx %eax, 8(%rdi), %ecx
        shrx %rax, (%rdi), %rcx
        adcx (%rdi), %rax
        adox 8(%rdi), %ecx

/* ---- no data access ---- */
        lea (%rdi,%rcx,4), %rax
        lea 8(%rip), %rax
        nop
        nopl (%rax)
        nopw 0(%rax,%rax,1)
        nopl 0x100(%rdi)
        prefetcht0 (%rdi)
        prefetcht1 64(%rdi)
        prefetcht2 128(%rdi)
        prefetchnta (%rdi)
        prefetchw 64(%rdi)
        pause
        endbr64
        rdsspq %rax
        lfence
        mfence
        sfence
        cpuid
        rdtsc
#ifndef NO_RDTSCP /* a CPU that does not say it has it: Valgrind will not run it */
        rdtscp
#endif
        rdrand %rax
        rdrand %ecx
        clflush (%rdi)
        mov $39, %eax
        syscall

/* ---- stack: push/pop, call/ret, enter/leave ---- */
        lea buf(%rip), %rdi
        push %rax
        push %r12
        pop %rcx
        pop %r13
        push $5
        push $0x12345
        pushq (%rdi)
        pushq 8(%rsp)
        popq 16(%rdi)
        pushq (%rsp)
        popq (%rsp)
        push %rax
        popq 8(%rsp)
        pushw $3
        popw %ax
        pushw 8(%rdi)
        pushf
        popf
        call func_direct
        lea func_direct(%rip), %rax
        call *%rax
        call *fptr(%rip)
        lea fptr(%rip), %rcx
        call *(%rcx)
        call func_enter
        call func_retimm
        mov $1, %eax
        lea jtab(%rip), %rcx
        jmp *(%rcx,%rax,8)
jt0:
        nop
jt1:
        lea after_jmp(%rip), %rax
        jmp *%rax
after_jmp:
        mov $2, %ecx
loop1:
        loop loop1
        xor %ecx, %ecx
        jrcxz after_jrcxz
        nop
after_jrcxz:
        mov $3, %ecx
        cmp %ecx, %ecx
loop2:
        loope loop2
        mov $2, %ecx
loop3:
        loopne loop3
        cmp $1, %ecx
        je after_je
        jne after_je
after_je:
        ja after_ja
after_ja:
        jmp after_jmp2
after_jmp2:

/* ---- hardware lock elision prefixes ---- */
        xacquire lock add %eax, (%rdi)
        xrelease lock cmpxchg %rcx, (%rdi)
        xacquire lock xaddq %rax, 8(%rdi)
        xrelease lock btsq $1, 16(%rdi)

/* ---- Valgrind client requests: one 19-byte instruction each ---- */
        lea clreq_args(%rip), %rax
        xor %edx, %edx
        rol $3, %rdi; rol $13, %rdi; rol $61, %rdi; rol $51, %rdi; xchg %rbx, %rbx
        rol $3, %rdi; rol $13, %rdi; rol $61, %rdi; rol $51, %rdi; xchg %rcx, %rcx
        lea buf(%rip), %rdi

/* ---- string instructions ---- */
        cld
        lea buf(%rip), %rdi
        lea buf2(%rip), %rsi
        movsb
        movsw
        movsl
        movsq
        stosb
        stosw
        stosl
        stosq
        lodsb
        lodsw
        lodsl
        lodsq
        scasb
        scasw
        scasl
        scasq
        mov $3, %ecx
        rep movsb
        mov $2, %ecx
        rep movsq
        xor %ecx, %ecx
        rep movsb
        mov $4, %ecx
        rep stosl
        mov $1, %ecx
        rep stosq
        lea buf(%rip), %rdi
        lea buf(%rip), %rsi
        mov $4, %ecx
        repe cmpsb
        mov $3, %ecx
        repe cmpsq
        lea buf2(%rip), %rdi
        mov $5, %ecx
        mov $0x11, %eax
        repe scasb
        lea buf(%rip), %rdi
        mov $6, %ecx
        mov $0x77, %eax
        repne scasb
        movb $0x77, 2(%rdi)
        mov $6, %ecx
        repne scasb
        lea buf3(%rip), %rdi
        mov $5, %ecx
        mov $0x11, %eax
        repe scasl
        std
        lea buf+64(%rip), %rdi
        lea buf2+64(%rip), %rsi
        movsq
        mov $3, %ecx
        rep movsl
        mov $2, %ecx
        rep stosw
        cld
        lea buf(%rip), %rdi
        lea buf2(%rip), %rsi
        addr32 movsb
        addr32 lodsq
        mov $0x100000002, %rcx
        addr32 rep stosb
        lea buf(%rip), %rdi
        lea buf2(%rip), %rsi

/* ---- segment fs, rip-relative, 32-bit addressing ---- */
        mov %fs:0, %rax
        mov %fs:8, %ecx
        mov %rax, %fs:16
        addl $1, %fs:24
        mov $8, %ecx
        mov %fs:(%rcx), %rax
        mov %fs:8(%rcx,%rcx,1), %rax
        lock incq %fs:32
        movl buf2(%rip), %eax
        addl $1, buf3(%rip)
        incq buf3+8(%rip)
        cmpb $0, buf3+16(%rip)
        mov (%edi), %eax
        mov %eax, 8(%edi)
        addl $1, 4(%esi)
        mov (%edi,%ecx,2), %eax
        lea 8(%edi), %eax

/* ---- x87 ---- */
        fninit
        fldz
        fld1
        flds 64(%rdi)
        fldl 64(%rdi)
        fldt 64(%rdi)
        fsts 80(%rdi)
        fstl 80(%rdi)
        fstps 80(%rdi)
        fstpl 80(%rdi)
        fstpt 80(%rdi)
        fld1
        fld %st(0)
        fxch %st(1)
        fstp %st(0)
        movl $3, 96(%rdi)
        movq $4, 104(%rdi)
        filds 96(%rdi)
        fildl 96(%rdi)
        fildll 104(%rdi)
        fists 112(%rdi)
        fistl 112(%rdi)
        fistps 112(%rdi)
        fistpl 112(%rdi)
        fistpll 112(%rdi)
        fld1
        fisttpl 112(%rdi)
        fld1
        fisttpll 112(%rdi)
        fld1
        fadds 96(%rdi)
        faddl 104(%rdi)
        fmuls 96(%rdi)
        fsubl 104(%rdi)
        fsubrs 96(%rdi)
        fdivl 104(%rdi)
        fdivrs 96(%rdi)
        fcoms 96(%rdi)
        fcompl 104(%rdi)
        fiaddl 96(%rdi)
        fimuls 96(%rdi)
        fld1
        fadd %st(0), %st(1)
        faddp %st(0), %st(1)
        fnstcw 120(%rdi)
        fldcw 120(%rdi)
        fnstsw 122(%rdi)
        fnstsw %ax
        fnstenv 128(%rdi)
        fldenv 128(%rdi)
        fnsave 192(%rdi)
        frstor 192(%rdi)
        fstp %st(0)
        fninit

/* ---- SSE / SSE2 ---- */
        lea buf(%rip), %rdi
        lea vdata(%rip), %rsi
        movaps (%rsi), %xmm0
        movaps %xmm0, 64(%rdi)
        movups 4(%rsi), %xmm1
        movups %xmm1, 68(%rdi)
        movapd 16(%rsi), %xmm2
        movupd %xmm2, 80(%rdi)
        movdqa 32(%rsi), %xmm3
        movdqa %xmm3, 96(%rdi)
        movdqu 1(%rsi), %xmm4
        movdqu %xmm4, 112(%rdi)
        movss (%rsi), %xmm5
        movss %xmm5, 8(%rdi)
        movsd 8(%rsi), %xmm6
        movsd %xmm6, 16(%rdi)
        movlps (%rsi), %xmm7
        movlps %xmm7, 24(%rdi)
        movhps 8(%rsi), %xmm7
        movhps %xmm7, 32(%rdi)
        movlpd (%rsi), %xmm8
        movlpd %xmm8, 40(%rdi)
        movhpd 8(%rsi), %xmm8
        movhpd %xmm8, 48(%rdi)
        movq (%rsi), %xmm9
        movq %xmm9, 56(%rdi)
        movd 4(%rsi), %xmm10
        movd %xmm10, 60(%rdi)
        movq 8(%rsi), %rax
        movq %xmm9, %rax
        movntps %xmm0, 128(%rdi)
        movntpd %xmm0, 128(%rdi)
        movntdq %xmm0, 144(%rdi)
        movnti %rax, 160(%rdi)
        movnti %eax, 168(%rdi)
        addps (%rsi), %xmm0
        addss 4(%rsi), %xmm0
        addsd 8(%rsi), %xmm0
        addpd 16(%rsi), %xmm0
        subps (%rsi), %xmm0
        mulpd 16(%rsi), %xmm1
        mulss 4(%rsi), %xmm1
        divps (%rsi), %xmm1
        divsd 8(%rsi), %xmm1
        sqrtps (%rsi), %xmm2
        sqrtss 4(%rsi), %xmm2
        sqrtsd 8(%rsi), %xmm2
        rsqrtps (%rsi), %xmm2
        rcpss 4(%rsi), %xmm2
        maxps (%rsi), %xmm2
        minsd 8(%rsi), %xmm2
        andps (%rsi), %xmm3
        andnpd 16(%rsi), %xmm3
        orps (%rsi), %xmm3
        xorpd 16(%rsi), %xmm3
        cmpps $1, (%rsi), %xmm3
        cmpss $2, 4(%rsi), %xmm3
        cmpsd $0, 8(%rsi), %xmm3
        comiss 4(%rsi), %xmm4
        ucomisd 8(%rsi), %xmm4
        cvtsi2sdl 4(%rsi), %xmm4
        cvtsi2sdq 8(%rsi), %xmm4
        cvtsi2ssl 4(%rsi), %xmm4
        cvtss2sd 4(%rsi), %xmm4
        cvtsd2ss 8(%rsi), %xmm4
        cvtps2pd 8(%rsi), %xmm4
        cvtpd2ps 16(%rsi), %xmm4
        cvtdq2ps (%rsi), %xmm4
        cvtdq2pd 8(%rsi), %xmm4
        cvttps2dq (%rsi), %xmm4
        cvttsd2si 8(%rsi), %rax
        cvtss2si 4(%rsi), %eax
        cvtpi2ps 8(%rsi), %xmm4
        shufps $0x1b, (%rsi), %xmm5
        shufpd $1, 16(%rsi), %xmm5
        pshufd $0x1b, (%rsi), %xmm5
        pshuflw $0x1b, 16(%rsi), %xmm5
        pshufhw $0x1b, 32(%rsi), %xmm5
        unpcklps (%rsi), %xmm5
        unpckhpd 16(%rsi), %xmm5
        paddb (%rsi), %xmm6
        paddw 16(%rsi), %xmm6
        paddd (%rsi), %xmm6
        paddq 16(%rsi), %xmm6
        psubusb (%rsi), %xmm6
        paddsw 16(%rsi), %xmm6
        pmullw (%rsi), %xmm6
        pmulhuw 16(%rsi), %xmm6
        pmuludq (%rsi), %xmm6
        pmaddwd 16(%rsi), %xmm6
        pand (%rsi), %xmm6
        pandn 16(%rsi), %xmm6
        por (%rsi), %xmm6
        pxor 16(%rsi), %xmm6
        pcmpeqb (%rsi), %xmm6
        pcmpgtd 16(%rsi), %xmm6
        psadbw (%rsi), %xmm6
        pavgb 16(%rsi), %xmm6
        pminub (%rsi), %xmm6
        pmaxsw 16(%rsi), %xmm6
        psllw 32(%rsi), %xmm6
        psrad 32(%rsi), %xmm6
        psrlq 32(%rsi), %xmm6
        punpcklbw (%rsi), %xmm7
        punpckhdq 16(%rsi), %xmm7
        punpcklqdq (%rsi), %xmm7
        packsswb 16(%rsi), %xmm7
        packuswb (%rsi), %xmm7
        pinsrw $3, 2(%rsi), %xmm7
        pmovmskb %xmm7, %eax
        ldmxcsr mxcsr(%rip)
        stmxcsr 176(%rdi)
        lea 192(%rdi), %rdi
        pcmpeqb %xmm1, %xmm1
        maskmovdqu %xmm1, %xmm0
        pxor %xmm1, %xmm1
        maskmovdqu %xmm1, %xmm0
        lea buf(%rip), %rdi

/* ---- SSE3 / SSSE3 / SSE4.1 / SSE4.2 / AES / PCLMUL ---- */
        lddqu 3(%rsi), %xmm0
        movddup 8(%rsi), %xmm0
        movshdup (%rsi), %xmm0
        movsldup 16(%rsi), %xmm0
        haddps (%rsi), %xmm0
        hsubpd 16(%rsi), %xmm0
        addsubps (%rsi), %xmm0
        pshufb (%rsi), %xmm1
        palignr $3, 16(%rsi), %xmm1
        phaddd (%rsi), %xmm1
        phsubw 16(%rsi), %xmm1
        pabsb (%rsi), %xmm1
        pabsd 16(%rsi), %xmm1
        pmulhrsw (%rsi), %xmm1
        pmaddubsw 16(%rsi), %xmm1
        psignb (%rsi), %xmm1
        pmovzxbw 8(%rsi), %xmm2
        pmovzxbd 4(%rsi), %xmm2
        pmovzxbq 2(%rsi), %xmm2
        pmovsxwd 8(%rsi), %xmm2
        pmovsxwq 4(%rsi), %xmm2
        pmovsxdq 8(%rsi), %xmm2
        pinsrb $1, 1(%rsi), %xmm2
        pinsrd $2, 4(%rsi), %xmm2
        pinsrq $1, 8(%rsi), %xmm2
        pextrb $1, %xmm2, 1(%rdi)
        pextrw $2, %xmm2, 2(%rdi)
        pextrd $2, %xmm2, 4(%rdi)
        pextrq $1, %xmm2, 8(%rdi)
        extractps $1, %xmm2, 12(%rdi)
        insertps $0x10, 4(%rsi), %xmm2
        blendps $5, (%rsi), %xmm3
        blendpd $1, 16(%rsi), %xmm3
        pblendw $0x0f, (%rsi), %xmm3
        blendvps %xmm0, (%rsi), %xmm3
        blendvpd %xmm0, 16(%rsi), %xmm3
        pblendvb %xmm0, (%rsi), %xmm3
        ptest (%rsi), %xmm3
        pminsd 16(%rsi), %xmm3
        pmaxud (%rsi), %xmm3
        pmulld 16(%rsi), %xmm3
        pmuldq (%rsi), %xmm3
        dpps $0xff, (%rsi), %xmm3
        dppd $0x33, 16(%rsi), %xmm3
        mpsadbw $0, (%rsi), %xmm3
        roundss $1, 4(%rsi), %xmm3
        roundsd $1, 8(%rsi), %xmm3
        roundps $1, (%rsi), %xmm3
        roundpd $1, 16(%rsi), %xmm3
        packusdw (%rsi), %xmm3
        pcmpeqq 16(%rsi), %xmm3
        phminposuw (%rsi), %xmm3
        movntdqa (%rsi), %xmm4
        pcmpgtq 16(%rsi), %xmm4
        pcmpistri $0x0c, (%rsi), %xmm4
        pcmpistrm $0x40, 16(%rsi), %xmm4
        mov $16, %eax
        mov $16, %edx
        pcmpestri $0x0c, (%rsi), %xmm4
        pcmpestrm $0x40, 16(%rsi), %xmm4
        aesenc (%rsi), %xmm5
        aesenclast 16(%rsi), %xmm5
        aesdec (%rsi), %xmm5
        aesdeclast 16(%rsi), %xmm5
        aesimc (%rsi), %xmm5
        aeskeygenassist $1, 16(%rsi), %xmm5
        pclmulqdq $0x11, (%rsi), %xmm5

/* ---- MMX ---- */
        movq (%rsi), %mm0
        movd 4(%rsi), %mm1
        movq %mm0, 8(%rdi)
        movd %mm1, 16(%rdi)
        paddb (%rsi), %mm0
        pmullw 8(%rsi), %mm0
        psubd (%rsi), %mm0
        pshufw $0x1b, 8(%rsi), %mm1
        punpcklbw 4(%rsi), %mm1
        pinsrw $1, 2(%rsi), %mm1
        movntq %mm0, 24(%rdi)
        pcmpeqb %mm2, %mm2
        maskmovq %mm2, %mm0
        emms

/* ---- AVX ---- */
        lea buf(%rip), %rdi
        lea vdata(%rip), %rsi
        vmovaps (%rsi), %ymm0
        vmovaps %ymm0, 64(%rdi)
        vmovups 4(%rsi), %ymm1
        vmovups %ymm1, 68(%rdi)
        vmovaps 16(%rsi), %xmm2
        vmovups %xmm2, 100(%rdi)
        vmovdqa 32(%rsi), %ymm3
        vmovdqa %ymm3, 128(%rdi)
        vmovdqu 1(%rsi), %ymm4
        vmovdqu %ymm4, 161(%rdi)
        vmovdqu 1(%rsi), %xmm4
        vmovapd %ymm4, 192(%rdi)
        vmovss 4(%rsi), %xmm5
        vmovss %xmm5, 8(%rdi)
        vmovsd 8(%rsi), %xmm6
        vmovsd %xmm6, 16(%rdi)
        vmovlps (%rsi), %xmm6, %xmm7
        vmovlps %xmm7, 24(%rdi)
        vmovhps 8(%rsi), %xmm6, %xmm7
        vmovhps %xmm7, 32(%rdi)
        vmovhpd 8(%rsi), %xmm6, %xmm7
        vmovlpd %xmm7, 32(%rdi)
        vmovq (%rsi), %xmm8
        vmovq %xmm8, 40(%rdi)
        vmovd 4(%rsi), %xmm8
        vmovd %xmm8, 44(%rdi)
        vmovntps %ymm0, 224(%rdi)
        vmovntdq %ymm0, 256(%rdi)
        vmovntdqa (%rsi), %ymm1
        vmovntdq %xmm0, 288(%rdi)
        vlddqu 3(%rsi), %ymm1
        vmovddup 16(%rsi), %ymm1
        vmovddup 8(%rsi), %xmm1
        vmovshdup (%rsi), %ymm1
        vbroadcastss 4(%rsi), %ymm2
        vbroadcastss 4(%rsi), %xmm2
        vbroadcastsd 8(%rsi), %ymm2
        vbroadcastf128 16(%rsi), %ymm2
        vpbroadcastb 1(%rsi), %ymm2
        vpbroadcastw 2(%rsi), %xmm2
        vpbroadcastd 4(%rsi), %ymm2
        vpbroadcastq 8(%rsi), %ymm2
        vbroadcasti128 16(%rsi), %ymm2
        vinsertf128 $1, 16(%rsi), %ymm2, %ymm3
        vinserti128 $0, (%rsi), %ymm2, %ymm3
        vextractf128 $1, %ymm3, 320(%rdi)
        vextracti128 $0, %ymm3, 336(%rdi)
        vperm2f128 $0x21, (%rsi), %ymm3, %ymm4
        vperm2i128 $0x13, 32(%rsi), %ymm3, %ymm4
        vpermq $0x1b, (%rsi), %ymm4
        vpermpd $0x1b, 32(%rsi), %ymm4
        vpermd (%rsi), %ymm3, %ymm4
        vpermps 32(%rsi), %ymm3, %ymm4
        vpermilps $0x1b, (%rsi), %ymm4
        vpermilps (%rsi), %ymm3, %ymm4
        vpermilpd $1, 16(%rsi), %xmm4
        vaddps (%rsi), %ymm0, %ymm5
        vaddps (%rsi), %xmm0, %xmm5
        vaddss 4(%rsi), %xmm0, %xmm5
        vaddsd 8(%rsi), %xmm0, %xmm5
        vmulpd 32(%rsi), %ymm0, %ymm5
        vdivps (%rsi), %ymm0, %ymm5
        vsqrtps (%rsi), %ymm5
        vsqrtsd 8(%rsi), %xmm0, %xmm5
        vmaxps (%rsi), %ymm0, %ymm5
        vandps (%rsi), %ymm0, %ymm5
        vxorpd 32(%rsi), %ymm0, %ymm5
        vcmpps $1, (%rsi), %ymm0, %ymm5
        vcmpsd $2, 8(%rsi), %xmm0, %xmm5
        vcomiss 4(%rsi), %xmm0
        vucomisd 8(%rsi), %xmm0
        vfmadd231ps (%rsi), %ymm0, %ymm5
        vfmadd213sd 8(%rsi), %xmm0, %xmm5
        vfmadd132pd 32(%rsi), %ymm0, %ymm5
        vfnmadd231ss 4(%rsi), %xmm0, %xmm5
        vfmsub231ps (%rsi), %xmm0, %xmm5
        vcvtps2pd 16(%rsi), %ymm6
        vcvtps2pd 8(%rsi), %xmm6
        vcvtdq2pd 16(%rsi), %ymm6
        vcvtpd2psx (%rsi), %xmm6
        vcvtpd2psy 32(%rsi), %xmm6
        vcvtdq2ps (%rsi), %ymm6
        vcvttps2dq 32(%rsi), %ymm6
        vcvtsi2sdq 8(%rsi), %xmm0, %xmm6
        vcvtss2sd 4(%rsi), %xmm0, %xmm6
        vcvttsd2si 8(%rsi), %rax
        vcvtph2ps 8(%rsi), %xmm6
        vcvtph2ps 16(%rsi), %ymm6
        vcvtps2ph $0, %ymm6, 352(%rdi)
        vcvtps2ph $0, %xmm6, 368(%rdi)
        vshufps $0x1b, (%rsi), %ymm0, %ymm7
        vunpcklpd 32(%rsi), %ymm0, %ymm7
        vblendps $0x0f, (%rsi), %ymm0, %ymm7
        vblendvps %ymm0, (%rsi), %ymm1, %ymm7
        vdpps $0xff, (%rsi), %ymm0, %ymm7
        vroundps $1, (%rsi), %ymm7
        vroundsd $1, 8(%rsi), %xmm0, %xmm7
        vtestps (%rsi), %ymm0
        vptest 32(%rsi), %ymm0
        vptest (%rsi), %xmm0
        vpinsrb $1, 1(%rsi), %xmm0, %xmm8
        vpinsrw $1, 2(%rsi), %xmm0, %xmm8
        vpinsrd $1, 4(%rsi), %xmm0, %xmm8
        vpinsrq $1, 8(%rsi), %xmm0, %xmm8
        vpextrb $1, %xmm8, 1(%rdi)
        vpextrw $1, %xmm8, 2(%rdi)
        vpextrd $1, %xmm8, 4(%rdi)
        vpextrq $1, %xmm8, 8(%rdi)
        vextractps $1, %xmm8, 12(%rdi)
        vinsertps $0x10, 4(%rsi), %xmm0, %xmm8
        vldmxcsr mxcsr(%rip)
        vstmxcsr 176(%rdi)
        vaesenc (%rsi), %xmm0, %xmm9
        vaesdeclast 16(%rsi), %xmm0, %xmm9
        vpclmulqdq $0x01, (%rsi), %xmm0, %xmm9

/* ---- AVX2 ---- */
        vpaddd (%rsi), %ymm0, %ymm10
        vpaddb 32(%rsi), %ymm0, %ymm10
        vpsubq (%rsi), %ymm0, %ymm10
        vpmulld 32(%rsi), %ymm0, %ymm10
        vpmuludq (%rsi), %ymm0, %ymm10
        vpand (%rsi), %ymm0, %ymm10
        vpor 32(%rsi), %ymm0, %ymm10
        vpxor (%rsi), %ymm0, %ymm10
        vpcmpeqb (%rsi), %ymm0, %ymm10
        vpcmpgtq 32(%rsi), %ymm0, %ymm10
        vpshufb (%rsi), %ymm0, %ymm10
        vpshufd $0x1b, 32(%rsi), %ymm10
        vpalignr $4, (%rsi), %ymm0, %ymm10
        vpunpcklbw 32(%rsi), %ymm0, %ymm10
        vpacksswb (%rsi), %ymm0, %ymm10
        vpmaddwd 32(%rsi), %ymm0, %ymm10
        vpsadbw (%rsi), %ymm0, %ymm10
        vpminub 32(%rsi), %ymm0, %ymm10
        vpabsd (%rsi), %ymm10
        vpsllw 32(%rsi), %ymm0, %ymm10
        vpsllvd (%rsi), %ymm0, %ymm10
        vpsravd 32(%rsi), %ymm0, %ymm10
        vpsrlvq (%rsi), %xmm0, %xmm10
        vpblendd $0x0f, (%rsi), %ymm0, %ymm10
        vpblendvb %ymm0, 32(%rsi), %ymm1, %ymm10
        vpmovzxbw 16(%rsi), %ymm11
        vpmovzxbd 8(%rsi), %ymm11
        vpmovzxbq 4(%rsi), %ymm11
        vpmovsxwd 16(%rsi), %ymm11
        vpmovsxdq 16(%rsi), %ymm11
        vpmovsxbw 8(%rsi), %xmm11
        vmovdqu 32(%rsi), %ymm11
        vpmovmskb %ymm11, %eax
        vpbroadcastd %xmm0, %ymm11
        vzeroupper
        vzeroall

/* ---- AVX masked moves (per-lane guards) ---- */
        vmovdqa vmask(%rip), %ymm12
        vmaskmovps (%rsi), %ymm12, %ymm13
        vmaskmovps 32(%rsi), %xmm12, %xmm13
        vmaskmovps %ymm13, %ymm12, 384(%rdi)
        vmaskmovps %xmm13, %xmm12, 416(%rdi)
        vmaskmovpd (%rsi), %ymm12, %ymm13
        vmaskmovpd %ymm13, %ymm12, 448(%rdi)
        vpmaskmovd (%rsi), %ymm12, %ymm13
        vpmaskmovd 8(%rsi), %xmm12, %xmm13
        vpmaskmovd %ymm13, %ymm12, 480(%rdi)
        vpmaskmovq (%rsi), %ymm12, %ymm13
        vpmaskmovq %xmm13, %xmm12, 512(%rdi)
        vpxor %ymm12, %ymm12, %ymm12
        vmaskmovps (%rsi), %ymm12, %ymm13
        vpcmpeqd %ymm12, %ymm12, %ymm12
        vmaskmovps %ymm13, %ymm12, 544(%rdi)

/* ---- AVX2 gathers (vsib, partial masks) ---- */
        vmovdqa vidx(%rip), %ymm14
        vmovdqa vmask(%rip), %ymm15
        vpgatherdd %ymm15, (%rsi,%ymm14,4), %ymm13
        vmovdqa vmask(%rip), %ymm15
        vpgatherdd %xmm15, 8(%rsi,%xmm14,4), %xmm13
        vmovdqa vmask(%rip), %ymm15
        vgatherdps %ymm15, (%rsi,%ymm14,1), %ymm13
        vmovdqa vmask(%rip), %ymm15
        vpgatherdq %ymm15, (%rsi,%xmm14,8), %ymm13
        vmovdqa vmask(%rip), %ymm15
        vgatherdpd %xmm15, (%rsi,%xmm14,2), %xmm13
        vmovdqa vidxq(%rip), %ymm14
        vmovdqa vmask(%rip), %ymm15
        vpgatherqq %ymm15, (%rsi,%ymm14,1), %ymm13
        vmovdqa vmask(%rip), %ymm15
        vpgatherqd %xmm15, (%rsi,%ymm14,1), %xmm13
        vmovdqa vmask(%rip), %ymm15
        vgatherqps %xmm15, 4(%rsi,%xmm14,1), %xmm13
        vmovdqa vmask(%rip), %ymm15
        vgatherqpd %ymm15, (%rsi,%ymm14,2), %ymm13
        vpcmpeqd %ymm15, %ymm15, %ymm15
        vpgatherdd %ymm15, (%rsi,%ymm14,2), %ymm13
        vpxor %ymm15, %ymm15, %ymm15
        vpgatherdd %ymm15, (%rsi,%ymm14,2), %ymm13

/* ---- save areas ---- */
        lea xarea(%rip), %rdi
        fxsave (%rdi)
        fxrstor (%rdi)
        fxsave64 (%rdi)
        fxrstor64 (%rdi)
        mov $7, %eax
        xor %edx, %edx
        xsave (%rdi)
        xrstor (%rdi)
        mov xmask3(%rip), %eax
        xsave (%rdi)
        xrstor (%rdi)
        mov xmask5(%rip), %eax
        xsave (%rdi)
        xrstor (%rdi)

/* ---- exit(0) ---- */
        mov $60, %eax
        xor %edi, %edi
        syscall

/* ---- called functions ---- */
        .type func_direct, @function
func_direct:
        ret
        .type func_enter, @function
func_enter:
        enter $32, $0
        movq $1, -8(%rbp)
        leave
        ret
        .type func_retimm, @function
func_retimm:
        ret $0

        .data
        .balign 64
buf:    .fill 1024, 1, 0
buf2:   .fill 256, 1, 0x11
buf3:   .fill 256, 1, 0x11
        .balign 64
vdata:  .long 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
        .long 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
        .balign 32
vmask:  .long -1, 0, -1, -1, 0, 0, -1, 0
vidx:   .long 0, 3, 6, 1, 12, 5, 2, 7
vidxq:  .quad 8, 0, 40, 16
fptr:   .quad func_direct
clreq_args:
        .quad 0x1001, 0, 0, 0, 0, 0  /* RUNNING_ON_VALGRIND */
jtab:   .quad jt0, jt1, jt0
mxcsr:  .long 0x1f80
xmask3: .long 3
xmask5: .long 5
        .balign 64
xarea:  .fill 1088, 1, 0

        .bss
        .balign 64
tls:    .fill 256
        .balign 64
stack:  .fill 16384
stack_top:
        .fill 256
