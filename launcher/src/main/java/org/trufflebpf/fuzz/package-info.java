/**
 * Differential testing of the engines through the Polyglot API.
 * <ul>
 * <li>{@link org.trufflebpf.fuzz.DifferentialRunner}: one interpreter and one native context with the same
 * options; runs a {@link org.trufflebpf.fuzz.DiffCase} on both and compares their
 * {@link org.trufflebpf.fuzz.Outcome}s (r0 or error, input bytes after the run, maps, printed output,
 * instruction count).</li>
 * <li>{@link org.trufflebpf.fuzz.KernelDifferences}: where the host kernel, the runner's third engine for packet
 * programs, may differ by design; {@link org.trufflebpf.fuzz.ModuleFacts}: what it needs to know of a module.</li>
 * <li>{@link org.trufflebpf.fuzz.ProgramGenerator}: random programs the verifier accepts by construction (and,
 * for a packet context, the kernel's verifier too).</li>
 * <li>{@link org.trufflebpf.fuzz.LaunderingGenerator}: unverified programs that launder pointers and reach just
 * outside the run's regions ({@code bpf fuzz --launder}); {@link org.trufflebpf.fuzz.HostValueScan} looks for
 * host addresses in what their runs leave behind.</li>
 * <li>{@link org.trufflebpf.fuzz.Reducer}: delta debugging of a divergence down to a few instructions;
 * {@link org.trufflebpf.fuzz.Reproducer} writes it as a {@code .s} file that {@code bpf run} replays.</li>
 * <li>{@link org.trufflebpf.fuzz.FuzzCampaign}: a seeded campaign ({@code bpf fuzz}, and the CI test).</li>
 * <li>{@link org.trufflebpf.fuzz.VerifierGenerator}, {@link org.trufflebpf.fuzz.VerifierCampaign}: programs near
 * the safety boundary judged by our verifier and the kernel's ({@code bpf fuzz --verifier}).</li>
 * </ul>
 * Errors are compared word for word except native addresses and, for accesses outside every region, which
 * map entry lies nearest: both depend on where each context allocated its memory.
 */
package org.trufflebpf.fuzz;
