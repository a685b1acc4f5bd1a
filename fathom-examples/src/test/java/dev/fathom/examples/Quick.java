package dev.fathom.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs an example's quick mode, keeping what it printed. */
record Quick(double result, String text) {
    static Quick run(WorkedExample example, long seed) throws Exception {
        var buf = new ByteArrayOutputStream();
        double r = example.run(new WorkedExample.Options(0, true, seed), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new Quick(r, buf.toString(StandardCharsets.UTF_8));
    }

    /** The first number after {@code label} in the printed text. */
    double number(String label) {
        int i = text.indexOf(label);
        if (i < 0) throw new AssertionError("no '" + label + "' in\n" + text);
        var m = java.util.regex.Pattern.compile("-?[0-9]+\\.?[0-9]*").matcher(text.substring(i + label.length()));
        if (!m.find()) throw new AssertionError("no number after '" + label + "' in\n" + text);
        return Double.parseDouble(m.group());
    }
}
