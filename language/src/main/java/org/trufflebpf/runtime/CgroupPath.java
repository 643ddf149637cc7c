package org.trufflebpf.runtime;

/**
 * A cgroup as this model names it: its path in the cgroup v2 hierarchy, {@code /} for the root, as
 * {@code /proc/self/cgroup} shows it ({@code 0::/system.slice/app.service}). Where the kernel hands cgroups around
 * as fds and ids, here the host gives paths: the run's current cgroup ({@code bpf.Cgroup}) and the entries of
 * cgroup arrays. A path is {@code /} or {@code /}-separated names, none empty, {@code .} or {@code ..}.
 */
public final class CgroupPath {
    /** The root cgroup, every task's when nothing else is said. */
    public static final String ROOT = "/";

    private CgroupPath() {
    }

    /** The path as this model keeps it (no trailing {@code /}), or an IllegalArgumentException saying why it is none. */
    public static String parse(String text) {
        String path = text.strip();
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("cgroup path '" + text + "' must start with / (a path in the cgroup v2 hierarchy, / for the root)");
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!path.equals(ROOT)) {
            for (String name : path.substring(1).split("/", -1)) {
                if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                    throw new IllegalArgumentException("cgroup path '" + text + "' has an empty, . or .. name");
                }
            }
        }
        return path;
    }

    /** Whether {@code cgroup} is {@code ancestor} or lies below it (the kernel's cgroup_is_descendant). */
    public static boolean isUnder(String cgroup, String ancestor) {
        return ancestor.equals(ROOT) || cgroup.equals(ancestor) || cgroup.startsWith(ancestor + "/");
    }
}
