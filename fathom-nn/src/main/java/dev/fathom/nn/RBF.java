package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.util.List;

/**
 * A layer of radial basis function units: unit {@code k} has a learnable centre {@code c_k}
 * (a row of {@code centres [numCentres, inFeatures]}) and a learnable width
 * {@code σ_k = exp(log_sigmas[k])} (kept positive by learning its logarithm). With the scaled
 * distance {@code r_k = ‖x - c_k‖ / σ_k} the output for input {@code [..., in]} is
 * {@code [..., numCentres]}:
 * <ul>
 *   <li>{@code "gaussian"}: {@code exp(-‖x - c_k‖² / (2σ_k²)) = exp(-r²/2)}</li>
 *   <li>{@code "inverse_quadratic"}: {@code 1 / (1 + r²)}</li>
 *   <li>{@code "inverse_multiquadric"}: {@code 1 / √(1 + r²)}</li>
 *   <li>{@code "multiquadric"}: {@code √(1 + r²)}</li>
 * </ul>
 * Initialisation: centres standard normal from {@link Generator#global()}, widths 1
 * ({@code log_sigmas} zero). For data far from the unit ball, place the centres over the input
 * range before training (for example {@code rbf.centres.copyFrom(...)} under
 * {@code Autograd.noGrad()}). An RBF network is this layer followed by a {@link Linear}.
 *
 * {@snippet :
 * var net = new Sequential(new RBF(1, 20), new Linear(20, 1));
 * Tensor y = net.forward(x);                      // x: [batch, 1]
 * }
 */
public class RBF extends Layer {
    /** The basis functions this layer offers. */
    public static final List<String> BASES = List.of("gaussian", "inverse_quadratic", "inverse_multiquadric", "multiquadric");

    public final int inFeatures, numCentres;
    public final String basis;
    /** {@code [numCentres, inFeatures]}. */
    public final Tensor centres;
    /** {@code [numCentres]}: the logarithm of each unit's width σ. */
    public final Tensor logSigmas;

    /** Gaussian units. */
    public RBF(int inFeatures, int numCentres) { this(inFeatures, numCentres, "gaussian"); }

    public RBF(int inFeatures, int numCentres, String basis) { this(inFeatures, numCentres, basis, DType.FLOAT32); }

    public RBF(int inFeatures, int numCentres, String basis, DType dtype) {
        if (inFeatures <= 0 || numCentres <= 0)
            throw new IllegalArgumentException("RBF: inFeatures and numCentres must be positive, got in=" + inFeatures
                + ", centres=" + numCentres);
        if (!BASES.contains(basis))
            throw new IllegalArgumentException("RBF: unknown basis " + basis + "; one of " + BASES);
        this.inFeatures = inFeatures;
        this.numCentres = numCentres;
        this.basis = basis;
        try (var ignored = Autograd.noGrad()) {
            centres = registerParameter("centres", Tensor.randn(Generator.global(), dtype, numCentres, inFeatures));
            logSigmas = registerParameter("log_sigmas", Tensor.zeros(dtype, numCentres));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, -1, inFeatures, "features in the last dimension");
        Tensor diff = x.unsqueeze(-2).sub(centres);                            // [..., K, in]
        Tensor r2 = diff.mul(diff).sum(-1).mul(logSigmas.mul(-2.0).exp());    // ‖x - c_k‖² / σ_k²
        return switch (basis) {
            case "gaussian" -> r2.mul(-0.5).exp();
            case "inverse_quadratic" -> r2.add(1.0).pow(-1.0);
            case "inverse_multiquadric" -> r2.add(1.0).rsqrt();
            case "multiquadric" -> r2.add(1.0).sqrt();
            default -> throw new IllegalStateException(basis);
        };
    }

    @Override
    protected String extraRepr() { return "in=" + inFeatures + ", centres=" + numCentres + ", basis=" + basis; }
}
