package dev.fathom.optim;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Tensor;

/**
 * Gradient clipping ({@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}), in place
 * on the parameters' gradients; parameters without a gradient are skipped.
 *
 * {@snippet :
 * loss.backward();
 * double norm = ClipGrad.clipGradNorm(model.parameters(), 1.0);   // total 2-norm before clipping
 * opt.step();
 * }
 */
public final class ClipGrad {
    private ClipGrad() {}

    /** {@link #clipGradNorm(Iterable, double, double, boolean)} with the 2-norm. */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm) { return clipGradNorm(params, maxNorm, 2, false); }

    /** {@link #clipGradNorm(Iterable, double, double, boolean)} without the non-finite check. */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm, double normType) {
        return clipGradNorm(params, maxNorm, normType, false);
    }

    /**
     * Scales all gradients together so that their total norm (of the gradients concatenated, any
     * p > 0 or {@code Double.POSITIVE_INFINITY}) is at most about {@code maxNorm}: each is multiplied
     * by {@code min(1, maxNorm / (total + 1e-6))}. Returns the total norm before clipping.
     * With {@code errorIfNonfinite}, a NaN or infinite total throws instead of scaling.
     */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        if (!(normType > 0))
            throw new IllegalArgumentException("clipGradNorm: normType must be > 0 or infinity, got " + normType);
        if (Double.isNaN(maxNorm) || maxNorm < 0)
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        double total = 0;
        boolean inf = normType == Double.POSITIVE_INFINITY, any = false;
        try (var ignored = Autograd.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                any = true;
                Tensor a = g.to(DType.FLOAT64).abs();
                if (inf) total = Math.max(total, a.numel() == 0 ? 0 : a.amax().item());
                else if (normType == 2) total += a.mul(a).sum().item();
                else if (normType == 1) total += a.sum().item();
                else total += a.pow(normType).sum().item();
            }
            if (!any) return 0;
            if (!inf && normType != 1) total = Math.pow(total, 1 / normType);
            if (errorIfNonfinite && !Double.isFinite(total))
                throw new IllegalStateException("clipGradNorm: the total " + normType + "-norm of the gradients is " + total
                    + "; gradients cannot be clipped (pass errorIfNonfinite=false to scale anyway)");
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1)
                for (Tensor p : params) if (p.grad() != null) p.grad().mulInPlace(coef);
        }
        return total;
    }

    /** Clamps every gradient element into {@code [-clipValue, clipValue]}, in place. */
    public static void clipGradValue(Iterable<Tensor> params, double clipValue) {
        if (!(clipValue >= 0)) throw new IllegalArgumentException("clipGradValue: clipValue must be >= 0, got " + clipValue);
        try (var ignored = Autograd.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) g.copyFrom(g.clamp(-clipValue, clipValue));
            }
        }
    }
}
