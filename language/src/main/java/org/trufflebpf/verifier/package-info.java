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
 * <li>Values ({@code DataflowAnalysis}, {@code AbstractInterpreter}): registers are read only when written on
 * every path; stack bytes too for an unprivileged loader ({@code VerifierOptions.privileged} false),
 * while by default, as the kernel for a privileged one, a load may read unwritten stack bytes (listed in
 * {@code ProgramAnalysis.unwrittenStackReads}; both engines clear the frame, so they read 0); stack accesses at a
 * fixed offset are aligned to their size (all accesses with {@code strictAlignment}); calls clobber r1-r5, and r0 is unreadable after {@code bpf_tail_call};
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
 * arguments have the kinds its call sites pass (a number at any site makes that argument a number; numbers at
 * every site give the range covering them).</li>
 * <li>Memory ({@code AbstractInterpreter}, as the kernel): a lookup or reserve result is compared with the
 * immediate 0 ({@code jeq/jne r, 0}) before it is dereferenced, moved or passed as a buffer
 * ({@code R0 invalid mem access 'map_value_or_null'}), except an array lookup whose key bytes are 0 on every
 * path (entry 0 always exists); a pointer known not NULL never takes the equal edge of {@code jeq/jne r, 0}; the
 * check settles every copy made by {@code mov} or a
 * spill (they share the call's id) and makes the NULL side the number 0. Accesses through a map value (or a
 * record of constant size) lie in {@code [0, size)} for every offset the pointer may have
 * ({@code invalid access to map value, value_size=8 off=8 size=8}). Packet accesses lie in the range that
 * {@code jgt/jge/jlt/jle} between a packet pointer and data_end (either order) proved for pointers of the
 * same id: {@code p <= end} proves p's offset, {@code p < end} one byte more; adding a non-constant number
 * starts a new id with nothing proven ({@code invalid access to packet, off=40 size=1, R1(id=0,off=0,r=14):
 * R1 offset is outside of the packet}). data_end is neither dereferenced nor moved. After
 * bpf_xdp_adjust_head (or a helper without a signature, or any call of a function when the program has
 * either) packet pointers are numbers.</li>
 * </ul>
 *
 * <h2>Facts for the engines</h2>
 * Functions with their slot ranges, stack depths (unrounded), callees, {@code callsTailCall} and
 * {@code tailCallReachable}; per {@code call 12} site the prog array (when r2 is the same map on every path)
 * and the key (when r3 is the same constant, as a u32), {@code direct} only when that key is below the map's
 * max_entries; the deepest chain's stack; the helper ids called (including {@code callx} targets); the
 * accesses proven inside their region on every path ({@code provenAccesses}): own-frame stack accesses, map
 * values of known size, packet bytes in a proven range (not stores of socket filters), context reads within
 * the context struct. Not proven (left to the engines' checks): raw programs' input, pointers of unknown kind,
 * a caller's frame reached through an argument, ring-buffer records (submit releases them; not tracked),
 * metadata, and stores into map values when the program has a read-only map.
 *
 * <h2>Deliberate simplifications</h2>
 * <ul>
 * <li>Context fields are not checked per program type here (the engines check them at run time), nor is
 * the size of a raw program's input; pointers of unknown kind (kinds merged at a join or across call
 * sites) are dereferenced under the engines' checks. Ids name the instruction that made them (call or
 * {@code add}), not a fresh counter, so that loop states repeat; when the instruction runs again, older
 * holders of the id lose it. A pointer stored into a caller's frame through a pointer argument, or into a
 * map, loads back as a number.</li>
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
 * all, 1,000,000 instructions processed per function). A program of a kernel type that needs more than
 * 1,000,000 processed instructions is refused as the kernel refuses it ({@code BPF program is too large}); one
 * over the state counts, or a raw-memory program (ours only, whose loops over its input have no bound), is
 * analysed again with one joined state per block: ranges widen to infinity, then narrowing wins back the bounds that loop
 * conditions on a counter impose, and bytes written at varying offsets do not count as written. A stack
 * pointer that a long loop itself advances becomes unbounded there.</li>
 * <li>Branches that the known constants rule out are not followed (as in the kernel); the structural
 * reachability rule still applies to them.</li>
 * </ul>
 */
package org.trufflebpf.verifier;
