package dev.fathom.optim;

import dev.fathom.nn.TorchFixture;
import dev.fathom.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every optimiser/config against torch.optim (fixtures/optim.txt from tools/fixtures/make_optim_fixture.py):
 * same float64 parameters, same loss {@code mean((x Wᵀ + b - y)²) + 0.05 Σ W⁴}, five steps, parameters
 * compared after each step.
 */
class OptimizerTorchTest {
    static final Map<String, Tensor> F = TorchFixture.load("optim");

    static final Map<String, Function<List<Tensor>, Optimizer>> CONFIGS = new LinkedHashMap<>();
    static {
        CONFIGS.put("sgd", p -> new SGD(p, 0.1));
        CONFIGS.put("sgd_momentum", p -> new SGD(p, new SGD.Options().lr(0.1).momentum(0.9)));
        CONFIGS.put("sgd_damp_wd", p -> new SGD(p, new SGD.Options().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01)));
        CONFIGS.put("sgd_nesterov", p -> new SGD(p, new SGD.Options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)));
        CONFIGS.put("sgd_maximize", p -> new SGD(p, new SGD.Options().lr(0.05).momentum(0.5).maximize(true)));
        CONFIGS.put("adam", p -> new Adam(p, 0.01));
        CONFIGS.put("adam_wd_amsgrad", p -> new Adam(p, new Adam.Options().lr(0.01).betas(0.8, 0.99).weightDecay(0.1).amsgrad(true)));
        CONFIGS.put("adam_maximize", p -> new Adam(p, new Adam.Options().lr(0.01).eps(1e-6).maximize(true)));
        CONFIGS.put("adamw", p -> new AdamW(p, 0.01));
        CONFIGS.put("adamw_amsgrad", p -> new AdamW(p, new AdamW.Options().lr(0.02).betas(0.7, 0.95).weightDecay(0.1).amsgrad(true)));
        CONFIGS.put("rmsprop", p -> new RMSprop(p, 0.01));
        CONFIGS.put("rmsprop_all", p -> new RMSprop(p, new RMSprop.Options().lr(0.01).alpha(0.9).eps(1e-6).weightDecay(0.1).momentum(0.5).centered(true)));
        CONFIGS.put("rmsprop_momentum", p -> new RMSprop(p, new RMSprop.Options().lr(0.01).momentum(0.9)));
        CONFIGS.put("rmsprop_centered", p -> new RMSprop(p, new RMSprop.Options().lr(0.01).centered(true).maximize(true)));
        CONFIGS.put("adagrad", p -> new Adagrad(p, 0.1));
        CONFIGS.put("adagrad_all", p -> new Adagrad(p, new Adagrad.Options().lr(0.1).lrDecay(0.1).weightDecay(0.05).initialAccumulatorValue(0.5).eps(1e-8)));
        CONFIGS.put("groups_sgd", p -> new SGD(new SGD.Options().lr(0.1).momentum(0.9),
            List.of(new ParamGroup(List.of(p.get(0))), new ParamGroup(List.of(p.get(1)), Map.of("lr", 0.01, "momentum", 0.0)))));
        CONFIGS.put("groups_adam", p -> new Adam(new Adam.Options().lr(0.01),
            List.of(new ParamGroup(List.of(p.get(0))), new ParamGroup(List.of(p.get(1)), Map.of("lr", 0.001, "betas", new double[] {0.5, 0.6})))));
    }

    static Stream<String> configs() { return CONFIGS.keySet().stream(); }

    static Tensor loss(Tensor w, Tensor b) {
        Tensor r = F.get("x").matmul(w.t()).add(b).sub(F.get("y"));
        return r.mul(r).mean().add(w.pow(4).sum().mul(0.05));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void fiveStepsEqualTorch(String name) {
        Tensor w = F.get("W0").copy().requiresGrad(true), b = F.get("b0").copy().requiresGrad(true);
        Optimizer opt = CONFIGS.get(name).apply(List.of(w, b));
        for (int step = 1; step <= 5; step++) {
            opt.zeroGrad();
            loss(w, b).backward();
            opt.step();
            Tensor ew = F.get(name + "." + step + ".W"), eb = F.get(name + "." + step + ".b");
            assertTrue(w.allClose(ew, 0, 1e-10), name + " step " + step + " W\n" + w + "\nexpected\n" + ew);
            assertTrue(b.allClose(eb, 0, 1e-10), name + " step " + step + " b\n" + b + "\nexpected\n" + eb);
        }
    }
}
