/**
 * The verifier: {@link org.trufflebpf.verifier.Verifier#verify} checks a program and fills in the
 * {@link org.trufflebpf.model.ProgramAnalysis} that both engines read.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>Structure ({@code ControlFlow}): a non-empty program within the size limit; valid encodings; no write
 * to r10; jumps inside their function and never into the second slot of {@code lddw}; call and
 * {@code lddw func:} targets at instruction starts; map references to existing maps; constant helper ids
 * known; each function ends in {@code exit} or {@code ja}; every instruction reachable.</li>
 * <li>Program types ({@code ProgramTypeRules}, as the kernel's per-type callbacks decide): helpers the type may
 * call, for direct calls and {@code callx} targets alike; the context fields the type may load and store through
 * the context pointer, at which widths ({@code SkBuffFields}, {@code xdp_md}: 4-byte loads only), never
 * atomically, and packet pointers never sign-extended; LD_ABS/LD_IND only in socket and tc programs; no
 * division or modulo by an immediate 0. Prog arrays serve one program type (checked when a module loads and
 * when the host fills a slot).</li>
 * <li>Calls ({@code CallGraph}): no recursion; at most 8 frames; the deepest chain, each frame
 * {@code round_up(max(depth, 1), 32)} as in Linux 5.10, at most 512 bytes; a subprogram that tail calls is
 * not called while its callers' frames total 256 bytes or more.</li>
 * <li>Values ({@code DataflowAnalysis}, {@code AbstractInterpreter}): registers and stack bytes are read only
 * when written on every path; calls clobber r1-r5, and r0 is unreadable after {@code bpf_tail_call};
 * {@code exit} needs r0 in the entry function and in callbacks, while a function reached by
 * {@code call local} may leave it unset (clang does, when callers fold a constant result) and its callers
 * then may not read r0 after the call;
 * stack accesses lie in {@code [r10-512, r10)}, also through registers holding r10 plus a constant or a
 * bounded range; a {@code callx} register holds the same known helper id on every path; map references are
 * only copied, compared and passed to calls; map helpers get a map reference in r1 and stack keys and values
 * that fit in the frame at the map's sizes; {@code bpf_tail_call} gets a prog array when r2 is known.</li>
 * <li>Pointers ({@code Value}, {@code Arithmetic}): loads, stores and atomics go through a pointer (stack,
 * context, packet, map value, ring-buffer record), never through a number ({@code R1 invalid mem access
 * 'scalar'}); helper keys, values and buffers are pointers too. A pointer keeps its kind through 64-bit
 * {@code mov}, adding or subtracting a number and an aligned 8-byte spill and fill; any other operation (or,
 * and, xor, shifts, mul, div, mod, neg, byte swaps, sign-extending moves, every 32-bit operation, a partial
 * overwrite of its stack slot or a narrower fill) leaves a number, and {@code ptr - ptr} is a number. Packet
 * pointers come from 4-byte loads of the context's data, data_end and data_meta; map values from
 * bpf_map_lookup_elem and {@code lddw map_value:}; records from bpf_ringbuf_reserve. A subprogram's
 * arguments have the kinds its call sites pass (a number at any site makes that argument a number).</li>
 * </ul>
 *
 * <h2>Facts for the engines</h2>
 * Functions with their slot ranges, stack depths (unrounded), callees, {@code callsTailCall} and
 * {@code tailCallReachable}; per {@code call 12} site the prog array (when r2 is the same map on every path)
 * and the key (when r3 is the same constant, as a u32), {@code direct} only when that key is below the map's
 * max_entries; the deepest chain's stack; the helper ids called (including {@code callx} targets).
 *
 * <h2>Deliberate simplifications</h2>
 * <ul>
 * <li>Memory other than the stack (context, packet, map values) is not bounds-checked here, only reached
 * through a pointer of the right sort: the engines check its bounds at run time. Pointers that may be NULL
 * (lookup and reserve results) are marked but may still be dereferenced before a NULL check. A pointer stored
 * into a caller's frame through a pointer argument, or into a map, loads back as a number.</li>
 * <li>A stack pointer passed to a helper: the pointed-to bytes are not checked for initialisation; the frame
 * is sized down to the pointer; a helper that may write (skb_load_bytes, or any id without a signature)
 * writes {@code [p, p + size)} when the next argument is a constant size, else up to r10.</li>
 * <li>A stack pointer passed to a called function: callees are analysed first and record, per argument
 * register, the offsets from the received pointer that they (or functions they pass it on to) access; the
 * caller checks that range against its frame, sizes its frame by it and counts it as written afterwards
 * (callee reads are not checked for initialisation). Where a callee loses track of the pointer (stores it
 * to memory, merges it with other values, computes with it beyond adding and subtracting), it is trusted to
 * stay between the pointer and the caller's r10.</li>
 * <li>Paths and loops: states are first kept apart per path, pruned only when an earlier state covers a new
 * one, so loops with a known trip count run iteration by iteration (up to 1024 states per block, 50,000 in
 * all, 1,000,000 instructions processed per function). Beyond that the function is analysed again with one
 * joined state per block: ranges widen to infinity, then narrowing wins back the bounds that loop
 * conditions on a counter impose, and bytes written at varying offsets do not count as written. A stack
 * pointer that a long loop itself advances becomes unbounded there.</li>
 * <li>Branches that the known constants rule out are not followed (as in the kernel); the structural
 * reachability rule still applies to them.</li>
 * </ul>
 */
package org.trufflebpf.verifier;
