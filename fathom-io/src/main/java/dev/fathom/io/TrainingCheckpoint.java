package dev.fathom.io;

import dev.fathom.nn.Module;
import dev.fathom.optim.Optimizer;
import dev.fathom.optim.lr.LRScheduler;
import dev.fathom.tensor.Generator;
import dev.fathom.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything needed to resume training exactly where it stopped: the model's state dict, the
 * optimiser's state (per-parameter buffers and group options), the LR schedule's progress, the
 * epoch and step counters, the state of the global {@link Generator} and of any named generators
 * (data shuffling, augmentation), and free-form string metadata.
 *
 * <p>On disk it is one safetensors file: model tensors under {@code model.<name>}, optimiser state
 * under {@code optimizer.state.<index>.<key>}, user metadata as {@code __metadata__} strings and the
 * rest as JSON in the {@code __metadata__} entry {@code fathom.checkpoint}, so Hugging Face tools
 * can still open it. Saving is atomic; reading validates the whole file, and restoring either
 * loads everything or, on any mismatch, leaves model, optimiser, schedule and generators as they were.
 *
 * {@snippet :
 * var ckpt = TrainingCheckpoint.capture(model, opt, sched, epoch, step, Map.of("data", dataGen), Map.of("run", "a"));
 * ckpt.save(Path.of("last.ckpt"));
 * // later, with freshly built model, opt, sched and dataGen:
 * TrainingCheckpoint c = TrainingCheckpoint.load(Path.of("last.ckpt"), model, opt, sched, Map.of("data", dataGen));
 * long epoch = c.epoch(), step = c.step();
 * }
 *
 * <p>{@code scheduler} is the schedule's {@code stateDict()} (empty if there is none); for a
 * {@code ReduceLROnPlateau}, pass its {@code stateDict()} to {@link #capture(Module, Optimizer, Map, long, long, Map, Map)}
 * and give {@link #scheduler()} to its {@code loadStateDict} after restoring.
 *
 * @param model      the model's state dict (copies)
 * @param optimizer  the optimiser's state dict
 * @param scheduler  the LR schedule's state dict, empty if none
 * @param epoch      the epoch counter
 * @param step       the step counter
 * @param globalRng  {@link Generator#global()}'s state ({@link Generator#getState()})
 * @param generators named generators' states
 * @param metadata   user strings (stored as {@code __metadata__})
 */
public record TrainingCheckpoint(Map<String, Tensor> model, Optimizer.StateDict optimizer, Map<String, Object> scheduler,
                                 long epoch, long step, byte[] globalRng, Map<String, byte[]> generators,
                                 Map<String, String> metadata) {
    static final String KEY = "fathom.checkpoint";
    static final int FORMAT_VERSION = 1;
    private static final String MODEL = "model.", OPT = "optimizer.state.";

    public TrainingCheckpoint {
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        scheduler = Collections.unmodifiableMap(new LinkedHashMap<>(scheduler));
        globalRng = globalRng.clone();
        Map<String, byte[]> g = new TreeMap<>();
        generators.forEach((k, v) -> g.put(k, v.clone()));
        generators = Collections.unmodifiableMap(g);
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
        if (metadata.containsKey(KEY)) throw new IllegalArgumentException("TrainingCheckpoint: the metadata key '" + KEY + "' is reserved");
    }

    @Override
    public byte[] globalRng() { return globalRng.clone(); }

    // ------------------------------------------------------------------ capture and restore

    /** A snapshot of training without named generators or metadata. */
    public static TrainingCheckpoint capture(Module model, Optimizer optimizer, LRScheduler scheduler, long epoch, long step) {
        return capture(model, optimizer, scheduler, epoch, step, Map.of(), Map.of());
    }

    /** A snapshot of training; {@code scheduler} may be null. */
    public static TrainingCheckpoint capture(Module model, Optimizer optimizer, LRScheduler scheduler, long epoch, long step,
                                             Map<String, Generator> generators, Map<String, String> metadata) {
        return capture(model, optimizer, scheduler == null ? Map.of() : scheduler.stateDict(), epoch, step, generators, metadata);
    }

    /** A snapshot of training with the schedule given by its state dict (empty for none). */
    public static TrainingCheckpoint capture(Module model, Optimizer optimizer, Map<String, Object> schedulerState, long epoch,
                                             long step, Map<String, Generator> generators, Map<String, String> metadata) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> m.put(k, v.detach().copy()));
        Map<String, byte[]> g = new TreeMap<>();
        generators.forEach((k, v) -> g.put(k, v.getState()));
        return new TrainingCheckpoint(m, optimizer.stateDict(), schedulerState, epoch, step, Generator.global().getState(), g, metadata);
    }

    /**
     * Puts model, optimiser, schedule (may be null when the checkpoint has none), the global generator
     * and the named {@code generators} (exactly the names saved) into the saved state. If anything
     * does not fit, everything is put back as it was and an {@link IllegalArgumentException} says why.
     */
    public void restore(Module model, Optimizer optimizer, LRScheduler scheduler, Map<String, Generator> generators) {
        if (!generators.keySet().equals(this.generators.keySet()))
            throw new IllegalArgumentException("TrainingCheckpoint.restore: the checkpoint has generators " + this.generators.keySet()
                + " but " + new TreeMap<>(generators).keySet() + " were given; nothing was restored");
        if ((scheduler == null) != scheduler().isEmpty())
            throw new IllegalArgumentException("TrainingCheckpoint.restore: the checkpoint " + (scheduler().isEmpty() ? "has no" : "has a")
                + " schedule state but " + (scheduler == null ? "no" : "a") + " scheduler was given; nothing was restored");
        Map<String, Tensor> modelBefore = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> modelBefore.put(k, v.detach().copy()));
        Optimizer.StateDict optBefore = optimizer.stateDict();
        Map<String, Object> schedBefore = scheduler == null ? null : scheduler.stateDict();
        byte[] globalBefore = Generator.global().getState();
        Map<String, byte[]> gensBefore = new LinkedHashMap<>();
        generators.forEach((k, v) -> gensBefore.put(k, v.getState()));
        try {
            model.loadStateDict(model(), true);
            optimizer.loadStateDict(optimizer());
            if (scheduler != null) scheduler.loadStateDict(scheduler());
            Generator.global().setState(globalRng);
            generators.forEach((k, v) -> v.setState(this.generators.get(k)));
        } catch (RuntimeException e) {
            model.loadStateDict(modelBefore, true);
            optimizer.loadStateDict(optBefore);
            if (scheduler != null) scheduler.loadStateDict(schedBefore);
            Generator.global().setState(globalBefore);
            generators.forEach((k, v) -> v.setState(gensBefore.get(k)));
            throw new IllegalArgumentException("TrainingCheckpoint.restore: " + e.getMessage() + "; nothing was restored", e);
        }
    }

    // ------------------------------------------------------------------ files

    /** Writes this checkpoint to {@code file} atomically. */
    public void save(Path file) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.forEach((k, v) -> tensors.put(MODEL + k, v));
        optimizer.state().forEach((i, s) -> s.forEach((k, v) -> tensors.put(OPT + i + "." + k, v)));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("format_version", FORMAT_VERSION);
        state.put("epoch", epoch);
        state.put("step", step);
        List<Object> groups = new ArrayList<>();
        for (Map<String, Object> g : optimizer.paramGroups()) groups.add(TypedJson.encode(g));
        state.put("param_groups", groups);
        state.put("scheduler", TypedJson.encode(scheduler));
        Base64.Encoder b64 = Base64.getEncoder();
        state.put("global_rng", b64.encodeToString(globalRng));
        Map<String, Object> gens = new LinkedHashMap<>();
        generators.forEach((k, v) -> gens.put(k, b64.encodeToString(v)));
        state.put("generators", gens);
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(KEY, Json.write(state));
        Safetensors.write(file, tensors, meta);
    }

    /** Reads and validates a checkpoint written by {@link #save}. */
    @SuppressWarnings("unchecked")
    public static TrainingCheckpoint read(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        String json = c.metadata().get(KEY);
        if (json == null) throw new FileFormatException(file, "not a Fathom training checkpoint (no '" + KEY + "' in __metadata__)");
        Map<String, Object> state;
        try {
            if (!(Json.parse(json) instanceof Map<?, ?> m)) throw new IllegalArgumentException("it is not a JSON object");
            state = (Map<String, Object>) m;
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "the '" + KEY + "' metadata is invalid: " + e.getMessage(), e);
        }
        try {
            Object version = state.get("format_version");
            if (!(version instanceof Long v) || v != FORMAT_VERSION)
                throw new IllegalArgumentException("format_version is " + version + ", expected " + FORMAT_VERSION);
            long epoch = integer(state, "epoch"), step = integer(state, "step");
            if (!(state.get("param_groups") instanceof List<?> rawGroups))
                throw new IllegalArgumentException("param_groups is not a list");
            List<Map<String, Object>> groups = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            for (Object g : rawGroups) {
                if (!(TypedJson.decode(g) instanceof Map<?, ?> gm) || !(gm.get("params") instanceof List<?> params))
                    throw new IllegalArgumentException("a parameter group is not an object with a 'params' list");
                for (Object p : params) {
                    if (!(p instanceof Integer i)) throw new IllegalArgumentException("a parameter index is " + p + ", not an integer");
                    ids.add(i);
                }
                groups.add((Map<String, Object>) gm);
            }
            if (!(TypedJson.decode(state.get("scheduler")) instanceof Map<?, ?> sched))
                throw new IllegalArgumentException("scheduler is not an object");
            byte[] global = rng(state.get("global_rng"), "global_rng");
            if (!(state.get("generators") instanceof Map<?, ?> gens)) throw new IllegalArgumentException("generators is not an object");
            Map<String, byte[]> generators = new TreeMap<>();
            for (var e : gens.entrySet()) generators.put((String) e.getKey(), rng(e.getValue(), "generator '" + e.getKey() + "'"));

            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<Integer, Map<String, Tensor>> optState = new TreeMap<>();
            for (var e : c.tensors().entrySet()) {
                String name = e.getKey();
                if (name.startsWith(MODEL)) {
                    model.put(name.substring(MODEL.length()), e.getValue());
                    continue;
                }
                int dot = name.startsWith(OPT) ? name.indexOf('.', OPT.length()) : -1;
                Integer index = dot < 0 ? null : parseIndex(name.substring(OPT.length(), dot));
                if (index == null || dot == name.length() - 1)
                    throw new IllegalArgumentException("tensor '" + name + "' is neither model.<name> nor optimizer.state.<index>.<key>");
                if (!ids.contains(index))
                    throw new IllegalArgumentException("tensor '" + name + "' is state for parameter " + index + ", which no parameter group lists");
                optState.computeIfAbsent(index, k -> new LinkedHashMap<>()).put(name.substring(dot + 1), e.getValue());
            }
            Map<String, String> metadata = new TreeMap<>(c.metadata());
            metadata.remove(KEY);
            return new TrainingCheckpoint(model, new Optimizer.StateDict(optState, groups), (Map<String, Object>) sched,
                epoch, step, global, generators, metadata);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new FileFormatException(file, "the '" + KEY + "' metadata is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code file} and {@link #restore restores} it into the given objects; any problem (a bad
     * file or state that does not fit) is an exception naming the file, with nothing changed.
     */
    public static TrainingCheckpoint load(Path file, Module model, Optimizer optimizer, LRScheduler scheduler,
                                          Map<String, Generator> generators) throws IOException {
        TrainingCheckpoint c = read(file);
        try {
            c.restore(model, optimizer, scheduler, generators);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return c;
    }

    private static long integer(Map<String, Object> state, String key) {
        if (state.get(key) instanceof Long v) return v;
        throw new IllegalArgumentException(key + " is " + state.get(key) + ", not an integer");
    }

    private static Integer parseIndex(String s) {
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return null;
        return Integer.parseInt(s);
    }

    private static byte[] rng(Object v, String what) {
        if (!(v instanceof String s)) throw new IllegalArgumentException(what + " is not a base64 string");
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64");
        }
        if (b.length != Generator.STATE_BYTES)
            throw new IllegalArgumentException(what + " holds " + b.length + " bytes, expected " + Generator.STATE_BYTES);
        return b;
    }
}
