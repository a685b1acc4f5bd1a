package dev.fathom.optim.lr;

import dev.fathom.optim.Optimizer;
import dev.fathom.optim.ParamGroup;

import java.util.Arrays;
import java.util.List;

/**
 * The 1cycle policy (Smith &amp; Topin, "Super-Convergence"), as {@code torch.optim.lr_scheduler.OneCycleLR}:
 * the lr rises from {@code maxLr / divFactor} to {@code maxLr} over the first {@code pctStart} of
 * {@code totalSteps}, then anneals to {@code initial / finalDivFactor} (cosine or linear); with
 * {@code threePhase} it first returns to the initial lr symmetrically and anneals in a third phase.
 * With {@code cycleMomentum} the momentum (SGD/RMSprop {@code momentum}, Adam's {@code betas[0]})
 * moves inversely between {@code maxMomentum} and {@code baseMomentum}. Call {@code step()} once per
 * batch; stepping past {@code totalSteps} throws. Not chainable: it sets the lr from its own phases.
 */
public final class OneCycleLR extends LRScheduler {
    /** How the lr moves within a phase. */
    public enum AnnealStrategy { COS, LINEAR }

    /** The options besides maxLr and totalSteps; {@code new Options()} holds PyTorch's defaults. */
    public record Options(double pctStart, AnnealStrategy annealStrategy, boolean cycleMomentum, double baseMomentum,
                          double maxMomentum, double divFactor, double finalDivFactor, boolean threePhase) {
        public Options() { this(0.3, AnnealStrategy.COS, true, 0.85, 0.95, 25, 1e4, false); }
        public Options pctStart(double v) { return new Options(v, annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase); }
        public Options annealStrategy(AnnealStrategy v) { return new Options(pctStart, v, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase); }
        public Options cycleMomentum(boolean v) { return new Options(pctStart, annealStrategy, v, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase); }
        public Options baseMomentum(double v) { return new Options(pctStart, annealStrategy, cycleMomentum, v, maxMomentum, divFactor, finalDivFactor, threePhase); }
        public Options maxMomentum(double v) { return new Options(pctStart, annealStrategy, cycleMomentum, baseMomentum, v, divFactor, finalDivFactor, threePhase); }
        public Options divFactor(double v) { return new Options(pctStart, annealStrategy, cycleMomentum, baseMomentum, maxMomentum, v, finalDivFactor, threePhase); }
        public Options finalDivFactor(double v) { return new Options(pctStart, annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, v, threePhase); }
        public Options threePhase(boolean v) { return new Options(pctStart, annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, v); }
    }

    private record Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {}

    private final int totalSteps;
    private final List<Phase> phases;
    private final AnnealStrategy anneal;
    private final boolean cycleMomentum, useBeta1;

    /** One cycle to {@code maxLr} over {@code totalSteps} with PyTorch's default options. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) { this(optimizer, maxLr, totalSteps, new Options()); }

    /** One cycle to {@code maxLr} (every group) over {@code totalSteps}. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, Options options) {
        this(optimizer, filled(optimizer, maxLr), totalSteps, options);
    }

    /** One cycle to {@code maxLrs[i]} for group i over {@code totalSteps}. */
    public OneCycleLR(Optimizer optimizer, double[] maxLrs, int totalSteps, Options options) {
        if (totalSteps < 1) throw bad("OneCycleLR", "totalSteps must be a positive integer, got " + totalSteps);
        if (!(options.pctStart() >= 0 && options.pctStart() <= 1))
            throw bad("OneCycleLR", "pctStart must be in [0, 1], got " + options.pctStart());
        if (maxLrs.length != optimizer.paramGroups().size())
            throw bad("OneCycleLR", "expected " + optimizer.paramGroups().size() + " values for maxLr, got " + maxLrs.length);
        double p = options.pctStart();
        this.phases = options.threePhase()
            ? List.of(new Phase(p * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                      new Phase(2 * p * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                      new Phase(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"))
            : List.of(new Phase(p * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                      new Phase(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"));
        this.totalSteps = totalSteps;
        this.anneal = options.annealStrategy();
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup g = groups.get(i);
            g.set("initial_lr", maxLrs[i] / options.divFactor());
            g.set("max_lr", maxLrs[i]);
            g.set("min_lr", maxLrs[i] / options.divFactor() / options.finalDivFactor());
        }
        boolean beta1 = optimizer.defaults().containsKey("betas");
        if (options.cycleMomentum()) {
            if (!beta1 && !optimizer.defaults().containsKey("momentum"))
                throw bad("OneCycleLR", optimizer.typeName() + " has no momentum or betas to cycle; pass cycleMomentum(false)");
            for (ParamGroup g : groups) {
                setMomentum(g, beta1, options.maxMomentum());
                g.set("max_momentum", options.maxMomentum());
                g.set("base_momentum", options.baseMomentum());
            }
        }
        this.cycleMomentum = options.cycleMomentum();
        this.useBeta1 = beta1;
        super(optimizer);
    }

    private static double[] filled(Optimizer optimizer, double v) {
        double[] a = new double[optimizer.paramGroups().size()];
        Arrays.fill(a, v);
        return a;
    }

    private static void setMomentum(ParamGroup g, boolean beta1, double m) {
        if (beta1) {
            double[] betas = g.getDoubles("betas");
            betas[0] = m;
            g.set("betas", betas);
        } else {
            g.set("momentum", m);
        }
    }

    private double anneal(double start, double end, double pct) {
        return anneal == AnnealStrategy.COS ? end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch > totalSteps)
            throw new IllegalStateException("OneCycleLR: tried to step " + (lastEpoch + 1) + " times; the total number of steps is "
                + totalSteps);
        List<ParamGroup> groups = optimizer.paramGroups();
        double[] lrs = new double[groups.size()];
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            double startStep = 0;
            for (int i = 0; i < phases.size(); i++) {
                Phase ph = phases.get(i);
                if (lastEpoch <= ph.endStep() || i == phases.size() - 1) {
                    double pct = (lastEpoch - startStep) / (ph.endStep() - startStep);
                    lrs[gi] = anneal(g.getDouble(ph.startLr()), g.getDouble(ph.endLr()), pct);
                    if (cycleMomentum)
                        setMomentum(g, useBeta1, anneal(g.getDouble(ph.startMomentum()), g.getDouble(ph.endMomentum()), pct));
                    break;
                }
                startStep = ph.endStep();
            }
        }
        return lrs;
    }
}
