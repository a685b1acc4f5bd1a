package dev.fathom.tensor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Formats tensors exactly like PyTorch's {@code repr} (torch/_tensor_str.py): one common width per
 * tensor, fixed or scientific notation chosen from the range of the non-zero finite values,
 * {@code 1.}-style integers for integral float tensors, line wrapping at {@code lineWidth}, and
 * {@code ...} summaries (edge items per dimension) past {@code threshold} elements. Float32, int64
 * and bool are the default types and get no suffix; others print {@code dtype=float64} (PyTorch
 * prints {@code dtype=torch.float64}).
 *
 * @param precision digits after the decimal point (PyTorch default 4)
 * @param threshold element count above which the output is summarised (default 1000)
 * @param edgeItems items kept at each end of a summarised dimension (default 3)
 * @param lineWidth characters per line before wrapping (default 80)
 * @param sciMode force scientific notation on (true) or off (false); null chooses automatically
 */
public record TensorFormat(int precision, int threshold, int edgeItems, int lineWidth, Boolean sciMode) {
    /** PyTorch's default print options. */
    public static final TensorFormat DEFAULT = new TensorFormat(4, 1000, 3, 80, null);

    public TensorFormat {
        if (precision < 0 || threshold < 0 || edgeItems < 0 || lineWidth < 1)
            throw new IllegalArgumentException("TensorFormat: invalid options precision=" + precision + ", threshold="
                + threshold + ", edgeItems=" + edgeItems + ", lineWidth=" + lineWidth
                + "; expected non-negative values and a positive line width");
    }

    /** These options with another precision. */
    public TensorFormat withPrecision(int p) { return new TensorFormat(p, threshold, edgeItems, lineWidth, sciMode); }

    /** These options with another summarisation threshold. */
    public TensorFormat withThreshold(int t) { return new TensorFormat(precision, t, edgeItems, lineWidth, sciMode); }

    /** These options with another number of edge items. */
    public TensorFormat withEdgeItems(int e) { return new TensorFormat(precision, threshold, e, lineWidth, sciMode); }

    /** These options with another line width. */
    public TensorFormat withLineWidth(int w) { return new TensorFormat(precision, threshold, edgeItems, w, sciMode); }

    /** These options with scientific notation forced on/off (null: automatic). */
    public TensorFormat withSciMode(Boolean s) { return new TensorFormat(precision, threshold, edgeItems, lineWidth, s); }

    /** The repr of {@code t}, e.g. {@code tensor([1., 2.])}. */
    public String format(Tensor t) {
        String prefix = "tensor(";
        int indent = prefix.length();
        List<String> suffixes = new ArrayList<>();
        String body;
        DType dt = t.dtype();
        if (t.numel() == 0) {
            if (t.ndim() != 1) suffixes.add("size=" + pythonTuple(t.shape));
            if (dt != DType.FLOAT32) suffixes.add("dtype=" + dt);
            body = "[]";
        } else {
            if (dt == DType.FLOAT64 || dt == DType.INT32) suffixes.add("dtype=" + dt);
            body = new Printer(t).tensorStr(indent);
        }
        return addSuffixes(prefix + body, suffixes, indent);
    }

