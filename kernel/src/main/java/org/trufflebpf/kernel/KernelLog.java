package org.trufflebpf.kernel;

/** Reading the kernel verifier's log. */
final class KernelLog {
    private KernelLog() {
    }

    /**
     * The reason of a rejection: the last line that is not the verifier's statistics ("processed N insns ...",
     * "verification time ...", "stack depth ...") nor blank; null when there is none.
     */
    static String reason(String log) {
        String[] lines = log.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("processed ") || line.startsWith("verification time") || line.startsWith("stack depth")
                            || line.startsWith("max_states_per_insn")) {
                continue;
            }
            return line;
        }
        return null;
    }
}
