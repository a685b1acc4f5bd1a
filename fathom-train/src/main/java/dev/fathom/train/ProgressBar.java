package dev.fathom.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-epoch progress for {@link Trainer#fit}: on a terminal a bar redrawn in place (carriage
 * return) with the batch count, ETA, running loss and throughput; elsewhere (CI logs, files) only
 * one summary line per epoch. Both end an epoch with the same line:
 *
 * <pre>Epoch 2/5 - 25/25 - 1.3s - 1923 ex/s - loss: 0.4312 - accuracy: 0.9500 - val_loss: 0.3875 - val_accuracy: 0.9600 - lr: 0.01</pre>
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier clock;
    private int epoch, epochs, total, batch, lastLength;
    private long examples, start, lastDraw;

    /** Progress on {@code out}; a live bar when {@code interactive}. */
    public ProgressBar(PrintStream out, boolean interactive) { this(out, interactive, System::nanoTime); }

    /** As above with a clock in nanoseconds (tests). */
    public ProgressBar(PrintStream out, boolean interactive, LongSupplier nanoClock) {
        if (out == null) throw new IllegalArgumentException("ProgressBar: the output stream is null");
        this.out = out;
        this.interactive = interactive;
        this.clock = nanoClock;
    }

    /** Progress on standard output, live when it is a terminal ({@code System.console() != null}). */
    public static ProgressBar console() { return new ProgressBar(System.out, System.console() != null); }

    /** Starts an epoch of {@code totalBatches} batches (-1 when unknown). */
    public void startEpoch(int epoch, int epochs, int totalBatches) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.total = totalBatches;
        batch = 0;
        examples = 0;
        lastLength = 0;
        start = lastDraw = clock.getAsLong();
    }

    /** Records a finished batch of {@code size} examples; {@code meanLoss} is the epoch's running loss. */
    public void batch(int batchIndex, int size, double meanLoss) {
        batch = batchIndex;
        examples += size;
        if (!interactive) return;
        long now = clock.getAsLong();
        if (now - lastDraw < REDRAW_NANOS && batch != total) return;
        lastDraw = now;
        double secs = (now - start) / 1e9;
        StringBuilder b = new StringBuilder(head()).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, (long) WIDTH * batch / total);
            b.append('[').append("=".repeat(filled)).append(filled < WIDTH ? ">" : "").append(" ".repeat(Math.max(0, WIDTH - filled - 1)))
                .append("] ").append(batch).append('/').append(total);
            double eta = batch >= total ? 0 : secs / batch * (total - batch);
            b.append(" - ETA ").append(clockText(eta));
        } else {
            b.append(batch).append(" batches");
        }
        b.append(" - loss: ").append(number(meanLoss)).append(" - ").append(throughput(secs)).append(" ex/s");
        draw(b.toString());
    }

    /** Ends the epoch with its summary line. */
    public void endEpoch(Map<String, Double> logs) {
        double secs = (clock.getAsLong() - start) / 1e9;
        StringBuilder b = new StringBuilder(head()).append(" - ").append(batch).append(total > 0 ? "/" + total : " batches")
            .append(" - ").append(duration(secs)).append(" - ").append(throughput(secs)).append(" ex/s");
        logs.forEach((k, v) -> b.append(" - ").append(k).append(": ").append(k.equals("lr") ? lrText(v) : number(v)));
        if (interactive) {
            draw(b.toString());
            out.println();
        } else {
            out.println(b);
        }
        out.flush();
        lastLength = 0;
    }

    /** Prints a message on its own line (a callback's notice), ending a live bar's line first. */
    public void message(String text) {
        if (interactive && lastLength > 0) out.println();
        lastLength = 0;
        out.println(text);
        out.flush();
    }

    private String head() { return "Epoch " + epoch + "/" + epochs; }

    private void draw(String line) {
        out.print('\r');
        out.print(line);
        if (line.length() < lastLength) out.print(" ".repeat(lastLength - line.length()));
        lastLength = line.length();
        out.flush();
    }

    private String throughput(double secs) { return secs <= 0 ? "-" : String.format(Locale.ROOT, "%.0f", examples / secs); }

    static String number(double v) { return String.format(Locale.ROOT, "%.4f", v); }

    static String lrText(double v) { return String.format(Locale.ROOT, "%.4g", v); }

    /** Seconds as {@code 3.2s} under a minute, otherwise {@code m:ss} or {@code h:mm:ss}. */
    static String duration(double secs) { return secs < 60 ? String.format(Locale.ROOT, "%.1fs", secs) : clockText(secs); }

    /** Seconds as {@code m:ss} or {@code h:mm:ss}. */
    static String clockText(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
