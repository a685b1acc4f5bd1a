package dev.fathom.backend;

/**
 * Strided copy between two heap arrays of any of the five element types, converting on the way
 * (float to int truncates toward zero and any non-zero value is {@code true}, as in PyTorch).
 */
public final class Copy {
    private Copy() {}

    /**
     * Copies the {@code shape}-shaped view of {@code src} (offset/strides) into the view of
     * {@code dst}. Arrays are {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]} or
     * {@code boolean[]}.
     */
    public static void copy(int[] shape, Object src, int srcOff, int[] srcStrides,
                            Object dst, int dstOff, int[] dstStrides) {
        StridedIter it = StridedIter.of(shape, new int[] {dstOff, srcOff}, dstStrides, srcStrides);
        int ds = it.innerStride(0), ss = it.innerStride(1);
        if (src.getClass() == dst.getClass() && ds == 1 && ss == 1) {
            it.forEachRow((o, n) -> System.arraycopy(src, o[1], dst, o[0], n));
            return;
        }
        switch (dst) {
            case float[] d -> {
                switch (src) {
                    case float[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case double[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = (float) s[b]; });
                    case int[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case long[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case boolean[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] ? 1f : 0f; });
                    default -> throw unsupported(src);
                }
            }
            case double[] d -> {
                switch (src) {
                    case float[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case double[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case int[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case long[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case boolean[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] ? 1 : 0; });
                    default -> throw unsupported(src);
                }
            }
            case int[] d -> {
                switch (src) {
                    case float[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = (int) s[b]; });
                    case double[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = (int) s[b]; });
                    case int[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case long[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = (int) s[b]; });
                    case boolean[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] ? 1 : 0; });
                    default -> throw unsupported(src);
                }
            }
            case long[] d -> {
                switch (src) {
                    case float[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = (long) s[b]; });
                    case double[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = (long) s[b]; });
                    case int[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case long[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    case boolean[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] ? 1 : 0; });
                    default -> throw unsupported(src);
                }
            }
            case boolean[] d -> {
                switch (src) {
                    case float[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] != 0; });
                    case double[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] != 0; });
                    case int[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] != 0; });
                    case long[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b] != 0; });
                    case boolean[] s -> it.forEachRow((o, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ds, b += ss) d[a] = s[b]; });
                    default -> throw unsupported(src);
                }
            }
            default -> throw unsupported(dst);
        }
    }

    private static IllegalArgumentException unsupported(Object array) {
        return new IllegalArgumentException("copy: unsupported array type " + array.getClass().getSimpleName());
    }
}
