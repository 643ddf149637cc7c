package org.trufflebpf.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG bar chart of each engine's time per run as a ratio to a base engine (gcc -O2), per program, on a log
 * scale (the ratios span from below 1 to the hundreds): the plot {@code bpf bench --suite --peers --svg} writes.
 */
final class RatioChart {
    private static final String[] COLOURS = {"#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377"};
    private static final int LABEL = 110;
    private static final int BAR = 12;
    private static final int WIDTH = 560;
    private static final double MIN_DECADE = -1;
    private static final double MAX_DECADE = 3;

    private RatioChart() {
    }

    static String svg(List<SuiteBench.Row> rows, String base, List<String> engines) {
        Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
        Map<String, Double> baseTimes = new LinkedHashMap<>();
        for (SuiteBench.Row row : rows) {
            if (row.engine().equals(base)) {
                baseTimes.put(row.program(), row.time().median());
            }
        }
        for (SuiteBench.Row row : rows) {
            Double baseTime = baseTimes.get(row.program());
            if (baseTime != null && engines.contains(row.engine())) {
                ratios.computeIfAbsent(row.program(), p -> new LinkedHashMap<>()).put(row.engine(), row.time().median() / baseTime);
            }
        }
        int groupHeight = engines.size() * BAR + 10;
        int height = 40 + ratios.size() * groupHeight + 30 + engines.size() * 16;
        int total = LABEL + WIDTH + 80;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", total, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", total, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\">time per run / %s (log scale; 1 = as fast as %s)</text>%n", LABEL, base, base));
        int top = 30;
        int bottom = 30 + ratios.size() * groupHeight;
        for (double decade = MIN_DECADE; decade <= MAX_DECADE; decade++) {
            double x = x(Math.pow(10, decade));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n", x, top, x, bottom, decade == 0 ? "black" : "#dddddd"));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, bottom + 12, label(Math.pow(10, decade))));
        }
        int y = top;
        for (Map.Entry<String, Map<String, Double>> program : ratios.entrySet()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LABEL - 6, y + groupHeight / 2 + 4, program.getKey()));
            for (int i = 0; i < engines.size(); i++) {
                Double ratio = program.getValue().get(engines.get(i));
                if (ratio != null) {
                    double from = x(Math.pow(10, MIN_DECADE));
                    double to = Math.max(from + 1, x(ratio));
                    svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", from, y + i * BAR, to - from, BAR - 2,
                                    COLOURS[i % COLOURS.length]));
                    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n", to + 3, y + i * BAR + BAR - 3, label(ratio)));
                }
            }
            y += groupHeight;
        }
        List<String> legend = new ArrayList<>(engines);
        for (int i = 0; i < legend.size(); i++) {
            int ly = bottom + 28 + i * 16;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n", LABEL, ly - 9, COLOURS[i % COLOURS.length]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LABEL + 14, ly, legend.get(i)));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double x(double ratio) {
        double decade = Math.min(MAX_DECADE, Math.max(MIN_DECADE, Math.log10(ratio)));
        return LABEL + (decade - MIN_DECADE) / (MAX_DECADE - MIN_DECADE) * WIDTH;
    }

    private static String label(double ratio) {
        return ratio >= 10 ? String.format(Locale.ROOT, "%.0f", ratio) : String.format(Locale.ROOT, "%.2f", ratio);
    }
}
