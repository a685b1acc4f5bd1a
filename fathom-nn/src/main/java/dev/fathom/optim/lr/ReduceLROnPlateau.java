package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;
import dev.fathom.optim.ParamGroup;
import dev.fathom.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces each group's lr by {@code factor} when a metric has stopped improving for more than
 * {@code patience} epochs ({@code torch.optim.lr_scheduler.ReduceLROnPlateau}). "Improving" is
 * relative ({@code a < best (1 - threshold)} in min mode) or absolute ({@code a < best - threshold});
 * after a reduction, {@code cooldown} epochs pass before bad epochs count again; lrs never go below
 * {@code minLr}, and changes smaller than {@code eps} are skipped.
 *
 * {@snippet :
 * var plateau = new ReduceLROnPlateau(opt, new ReduceLROnPlateau.Options().patience(5));
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     train(opt);
 *     plateau.step(validationLoss());
 * }
 * }
 */
public final class ReduceLROnPlateau {
    /** Whether the metric should go down (a loss) or up (an accuracy). */
    public enum Mode { MIN, MAX }

    /** Whether {@code threshold} is relative to the best value or an absolute margin. */
    public enum ThresholdMode { REL, ABS }

    /** The options; {@code new Options()} holds PyTorch's defaults. minLrs: one per group, or one for all (empty: 0). */
    public record Options(Mode mode, double factor, int patience, double threshold, ThresholdMode thresholdMode, int cooldown,
                          double[] minLrs, double eps) {
        public Options() { this(Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, new double[] {0}, 1e-8); }
        public Options mode(Mode v) { return new Options(v, factor, patience, threshold, thresholdMode, cooldown, minLrs, eps); }
        public Options factor(double v) { return new Options(mode, v, patience, threshold, thresholdMode, cooldown, minLrs, eps); }
        public Options patience(int v) { return new Options(mode, factor, v, threshold, thresholdMode, cooldown, minLrs, eps); }
        public Options threshold(double v) { return new Options(mode, factor, patience, v, thresholdMode, cooldown, minLrs, eps); }
        public Options thresholdMode(ThresholdMode v) { return new Options(mode, factor, patience, threshold, v, cooldown, minLrs, eps); }
        public Options cooldown(int v) { return new Options(mode, factor, patience, threshold, thresholdMode, v, minLrs, eps); }
        public Options minLr(double... v) { return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, v.clone(), eps); }
        public Options eps(double v) { return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLrs, v); }
    }

    private final Optimizer optimizer;
    private final Options o;
    private final double[] minLrs;
    private double best;
    private int numBadEpochs, cooldownCounter, lastEpoch;
    private double[] lastLr;

    /** PyTorch's defaults (min mode, factor 0.1, patience 10, relative threshold 1e-4). */
    public ReduceLROnPlateau(Optimizer optimizer) { this(optimizer, new Options()); }

    /** With {@code options}. */
    public ReduceLROnPlateau(Optimizer optimizer, Options options) {
        this.optimizer = optimizer;
        this.o = options;
        if (!(options.factor() < 1)) throw new IllegalArgumentException("ReduceLROnPlateau: factor must be < 1, got " + options.factor());
        if (options.patience() < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience must be >= 0, got " + options.patience());
        if (options.cooldown() < 0) throw new IllegalArgumentException("ReduceLROnPlateau: cooldown must be >= 0, got " + options.cooldown());
        int n = optimizer.paramGroups().size();
        double[] m = options.minLrs() == null || options.minLrs().length == 0 ? new double[] {0} : options.minLrs();
        if (m.length == 1) {
            minLrs = new double[n];
            Arrays.fill(minLrs, m[0]);
        } else if (m.length == n) {
            minLrs = m.clone();
        } else {
            throw new IllegalArgumentException("ReduceLROnPlateau: expected " + n + " minLrs (one per parameter group), got " + m.length);
        }
        lastLr = groupLrs();
        reset();
    }

    private void reset() {
        best = o.mode() == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        cooldownCounter = 0;
        numBadEpochs = 0;
    }

    /** Records this epoch's metric and reduces the lrs if it has not improved for more than {@code patience} epochs. */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric, best)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > o.patience()) {
            List<ParamGroup> groups = optimizer.paramGroups();
            for (int i = 0; i < groups.size(); i++) {
                double old = groups.get(i).lr(), lr = Math.max(old * o.factor(), minLrs[i]);
                if (old - lr > o.eps()) groups.get(i).lr(lr);
            }
            cooldownCounter = o.cooldown();
            numBadEpochs = 0;
        }
        lastLr = groupLrs();
    }

    /** {@link #step(double)} with a 0-d (or one-element) tensor. */
    public void step(Tensor metric) { step(metric.item()); }

    private boolean isBetter(double a, double best) {
        return switch (o.mode()) {
            case MIN -> o.thresholdMode() == ThresholdMode.REL ? a < best * (1 - o.threshold()) : a < best - o.threshold();
            case MAX -> o.thresholdMode() == ThresholdMode.REL ? a > best * (1 + o.threshold()) : a > best + o.threshold();
        };
    }

    private double[] groupLrs() {
        return optimizer.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray();
    }

    /** The lrs after the last step, one per group. */
    public double[] getLastLr() { return lastLr.clone(); }

    /** The best metric seen so far. */
    public double best() { return best; }

    /** Bad epochs counted since the last improvement or reduction. */
    public int numBadEpochs() { return numBadEpochs; }

    /** The progress ({@code best}, {@code num_bad_epochs}, {@code cooldown_counter}, {@code last_epoch}, {@code _last_lr}). */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", best);
        m.put("num_bad_epochs", numBadEpochs);
        m.put("cooldown_counter", cooldownCounter);
        m.put("last_epoch", lastEpoch);
        m.put("_last_lr", lastLr.clone());
        return m;
    }

    /** Restores the progress saved by {@link #stateDict()}. */
    public void loadStateDict(Map<String, Object> state) {
        for (String k : List.of("best", "num_bad_epochs", "cooldown_counter", "last_epoch", "_last_lr"))
            if (!state.containsKey(k)) throw new IllegalArgumentException("ReduceLROnPlateau.loadStateDict: the state has no '" + k + "'");
        best = ((Number) state.get("best")).doubleValue();
        numBadEpochs = ((Number) state.get("num_bad_epochs")).intValue();
        cooldownCounter = ((Number) state.get("cooldown_counter")).intValue();
        lastEpoch = ((Number) state.get("last_epoch")).intValue();
        lastLr = ((double[]) state.get("_last_lr")).clone();
    }
}
