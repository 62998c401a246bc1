/*
 * coredump: keeps the process's memory (the pepper, keys and passwords in
 * flight) out of core files, for the server and the admin tool alike.
 */
#ifndef PS_COREDUMP_H
#define PS_COREDUMP_H

/*
 * RLIMIT_CORE 0 (soft and hard, so nothing later raises it) and not dumpable,
 * which also keeps other processes of the same user from reading its memory
 * through /proc or ptrace. setuid makes a process dumpable again: call it
 * after changing user too. Lowering a limit and clearing the flag cannot fail.
 */
void coredump_disable(void);

#endif
