package dev.fathom.ops;

import dev.fathom.tensor.Tensor;

import java.util.function.Supplier;

/** Quick timing of elementwise kernels (not a test; run by hand). Prints best-of-N times. */
public final class ElementwiseBenchMain {
    static Object sink;

    static double best(int reps, Runnable r) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            r.run();
            best = Math.min(best, System.nanoTime() - t);
        }
        return best;
    }

    static void report(String name, double ns, long bytes) {
        System.out.printf("%-36s %10.3f ms  %7.2f GB/s%n", name, ns / 1e6, bytes / ns);
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 24;
        float[] a = new float[n], b = new float[n], c = new float[n];
        for (int i = 0; i < n; i++) { a[i] = (i % 1000) * 0.001f - 0.5f; b[i] = 1 + (i % 7); }
        Tensor A = Tensor.of(a, n), B = Tensor.of(b, n);
        for (int w = 0; w < 3; w++) {
            report("arraycopy (prealloc)", best(10, () -> System.arraycopy(a, 0, c, 0, n)), 8L * n);
            report("clone (alloc+copy)", best(10, () -> sink = a.clone()), 8L * n);
            report("add tensor+tensor", best(10, () -> sink = A.add(B)), 12L * n);
            report("mul tensor*scalar", best(10, () -> sink = A.mul(2.0)), 8L * n);
            report("addInPlace", best(10, () -> A.addInPlace(B, 0.0)), 12L * n);
            report("relu", best(10, () -> sink = A.relu()), 8L * n);
            Unary.forceScalar = false;
            report("exp (vector)", best(5, () -> sink = A.exp()), 8L * n);
            report("gelu (vector)", best(5, () -> sink = A.gelu()), 8L * n);
            report("tanh (vector)", best(5, () -> sink = A.tanh()), 8L * n);
            Unary.forceScalar = true;
            report("exp (scalar Math.exp)", best(3, () -> sink = A.exp()), 8L * n);
            report("gelu (scalar)", best(3, () -> sink = A.gelu()), 8L * n);
            Unary.forceScalar = false;
            int r = 4096, k = n / r;
            Tensor M = A.reshape(r, k), row = Tensor.of(java.util.Arrays.copyOf(b, k), k);
            report("broadcast add [r,k]+[k]", best(10, () -> sink = M.add(row)), 8L * n);
            Tensor MT = A.reshape(k, r).t();
            report("transposed add [r,k]^T + [r,k]", best(5, () -> sink = MT.add(M)), 12L * n);
            System.out.println();
        }
        Tensor x = Tensor.vector(1f), y = Tensor.vector(2f);
        for (int w = 0; w < 5; w++) {
            int reps = 2_000_000;
            long t = System.nanoTime();
            for (int i = 0; i < reps; i++) sink = x.add(y);
            double tt = (System.nanoTime() - t) / (double) reps;
            t = System.nanoTime();
            for (int i = 0; i < reps; i++) sink = x.mul(3.0);
            double ts = (System.nanoTime() - t) / (double) reps;
            t = System.nanoTime();
            for (int i = 0; i < reps; i++) sink = x.exp();
            double te = (System.nanoTime() - t) / (double) reps;
            t = System.nanoTime();
            for (int i = 0; i < reps; i++) sink = Tensor.empty(dev.fathom.tensor.DType.FLOAT32, 1);
            double t0 = (System.nanoTime() - t) / (double) reps;
            System.out.printf("tiny: add %.0f ns, mul scalar %.0f ns, exp %.0f ns, (Tensor.empty alone %.0f ns)%n", tt, ts, te, t0);
        }
    }
}
