package org.trufflebpf.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many CPUs the kernel sizes per-CPU map values for: the count in /sys/devices/system/cpu/possible. */
final class PossibleCpus {
    private PossibleCpus() {
    }

    static int count() {
        try {
            // A list of ranges such as "0-3" or "0,2-5".
            int total = 0;
            for (String part : Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim().split(",")) {
                String[] range = part.split("-");
                total += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
            }
            return Math.max(1, total);
        } catch (IOException | NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
