package dev.fathom.train.callbacks;

import java.util.Locale;

/** Whether a monitored value should go down ({@code MIN}, a loss), up ({@code MAX}, an accuracy), or be guessed from its name. */
public enum Mode {
    MIN, MAX,
    /** {@code MAX} for names holding accuracy, precision, recall, f1 or auc; {@code MIN} otherwise (Keras's rule). */
    AUTO;

    /** MIN or MAX for {@code monitor}. */
    Mode resolve(String monitor) {
        if (this != AUTO) return this;
        String m = monitor.toLowerCase(Locale.ROOT);
        for (String up : new String[] {"acc", "precision", "recall", "f1", "auc"}) if (m.contains(up)) return MAX;
        return MIN;
    }

    /** Whether {@code value} improves on {@code best} by more than {@code minDelta} (this must be resolved). */
    boolean improves(double value, double best, double minDelta) {
        if (Double.isNaN(value)) return false;
        if (Double.isNaN(best)) return true;
        return this == MIN ? value < best - minDelta : value > best + minDelta;
    }

    static double value(String owner, String monitor, java.util.Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null)
            throw new IllegalArgumentException(owner + ": monitored value '" + monitor + "' was not logged; logged: " + logs.keySet()
                + (monitor.startsWith("val_") ? " (pass validation data to fit)" : ""));
        return v;
    }
}
