package dev.fathom.autograd;

/**
 * Per-thread autograd switches: whether ops record the graph, whether inference mode is on (it
 * wins over a nested {@link Autograd#enableGrad()}), and whether anomaly detection is on.
 */
final class GradMode {
    private GradMode() {}

    static final class State {
        boolean enabled = true;
        boolean inference;
        boolean anomaly;
        /** {@code enabled && !inference}, kept up to date so the hot check reads one field. */
        boolean record = true;

        void update() { record = enabled && !inference; }
    }

    static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    static State state() { return STATE.get(); }

    static boolean recording() { return STATE.get().record; }
}
