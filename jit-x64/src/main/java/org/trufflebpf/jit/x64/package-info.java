/**
 * The native x86-64 engine: BPF programs compiled to machine code laid out like the Linux BPF JIT
 * (spec/x64-jit.md) and run in-process through FFM.
 *
 * <ul>
 * <li>{@link org.trufflebpf.jit.x64.X86Assembler} only encodes; {@link org.trufflebpf.jit.x64.BpfToX86} decides
 * what to emit (with {@code ArithmeticEmitter}, {@code TailCallEmitter}, {@link org.trufflebpf.jit.x64.PrologueEmitter}),
 * iterating passes until the layout converges; {@link org.trufflebpf.jit.x64.NativeImage} keeps the
 * BPF-slot-to-native-offset table.</li>
 * <li>Image layout: runtime stubs first (entry trampoline, error exit, checked-mode memory checks, failure
 * stubs), then the functions in slot order. The trampoline saves the C callee-saved registers, puts the
 * per-run {@code NativeRunBlock} in r12 (unused by BPF) and records rsp; any error calls a stub that stores the
 * error and the faulting return address there and unwinds straight back to the trampoline, so no exception
 * ever crosses native frames.</li>
 * <li>{@link org.trufflebpf.jit.x64.JitOptions#CHECKED} (the default) checks every memory access that is not
 * provably inside the function's own stack: against the current frame, the BPF stacks of the caller frames
 * (never a saved rbp or return address), and the run's regions (context, map values); it also bounds call
 * nesting, checks a tail call's r2 and charges the execution budget per block like the interpreter.
 * Unchecked code is only accepted for verified programs.</li>
 * <li>{@link org.trufflebpf.jit.x64.CodeMemory} is W^X without mprotect toggling: one memfd mapped twice,
 * read+execute for running and read+write for the JIT and the tail-call patcher; the writable view is
 * unmapped at once when the code has no patch sites. Direct tail-call sites are patched with single aligned
 * 8-byte stores through the writable view, never through state A, under the lock of the prog array they jump
 * through, with a grace period (the context's {@code GracePeriod}) before a removed target's site becomes a
 * nop again.</li>
 * <li>Native code runs on the shared runtime: {@link org.trufflebpf.jit.x64.NativeProgram#run} takes the run's
 * {@code RunState} (its memory regions, budget, packet, tail-call ABI and shared counter), lddw map references
 * are the runtime's maps, prog array slots hold native entry addresses, and helpers are the runtime's
 * {@code Helpers}, reached through FFM upcall stubs behind small thunks that align the stack to 16 bytes
 * ({@code HelperTable}, with the program's native stack frames added to the run's stack during each call, since
 * BPF stacks live on the machine stack here); {@code callx} indexes a native table of those thunks.</li>
 * <li>{@link org.trufflebpf.jit.x64.NativeEngineService} is the {@code NativeEngineProvider} behind
 * {@code bpf.Engine=native}, and {@code jitDump} for {@code bpf jit-dump}.</li>
 * </ul>
 */
package org.trufflebpf.jit.x64;
