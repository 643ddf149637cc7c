package org.trufflebpf.truffle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.SourceLine;
import org.trufflebpf.truffle.nodes.LineSources;

import com.oracle.truffle.api.TruffleFile;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.source.Source;

/**
 * The sources an object's lines are shown in. An assembly file is its own source. A C file named by an object's
 * line info is read from disk (relative to the object's folder, by the path recorded, or by its name beside the
 * object) when the context may read files; otherwise its source is made from the line texts the object records (clang keeps each line's
 * text), at their line numbers, so tools still show the C code that ran.
 */
final class ProgramSources implements LineSources {
    private final TruffleLanguage.Env env;
    private final Source objectSource;
    private final BpfObject object;
    private final Map<String, Optional<Source>> byFile = new HashMap<>();

    ProgramSources(TruffleLanguage.Env env, Source objectSource, BpfObject object) {
        this.env = env;
        this.objectSource = objectSource;
        this.object = object;
    }

    @Override
    public synchronized Source sourceOf(SourceLine line) {
        return byFile.computeIfAbsent(line.file(), this::resolve).orElse(null);
    }

    private Optional<Source> resolve(String file) {
        if (objectSource.hasCharacters() && file.equals(objectSource.getName())) {
            return Optional.of(objectSource);
        }
        for (String candidate : candidates(file)) {
            Source source = read(candidate);
            if (source != null) {
                return Optional.of(source);
            }
        }
        return Optional.ofNullable(recorded(file));
    }

    private List<String> candidates(String file) {
        List<String> paths = new ArrayList<>();
        String objectPath = objectSource.getPath();
        String folder = null;
        if (objectPath != null) {
            int slash = objectPath.lastIndexOf('/');
            folder = slash < 0 ? "" : objectPath.substring(0, slash + 1);
        }
        if (folder != null && !file.startsWith("/")) {
            paths.add(folder + file);
        }
        paths.add(file);
        if (folder != null) {
            // Built from another folder (a build script one level up, say): the file beside the object.
            paths.add(folder + file.substring(file.lastIndexOf('/') + 1));
        }
        return paths;
    }

    /** The file's source, or null when it is absent or the context may not read it. */
    private Source read(String path) {
        try {
            TruffleFile truffleFile = env.getPublicTruffleFile(path).normalize();
            if (!truffleFile.isRegularFile() || !truffleFile.isReadable()) {
                return null;
            }
            String text = new String(truffleFile.readAllBytes(), StandardCharsets.UTF_8);
            return Source.newBuilder(BpfLanguage.ID, truffleFile).content(text).build();
        } catch (Exception e) {
            // No access (IO not allowed, a bad path): the recorded lines serve instead.
            return null;
        }
    }

    /** A source made of the lines the object records for {@code file}, each at its own line number. */
    private Source recorded(String file) {
        TreeMap<Integer, String> lines = new TreeMap<>();
        for (Program program : object.programs()) {
            for (Instruction insn : program.code()) {
                SourceLine line = program.lineOf(insn.index());
                if (line != null && line.file().equals(file)) {
                    lines.putIfAbsent(line.line(), line.text());
                }
            }
        }
        if (lines.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (int n = 1; n <= lines.lastKey(); n++) {
            text.append(lines.getOrDefault(n, "")).append('\n');
        }
        String name = file.substring(file.lastIndexOf('/') + 1);
        return Source.newBuilder(BpfLanguage.ID, text, name).build();
    }
}
