/**
 * Differential testing of the two engines through the Polyglot API only.
 * <ul>
 * <li>{@link org.trufflebpf.fuzz.DifferentialRunner}: one interpreter and one native context with the same
 * options; runs a {@link org.trufflebpf.fuzz.DiffCase} on both and compares their
 * {@link org.trufflebpf.fuzz.Outcome}s (r0 or error, input bytes after the run, maps, printed output,
 * instruction count).</li>
 * <li>{@link org.trufflebpf.fuzz.ProgramGenerator}: random programs the verifier accepts by construction.</li>
 * <li>{@link org.trufflebpf.fuzz.LaunderingGenerator}: unverified programs that launder pointers and reach just
 * outside the run's regions ({@code bpf fuzz --launder}); {@link org.trufflebpf.fuzz.HostValueScan} looks for
 * host addresses in what their runs leave behind.</li>
 * <li>{@link org.trufflebpf.fuzz.Reducer}: delta debugging of a divergence down to a few instructions;
 * {@link org.trufflebpf.fuzz.Reproducer} writes it as a {@code .s} file that {@code bpf run} replays.</li>
 * <li>{@link org.trufflebpf.fuzz.FuzzCampaign}: a seeded campaign ({@code bpf fuzz}, and the CI test).</li>
 * </ul>
 * Errors are compared word for word except native addresses and, for accesses outside every region, which
 * map entry lies nearest: both depend on where each context allocated its memory.
 */
package org.trufflebpf.fuzz;
