/**
 * The run-time world both engines share, in plain Java over native memory (no Truffle here).
 *
 * <ul>
 * <li>{@link org.trufflebpf.runtime.RunState}: one run's stack, whose active frames
 * ({@link org.trufflebpf.runtime.StackFrames}) are the only stack a program may touch,
 * {@link org.trufflebpf.runtime.MemoryRegions} (what else loads and stores may touch), the execution budget
 * (charged per {@link org.trufflebpf.runtime.BasicBlocks block} before it runs), the shared tail-call counter and
 * the seeded clock and random numbers. Helpers reach it through {@link org.trufflebpf.runtime.RunState#current()}.</li>
 * <li>{@link org.trufflebpf.runtime.NativeMemory}: every access by absolute address, after a bounds check.</li>
 * <li>{@link org.trufflebpf.runtime.maps}: maps with values at stable native addresses; a program holds a map
 * as the address of its native header.</li>
 * <li>{@link org.trufflebpf.runtime.ContextRuntime}: what one context's runs share and no other context sees:
 * its maps by header address (the only way a run turns a register into a map) and its native runs in progress
 * ({@link org.trufflebpf.runtime.GracePeriod}), which patching and freeing of native code wait for.</li>
 * <li>{@link org.trufflebpf.runtime.Helpers}: helpers as static methods of five longs, by Linux id.</li>
 * <li>{@link org.trufflebpf.runtime.ProgramContexts} and {@link org.trufflebpf.runtime.ContextRewriter}: the
 * context r1 points to, and the load-time rewrite of its pointer fields.</li>
 * <li>{@link org.trufflebpf.runtime.NativeEngineProvider}: how the language finds the native engine.</li>
 * </ul>
 */
package org.trufflebpf.runtime;
