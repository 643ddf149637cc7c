/**
 * The {@code bpf} command: one class per subcommand, each parsing its arguments, building a polyglot
 * {@code Context} and printing what the language returns; errors are one line with exit code 1, usage
 * errors exit 2.
 */
package org.trufflebpf.launcher;