    private String addSuffixes(String tensorStr, List<String> suffixes, int indent) {
        StringBuilder sb = new StringBuilder(tensorStr);
        int lastLineLen = tensorStr.length() - tensorStr.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLen + suffix.length() + 2 > lineWidth) {
                sb.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLen = indent + suffix.length();
            } else {
                sb.append(", ").append(suffix);
                lastLineLen += suffix.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    private static String pythonTuple(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        return sb.append(')').toString();
    }

    /** One formatting pass: the indices shown per dimension, the common formatter, the text. */
    private final class Printer {
        private final Tensor t;
        private final boolean summarize;
        private final int[][] shown; // indices shown in each dimension (all, or the edges)
        private final boolean floating, bool;
        private boolean intMode = true, sci = false;
        private int maxWidth = 1;

        Printer(Tensor t) {
            this.t = t;
            this.summarize = t.numel() > threshold;
            int nd = t.ndim();
            shown = new int[nd][];
            for (int d = 0; d < nd; d++) {
                int n = t.shape[d];
                if (summarize && n > 2 * edgeItems) {
                    int[] ix = new int[2 * edgeItems];
                    for (int i = 0; i < edgeItems; i++) { ix[i] = i; ix[edgeItems + i] = n - edgeItems + i; }
                    shown[d] = ix;
                } else {
                    int[] ix = new int[n];
                    for (int i = 0; i < n; i++) ix[i] = i;
                    shown[d] = ix;
                }
            }
            floating = t.dtype().isFloatingPoint();
            bool = t.dtype() == DType.BOOL;
            measure();
        }

        /** Visits every shown element (the summarised data PyTorch's formatter inspects). */
        private void forEachShown(java.util.function.Consumer<int[]> body) {
            int nd = shown.length;
            int[] pos = new int[nd], idx = new int[nd];
            for (int[] s : shown) if (s.length == 0) return;
            while (true) {
                for (int d = 0; d < nd; d++) idx[d] = shown[d][pos[d]];
                body.accept(idx);
                int d = nd - 1;
                while (d >= 0 && ++pos[d] == shown[d].length) { pos[d] = 0; d--; }
                if (d < 0) return;
            }
        }

        private void measure() {
            if (!floating) {
                forEachShown(ix -> maxWidth = Math.max(maxWidth, plain(ix).length()));
                return;
            }
            List<Double> vals = new ArrayList<>();
            forEachShown(ix -> {
                double v = t.get(ix);
                if (Double.isFinite(v) && v != 0) vals.add(v);
            });
            if (vals.isEmpty()) {
                if (sciMode != null) sci = sciMode;
                return;
            }
            double min = Double.POSITIVE_INFINITY, max = 0;
            for (double v : vals) {
                min = Math.min(min, Math.abs(v));
                max = Math.max(max, Math.abs(v));
                if (v != Math.ceil(v)) intMode = false;
            }
            if (intMode) {
                if (max / min > 1000.0 || max > 1.0e8) {
                    sci = true;
                    for (double v : vals) maxWidth = Math.max(maxWidth, scientific(v, precision).length());
                } else {
                    for (double v : vals) maxWidth = Math.max(maxWidth, fixed(v, 0).length() + 1);
                }
            } else if (max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4) {
                sci = true;
                for (double v : vals) maxWidth = Math.max(maxWidth, scientific(v, precision).length());
            } else {
                for (double v : vals) maxWidth = Math.max(maxWidth, fixed(v, precision).length());
            }
            if (sciMode != null) sci = sciMode;
        }

        private String plain(int[] ix) {
            if (bool) return t.get(ix) != 0 ? "True" : "False";
            return Long.toString(t.getLong(ix));
        }

        private String element(int[] ix) {
            String s;
            if (floating) {
                double v = t.get(ix);
                if (sci) s = scientific(v, precision);
                else if (intMode) s = fixed(v, 0) + (Double.isFinite(v) ? "." : "");
                else s = fixed(v, precision);
            } else {
                s = plain(ix);
            }
            return s.length() >= maxWidth ? s : " ".repeat(maxWidth - s.length()) + s;
        }

        String tensorStr(int indent) {
            return str(new int[t.ndim()], 0, indent);
        }

        private String str(int[] ix, int depth, int indent) {
            int nd = t.ndim();
            if (nd == 0) return element(ix);
            int n = t.shape[depth];
            boolean cut = summarize && n > 2 * edgeItems;
            if (depth == nd - 1) {
                List<String> data = new ArrayList<>();
                for (int k = 0; k < shown[depth].length; k++) {
                    if (cut && k == edgeItems) data.add(" ...");
                    ix[depth] = shown[depth][k];
                    data.add(element(ix));
                }
                int perLine = Math.max(1, (lineWidth - indent) / (maxWidth + 2));
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < data.size(); i++) {
                    if (i > 0) sb.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
                    sb.append(data.get(i));
                }
                return sb.append(']').toString();
            }
            String sep = "," + "\n".repeat(nd - depth - 1) + " ".repeat(indent + 1);
            StringBuilder sb = new StringBuilder("[");
            for (int k = 0; k < shown[depth].length; k++) {
                if (k > 0) sb.append(sep);
                if (cut && k == edgeItems) sb.append("...").append(sep);
                ix[depth] = shown[depth][k];
                sb.append(str(ix, depth + 1, indent + 1));
            }
            return sb.append(']').toString();
        }
    }

    // ------------------------------------------------------------------ Python-compatible number formatting

    /** Python's {@code "{:.Nf}".format(v)}: exact binary value, round half to even. */
    static String fixed(double v, int digits) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        String s = new BigDecimal(Math.abs(v)).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        return neg ? "-" + s : s;
    }

    /** Python's {@code "{:.Ne}".format(v)}, e.g. {@code 1.2346e+05}. */
    static String scientific(double v, int digits) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        String mant;
        int exp;
        if (v == 0) {
            mant = "0".repeat(digits + 1);
            exp = 0;
        } else {
            BigDecimal r = new BigDecimal(Math.abs(v)).round(new MathContext(digits + 1, RoundingMode.HALF_EVEN));
            String u = r.unscaledValue().toString();
            exp = u.length() - 1 - r.scale();
            mant = u.length() >= digits + 1 ? u.substring(0, digits + 1) : u + "0".repeat(digits + 1 - u.length());
        }
        StringBuilder sb = new StringBuilder();
        if (neg) sb.append('-');
        sb.append(mant.charAt(0));
        if (digits > 0) sb.append('.').append(mant, 1, digits + 1);
        sb.append('e').append(exp < 0 ? '-' : '+');
        int ae = Math.abs(exp);
        if (ae < 10) sb.append('0');
        return sb.append(ae).toString();
    }
}
