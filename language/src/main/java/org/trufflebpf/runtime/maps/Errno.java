package org.trufflebpf.runtime.maps;

/** The Linux error numbers map operations return, negated as helpers return them. */
public final class Errno {
    private Errno() {
    }

    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int E2BIG = 7;
    public static final int ENOMEM = 12;
    public static final int ENODEV = 19;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;
    /** The kernel-internal "operation not supported" some helpers return (bpf_csum_update). */
    public static final int ENOTSUPP = 524;

    public static String name(long negated) {
        return switch ((int) -negated) {
            case ENOENT -> "ENOENT";
            case EAGAIN -> "EAGAIN";
            case E2BIG -> "E2BIG";
            case ENOMEM -> "ENOMEM";
            case ENODEV -> "ENODEV";
            case EOVERFLOW -> "EOVERFLOW";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENOTSUPP -> "ENOTSUPP";
            default -> "errno " + (-negated);
        };
    }
}
