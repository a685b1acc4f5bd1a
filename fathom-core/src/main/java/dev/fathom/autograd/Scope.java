package dev.fathom.autograd;

/**
 * A change of this thread's autograd mode that lasts until {@link #close()}, meant for
 * try-with-resources:
 *
 * {@snippet :
 * try (var ignored = Autograd.noGrad()) {
 *     w.subInPlace(w.grad().mul(lr));   // not recorded
 * }
 * }
 *
 * Closing restores exactly the mode that was in force when the scope opened, so scopes nest.
 */
public final class Scope implements AutoCloseable {
    private final GradMode.State state;
    private final boolean enabled, inference, anomaly;
    private boolean closed;

    Scope(GradMode.State state) {
        this.state = state;
        this.enabled = state.enabled;
        this.inference = state.inference;
        this.anomaly = state.anomaly;
    }

    static Scope open(Boolean enabled, Boolean inference, Boolean anomaly) {
        GradMode.State s = GradMode.state();
        Scope scope = new Scope(s);
        if (enabled != null) s.enabled = enabled;
        if (inference != null) s.inference = inference;
        if (anomaly != null) s.anomaly = anomaly;
        s.update();
        return scope;
    }

    /** Restores the previous mode (closing twice does nothing). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        state.enabled = enabled;
        state.inference = inference;
        state.anomaly = anomaly;
        state.update();
    }
}
