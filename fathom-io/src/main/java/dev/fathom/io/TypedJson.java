package dev.fathom.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * State-dict values (optimiser group options, schedule state) as JSON that reads back to the same
 * Java types and bits: finite doubles as JSON numbers (always with a fraction or exponent), other
 * doubles as {@code {"$f64": "NaN"}}, {@code double[]} as {@code {"$f64[]": [...]}}, integers as
 * JSON integers (read back as {@link Integer} when they fit, else {@link Long}), and strings,
 * booleans, null, lists and string-keyed maps as themselves.
 */
final class TypedJson {
    private static final String F64 = "$f64", F64_ARRAY = "$f64[]";

    private TypedJson() {}

    static Object encode(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Integer i -> (long) i;
            case Long l -> l;
            case Double d -> Double.isFinite(d) ? d : Map.of(F64, d.toString());
            case Float f -> encode(f.doubleValue());
            case double[] a -> {
                List<Object> l = new ArrayList<>();
                for (double d : a) l.add(Double.isFinite(d) ? (Object) d : Double.toString(d));
                yield Map.of(F64_ARRAY, l);
            }
            case List<?> l -> {
                List<Object> out = new ArrayList<>();
                for (Object o : l) out.add(encode(o));
                yield out;
            }
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (var e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k) || k.startsWith("$"))
                        throw new IllegalArgumentException("state key " + e.getKey() + " must be a string not starting with '$'");
                    out.put(k, encode(e.getValue()));
                }
                yield out;
            }
            default -> throw new IllegalArgumentException("cannot store a " + v.getClass().getSimpleName() + " in a checkpoint");
        };
    }

    static Object decode(Object v) {
        return switch (v) {
            case null -> null;
            case Long l -> l == l.intValue() ? (Object) l.intValue() : l;
            case List<?> l -> {
                List<Object> out = new ArrayList<>();
                for (Object o : l) out.add(decode(o));
                yield out;
            }
            case Map<?, ?> m when m.size() == 1 && m.containsKey(F64) -> special(m.get(F64));
            case Map<?, ?> m when m.size() == 1 && m.containsKey(F64_ARRAY) -> {
                if (!(m.get(F64_ARRAY) instanceof List<?> l)) throw new IllegalArgumentException(F64_ARRAY + " is not a list");
                double[] a = new double[l.size()];
                for (int i = 0; i < a.length; i++) a[i] = l.get(i) instanceof String s ? special(s) : number(l.get(i));
                yield a;
            }
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (var e : m.entrySet()) out.put((String) e.getKey(), decode(e.getValue()));
                yield out;
            }
            default -> v; // String, Boolean, Double
        };
    }

    private static double number(Object o) {
        if (o instanceof Double d) return d;
        if (o instanceof Long l) return l;
        throw new IllegalArgumentException("expected a number, got " + o);
    }

    private static double special(Object o) {
        return switch (o instanceof String s ? s : "") {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException("expected NaN, Infinity or -Infinity, got " + o);
        };
    }
}
