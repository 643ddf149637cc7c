/**
 * The host Linux kernel as the third engine and the reference: programs and maps loaded through bpf(2), called
 * with FFM, and run with {@code BPF_PROG_TEST_RUN}.
 *
 * <ul>
 * <li>{@link org.trufflebpf.kernel.KernelEngineService} is the {@code KernelEngineProvider} behind
 * {@code bpf.Engine=kernel} and {@code bpf verify --kernel}; it probes once whether bpf(2) works here.</li>
 * <li>{@code KernelModuleLoad} holds one module in the kernel: {@code KernelMaps} (the kernel's copies of the
 * runtime's maps, which stay authoritative: copied in before each run and back after it) and one
 * {@code KernelProgram} per program (BPF_PROG_LOAD with the verifier's log kept).</li>
 * <li>{@code KernelTestRun} runs a loaded program over packet bytes, pinned by {@code ThreadCpu} to the CPU
 * whose per-CPU map slots our engines use.</li>
 * <li>{@code BpfSyscall}, {@code Errno}, {@code KernelLog} and {@code PossibleCpus}: the system call itself and
 * what it needs from the host.</li>
 * </ul>
 */
package org.trufflebpf.kernel;
