package dev.fathom.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Trainer#fit} returns: one value per completed epoch for each logged quantity, by
 * Keras's names ({@code loss}, {@code accuracy}, {@code val_loss}, {@code val_accuracy}, {@code lr}),
 * and why training stopped early, if it did.
 *
 * {@snippet :
 * History h = trainer.fit(train, validation, 10);
 * List<Double> valAcc = h.get("val_accuracy");     // one value per epoch
 * }
 */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private int epochs;
    private String stopReason;

    /** Appends one epoch's logs; every epoch must log the same names. */
    void add(Map<String, Double> logs) {
        if (epochs > 0 && !logs.keySet().equals(values.keySet()))
            throw new IllegalStateException("History: epoch " + (epochs + 1) + " logged " + logs.keySet()
                + " but earlier epochs logged " + values.keySet());
        logs.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        epochs++;
    }

    void stopReason(String reason) { this.stopReason = reason; }

    /** The number of completed epochs. */
    public int epochs() { return epochs; }

    /** The logged names, in logging order. */
    public List<String> keys() { return List.copyOf(values.keySet()); }

    /** The values of {@code key}, one per epoch; throws naming the known keys when it was not logged. */
    public List<Double> get(String key) {
        List<Double> v = values.get(key);
        if (v == null) throw new IllegalArgumentException("History: nothing was logged as '" + key + "'; logged: " + values.keySet());
        return Collections.unmodifiableList(v);
    }

    /** Whether {@code key} was logged. */
    public boolean has(String key) { return values.containsKey(key); }

    /** Why training stopped before the requested number of epochs (early stopping, NaN guard), or empty. */
    public Optional<String> stopReason() { return Optional.ofNullable(stopReason); }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("History(" + epochs + " epochs");
        values.forEach((k, v) -> b.append(", ").append(k).append('=').append(v));
        if (stopReason != null) b.append(", stopped: ").append(stopReason);
        return b.append(')').toString();
    }
}
