/* step.h - the reference engine: single-step every instruction with ptrace.
 *
 * Owns: the ptrace loop over every thread of every traced process, reading
 * registers before each instruction to evaluate its data addresses, rep string
 * iterations (Cachegrind's N+1 rule), signals, clone/fork/exec/exit events.
 * Slow (one ptrace round trip per instruction) and simple: the oracle that the
 * translator engine is checked against.
 * Must not: decode, symbolize, simulate or write files itself (session/consumer do).
 */
#ifndef CACHESIM_STEP_H
#define CACHESIM_STEP_H
#include <sys/types.h>

#include "core/session.h"

/* Runs the already-spawned process pid (stopped at its exec) to its end.
 * Returns cachesim's exit status: the program's (128+N for signal N), or 1 if
 * the engine itself failed (message printed, profile still written). */
int step_run(struct session *s, pid_t pid, const char *cmd);

#endif
