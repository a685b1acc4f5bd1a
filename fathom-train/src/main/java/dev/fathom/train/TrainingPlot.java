package dev.fathom.train;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the training curves of a {@link History} as a PNG: one panel per quantity (loss, then
 * each metric), epochs on the x axis, training in {@link #TRAIN_COLOR} and validation in
 * {@link #VALIDATION_COLOR}, with tick labels and a legend. Uses only java.awt (headless) and
 * ImageIO; the file is written atomically.
 */
public final class TrainingPlot {
    /** The colour of the training curves. */
    public static final Color TRAIN_COLOR = new Color(31, 119, 180);
    /** The colour of the validation curves. */
    public static final Color VALIDATION_COLOR = new Color(255, 127, 14);

    private TrainingPlot() {}

    static void checkSize(int width, int height) {
        if (width < 200 || height < 150 || width > 10_000 || height > 10_000)
            throw new IllegalArgumentException("TrainingPlot: image size " + width + "x" + height
                + " is out of range; expected 200..10000 wide and 150..10000 high");
    }

    /** The quantities plotted: the history's keys without the {@code val_} prefix and without {@code lr}, in order. */
    static List<String> panels(History h) {
        List<String> out = new ArrayList<>();
        for (String k : h.keys()) {
            String base = k.startsWith("val_") ? k.substring(4) : k;
            if (!base.equals("lr") && !out.contains(base)) out.add(base);
        }
        return out;
    }

    /** Draws the curves of {@code history} into an image of the given size. */
    public static BufferedImage render(History history, int width, int height) {
        checkSize(width, height);
        if (history.epochs() == 0) throw new IllegalArgumentException("TrainingPlot: the history has no epochs to plot");
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            List<String> panels = panels(history);
            int pw = width / panels.size();
            for (int i = 0; i < panels.size(); i++) drawPanel(g, history, panels.get(i), i * pw, 0, pw, height);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Renders and writes the PNG to {@code path} (atomically: a temporary file in the same directory, then a move). */
    public static void write(History history, Path path, int width, int height) throws IOException {
        BufferedImage img = render(history, width, height);
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("TrainingPlot: no PNG writer available");
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void drawPanel(Graphics2D g, History h, String name, int x0, int y0, int w, int hgt) {
        List<Double> train = h.has(name) ? h.get(name) : null;
        List<Double> val = h.has("val_" + name) ? h.get("val_" + name) : null;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (List<Double> s : new ArrayList<>(java.util.Arrays.asList(train, val)))
            if (s != null) for (double v : s) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (lo > hi) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int left = x0 + 60, right = x0 + w - 15, top = y0 + 30, bottom = y0 + hgt - 40;
        int epochs = h.epochs();

        // title
        g.setColor(Color.BLACK);
        g.setFont(g.getFont().deriveFont(Font.BOLD, 13f));
        g.drawString(name, (left + right - g.getFontMetrics().stringWidth(name)) / 2, y0 + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));

        // grid, ticks and labels
        int yTicks = 5;
        for (int i = 0; i <= yTicks; i++) {
            double v = lo + (hi - lo) * i / yTicks;
            int y = bottom - (int) Math.round((double) (bottom - top) * i / yTicks);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(left - 4, y, left, y);
            String label = String.format(Locale.ROOT, "%.3g", v);
            g.drawString(label, left - 6 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        int step = Math.max(1, (int) Math.ceil(epochs / 10.0));
        for (int e = 1; e <= epochs; e += step) {
            int x = xOf(e, epochs, left, right);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(x, bottom, x, bottom + 4);
            String label = Integer.toString(e);
            g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 6 + fm.getAscent());
        }
        g.drawString("epoch", (left + right - fm.stringWidth("epoch")) / 2, bottom + 30);
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);

        // curves
        g.setStroke(new BasicStroke(2f));
        if (train != null) curve(g, train, TRAIN_COLOR, epochs, lo, hi, left, right, top, bottom);
        if (val != null) curve(g, val, VALIDATION_COLOR, epochs, lo, hi, left, right, top, bottom);
        g.setStroke(new BasicStroke(1f));

        // legend
        int ly = top + 12, lx = right - 100;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(lx - 6, top + 2, 98, (train != null && val != null ? 32 : 16) + 4);
        g.setColor(new Color(200, 200, 200));
        g.drawRect(lx - 6, top + 2, 98, (train != null && val != null ? 32 : 16) + 4);
        if (train != null) { legend(g, "train", TRAIN_COLOR, lx, ly); ly += 16; }
        if (val != null) legend(g, "validation", VALIDATION_COLOR, lx, ly);
    }

    private static int xOf(int epoch, int epochs, int left, int right) {
        return epochs == 1 ? (left + right) / 2 : left + (int) Math.round((double) (right - left) * (epoch - 1) / (epochs - 1));
    }

    private static void curve(Graphics2D g, List<Double> s, Color c, int epochs, double lo, double hi,
                              int left, int right, int top, int bottom) {
        g.setColor(c);
        int px = -1, py = -1;
        for (int i = 0; i < s.size(); i++) {
            double v = s.get(i);
            if (!Double.isFinite(v)) { px = -1; continue; }
            int x = xOf(i + 1, epochs, left, right);
            int y = bottom - (int) Math.round((v - lo) / (hi - lo) * (bottom - top));
            if (px >= 0) g.drawLine(px, py, x, y);
            g.fillOval(x - 3, y - 3, 7, 7);
            px = x;
            py = y;
        }
    }

    private static void legend(Graphics2D g, String text, Color c, int x, int y) {
        g.setColor(c);
        g.fillRect(x, y - 4, 18, 4);
        g.setColor(Color.BLACK);
        g.drawString(text, x + 24, y + 1);
    }
}
