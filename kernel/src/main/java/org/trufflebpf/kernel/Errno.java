package org.trufflebpf.kernel;

/** The errno values bpf(2) returns that we name in messages. */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int ENOMEM = 12;
    static final int ENODEV = 19;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ENOSYS = 38;
    static final int ENOTSUPP = 524;

    private Errno() {
    }

    static String describe(int errno) {
        String name = switch (errno) {
            case EPERM -> "EPERM (operation not permitted: needs root or CAP_BPF + CAP_NET_ADMIN)";
            case ENOENT -> "ENOENT";
            case E2BIG -> "E2BIG";
            case ENOMEM -> "ENOMEM";
            case ENODEV -> "ENODEV (no such device)";
            case EACCES -> "EACCES (permission denied)";
            case EINVAL -> "EINVAL (invalid argument)";
            case ENOSPC -> "ENOSPC";
            case ENOSYS -> "ENOSYS (no bpf(2) in this kernel)";
            case ENOTSUPP -> "ENOTSUPP (not supported by this kernel)";
            default -> "errno " + errno;
        };
        return name;
    }
}
