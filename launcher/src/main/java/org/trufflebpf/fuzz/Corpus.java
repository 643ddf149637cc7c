package org.trufflebpf.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A campaign's corpus ({@code bpf fuzz --corpus DIR}): the {@code .s} programs saved in a folder, replayed before
 * new programs run, and the programs a campaign adds there because they covered instruction forms none before
 * had. Every program a campaign writes (reproducers of divergences, crashes, corpus entries) heads its text with
 * comments naming its seed ({@code fuzz seed N}) and its input ({@code # input (K bytes): HEX}); a file without
 * them replays as seed 0 on an empty input.
 */
public final class Corpus {
    private static final Pattern SEED = Pattern.compile("fuzz seed (\\d+)");
    private static final Pattern INPUT = Pattern.compile("(?m)^# input \\((\\d+) bytes\\): ([0-9a-f]*)$");

    /** A saved program: its file, the seed whose engines' settings it runs under, and the case itself. */
    public record Entry(Path file, long seed, DiffCase c) {
    }

    private Corpus() {
    }

    /** Every {@code .s} file of the folder, by name; none when the folder does not exist yet. */
    public static List<Entry> read(Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".s") && !f.getFileName().toString().equals(FuzzCampaign.IN_FLIGHT))
                            .sorted().toList()) {
                entries.add(entry(file, Files.readString(file)));
            }
        }
        return entries;
    }

    static Entry entry(Path file, String text) {
        Matcher seed = SEED.matcher(text);
        Matcher input = INPUT.matcher(text);
        byte[] bytes = input.find() ? HexFormat.of().parseHex(input.group(2)) : new byte[0];
        String name = file.getFileName().toString();
        return new Entry(file, seed.find() ? Long.parseLong(seed.group(1)) : 0, DiffCase.assembly(name, text, "main", bytes));
    }

    /** Saves a campaign's program that covered new forms, as {@code corpus-SEED.s}. */
    static Path save(Path dir, CampaignTrials.Settings settings, long seed, String why) throws IOException {
        DiffCase c = CampaignTrials.caseOf(settings, seed);
        return Reproducer.write(dir, "corpus-" + seed + ".s", "# corpus: " + why + ", " + CampaignTrials.header(settings, seed, c.input()) + c.text());
    }
}
