package dev.fathom.backend;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) can be used, decided once. Without
 * {@code --add-modules jdk.incubator.vector} (or with {@code -Dfathom.vector=false}) Fathom logs one
 * warning and runs plain-Java loops instead. {@link VectorMath} is only loaded when this says yes,
 * so its absence can never surface as a {@code NoClassDefFoundError}.
 */
public final class Simd {
    private Simd() {}

    /** True when {@link VectorMath} kernels may be called. */
    public static final boolean AVAILABLE = detect();

    private static boolean detect() {
        var log = System.getLogger("dev.fathom");
        if (!Boolean.parseBoolean(System.getProperty("fathom.vector", "true"))) {
            log.log(System.Logger.Level.INFO, "Vector API disabled by -Dfathom.vector=false; using plain Java kernels");
            return false;
        }
        try {
            Class.forName("jdk.incubator.vector.FloatVector");
            return VectorMath.lanes() > 0;
        } catch (Throwable t) { // ClassNotFoundException, LinkageError, or anything the module system throws
            log.log(System.Logger.Level.WARNING, "jdk.incubator.vector is not available (" + t
                + "); Fathom uses plain Java kernels. Start the JVM with --add-modules jdk.incubator.vector for faster math.");
            return false;
        }
    }
}
