package dev.fathom.backend;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pure-Java GEMM on the Vector API (jdk.incubator.vector): packed panels, cache blocking and a
 * register-blocked FMA micro-kernel: for float an 8x32 tile on 512-bit vectors where the CPU has
 * them ({@link #WIDE}), else 6x16 on 256-bit vectors; for double 6x8 on 256-bit vectors.
 *
 * <p>The 512-bit float kernel is Fathom's default float32 GEMM (see {@link Gemm}): single-threaded
 * on the 2-core Zen 5 box it ran 1.5-1.9x OpenBLAS 0.3.31's Haswell kernels on every workload shape
 * measured (512^3 170-182 vs 97-101 GFLOP/s), and 2-threaded n x n products through Tensor.matmul at
 * 207-262 GFLOP/s against 146-192 for OpenBLAS with its own two threads (idle, 2026-11-26). The
 * 256-bit float kernel reached 83-90% of OpenBLAS's Haswell kernels (n = 512-2048, split the same
 * way), so on CPUs without 512-bit vectors OpenBLAS stays the default.
 *
 * <p>Only loaded when the incubator module is present ({@link Gemm} checks first), so nothing else
 * in Fathom links against jdk.incubator.vector.
 */
final class VectorGemm {
    private VectorGemm() {}

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_256;

    /** Rows of the micro-tile. */
    static final int MR = 6;
    /** Depth of a packed panel: KC x 16 floats of B (16 KiB) stay in L1 across a row of A strips. */
    static final int KC = 256;
    /** Rows of A packed at once (MC x KC floats = 120 KiB) sized for the 1 MiB L2 of Zen 5. */
    static final int MC = 120;
    /** Columns of B packed at once (KC x NC: 2 MiB floats), which lives in L3. */
    static final int NC_F = 2048, NC_D = 1024;
    /**
     * Below this many multiply-adds (about 80^3) a product stays on the caller's thread: the mlp's
     * last layer (128 x 256 x 10 and its two gradient products) ran in 9-27 us single-threaded and
     * 17-50 us split, the hand-off and the second thread's packing costing more than they saved.
     */
    static final long PARALLEL_MIN_WORK = 1L << 19;

    /** True when 256-bit vectors are hardware-backed (else the scalar GEMM is faster). */
    static boolean usable() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** Largest scratch array (elements) kept per thread between calls. */
    private static final int KEEP_BUFFER = 64 * 1024;

    private static int roundUp(int x, int m) { return (x + m - 1) / m * m; }

    // ================================================================== float

    /**
     * Whether the float kernel is the 512-bit one: 8 x 32 tiles (16 accumulators of the 32 AVX-512
     * registers). Single-threaded on the Zen 5 dev box, packed 504x512x512 / 168x512x784 products ran
     * at 178 / 171 GFLOP/s with 6 x 32 tiles, 182 / 177 with 8 x 32, 180 / 175 with 12 x 32 and
     * 167 / 157 with 14 x 32; OpenBLAS 0.3.31 beside them 97 / 93 (Haswell kernels) — the 256-bit
     * 6 x 16 kernel below reaches about 90.
     */
    static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    private static final VectorSpecies<Float> FW = WIDE ? FloatVector.SPECIES_512 : FS;
    /** Rows and columns of the float micro-tile. */
    static final int SMR = WIDE ? 8 : MR, SNR = WIDE ? 32 : 16;
    /** Rows of A packed at once for float (SMC x KC floats stay in L2). */
    static final int SMC = WIDE ? 128 : MC;

    /**
     * {@code C = alpha op(A) op(B) + beta C} for float, plus {@code bias[biasOff + j]} on every row's
     * column j when {@code bias} is non-null (then alpha 1 and beta 0, and no matrix-vector shape:
     * {@link Gemm#sgemmBias}); arguments already validated, m, n, k &gt; 0.
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, float[] bias, int biasOff) {
        if (WIDE && m == 1 && transB) { // C's one row = B (stored n x k) times a's k elements
            sgemv(n, k, alpha, b, bOff, ldb, a, aOff, transA ? lda : 1, beta, c, cOff, 1);
            return;
        }
        if (WIDE && n == 1 && !transA) { // C's one column = A (stored m x k) times b's k elements
            sgemv(m, k, alpha, a, aOff, lda, b, bOff, transB ? 1 : ldb, beta, c, cOff, ldc);
            return;
        }
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_WORK || Parallel.inRegion()) {
            sblock(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, 0, m, 0, n, null, null,
                bias, biasOff);
            return;
        }
        // Split in whole micro-tiles: columns when C is short and wide, else rows. The operand every
        // block shares (all of op(A) for a column split, all of op(B) for a row split) is packed
        // once, by all threads, instead of by every block; where it would not fit one packed block
        // (more rows than SMC, more columns than NC_F) or MAX_SHARED floats, each block packs its own.
        if (m < 128 * threads && n > m) {
            Shared ap = m <= SMC ? shared(k, m, SMR, (pc, kc, from, count, ap0, off) ->
                spackA(transA, a, aOff, lda, from, count, pc, kc, ap0, off)) : Shared.NONE;
            GemmSplit.run(ap.strips, ap.packer, n, SNR, 128, (s, e) -> sblock(transA, transB, m, n, k, alpha, a, aOff, lda,
                b, bOff, ldb, beta, c, cOff, ldc, 0, m, s, e, ap.buffer, null, bias, biasOff));
        } else {
            Shared bp = n <= NC_F ? shared(k, n, SNR, (pc, kc, from, count, bp0, off) ->
                spackB(transB, b, bOff, ldb, pc, kc, from, count, bp0, off)) : Shared.NONE;
            GemmSplit.run(bp.strips, bp.packer, m, SMR, 120, (s, e) -> sblock(transA, transB, m, n, k, alpha, a, aOff, lda,
                b, bOff, ldb, beta, c, cOff, ldc, s, e, 0, n, null, bp.buffer, bias, biasOff));
        }
    }

    /** Matrix-vector products with at least this many multiply-adds split their rows over the pool. */
    static final long GEMV_PARALLEL_MIN_WORK = 1L << 17;

    /**
     * Whether {@link #sgemm} computes a product of these dimensions and layouts as a matrix-vector
     * product ({@link #sgemv}): one row of C against B stored row by row ({@code transB}), or one
     * column of C against A stored row by row ({@code !transA}), with 512-bit vectors.
     */
    static boolean rowGemv(boolean transA, boolean transB, int m, int n) {
        return WIDE && ((m == 1 && transB) || (n == 1 && !transA));
    }

    /**
     * {@code y[yOff + j*incY] = alpha * Σ_p mat[mOff + j*ld + p] * x[xOff + p*incX] + beta * y[..]}
     * for {@code j < rows} (beta 0: y is not read): a row-major matrix times a vector, such as a
     * Linear layer at batch 1 (x·Wᵀ with W [out, in]: one dot product of length in per output).
     * Without packing: each step loads one vector of x for four rows of the matrix (eight
     * accumulators, two per row, to cover the FMA latency). Rows are split over the pool from
     * {@link #GEMV_PARALLEL_MIN_WORK} multiply-adds: the matrix is read once, so the product is
     * bound by memory and both cores' caches and load ports help (the cnn's Linear(3136, 128), 1.6 MB
     * of weights: 21-23 µs on OpenBLAS's single-threaded gemv). Each row is summed by one thread in
     * a fixed order, so the result does not depend on the split.
     */
    static void sgemv(int rows, int k, float alpha, float[] mat, int mOff, int ld, float[] x, int xOff, int incX,
                      float beta, float[] y, int yOff, int incY) {
        float[] xv = x;
        int xo = xOff;
        if (incX != 1) { // a strided vector is gathered once into this thread's scratch
            xv = sbuffer(4, k);
            for (int p = 0; p < k; p++) xv[p] = x[xOff + p * incX];
            xo = 0;
        }
        float[] xs = xv;
        int xs0 = xo;
        if ((long) rows * k >= GEMV_PARALLEL_MIN_WORK && Parallel.threads() > 1 && !Parallel.inRegion())
            Parallel.forRange((rows + 3) / 4, 1, (s, e) -> gemvRows(4 * s, Math.min(rows, 4 * e), k, alpha, mat, mOff,
                ld, xs, xs0, beta, y, yOff, incY));
        else
            gemvRows(0, rows, k, alpha, mat, mOff, ld, xs, xs0, beta, y, yOff, incY);
    }

    /**
     * Rows {@code [j0, j1)} of {@link #sgemv}, x contiguous. Four rows at a time leave one vector of
     * lane sums each in this thread's scratch ({@link #gemv4}). A full group of as many rows as a
     * vector has lanes is then summed across its lanes in one go ({@link VectorMath#sumLanesOfRows},
     * the same bits as lane by lane: the mlp's Linear(784, 512) at batch 1 ran 34-48 µs
     * single-threaded lane by lane, 25-28 with this). Leftover rows are summed one by one.
     */
    private static void gemvRows(int j0, int j1, int k, float alpha, float[] mat, int mOff, int ld, float[] x, int xo,
                                 float beta, float[] y, int yOff, int incY) {
        int L = FW.length(), kv = FW.loopBound(k);
        float[] lanes = sbuffer(5, L * L + L);
        int j = j0;
        for (; j + L <= j1; j += L) {
            for (int q = 0; q < L; q += 4) gemv4(j + q, k, mat, mOff, ld, x, xo, lanes, q * L);
            VectorMath.sumLanesOfRows(FW, lanes, 0, lanes, L * L);
            for (int q = 0; q < L; q++) gemvStore(lanes[L * L + q], mat, mOff + (j + q) * ld, x, xo, kv, k, alpha, beta, y, yOff + (j + q) * incY);
        }
        for (; j + 4 <= j1; j += 4) {
            gemv4(j, k, mat, mOff, ld, x, xo, lanes, 0);
            for (int q = 0; q < 4; q++)
                gemvStore(VectorMath.sumLanes(FloatVector.fromArray(FW, lanes, q * L)), mat, mOff + (j + q) * ld, x, xo, kv, k,
                    alpha, beta, y, yOff + (j + q) * incY);
        }
        for (; j < j1; j++) {
            int r = mOff + j * ld;
            FloatVector s = FloatVector.zero(FW);
            for (int p = 0; p < kv; p += L) s = FloatVector.fromArray(FW, mat, r + p).fma(FloatVector.fromArray(FW, x, xo + p), s);
            gemvStore(VectorMath.sumLanes(s), mat, r, x, xo, kv, k, alpha, beta, y, yOff + j * incY);
        }
    }

    /**
     * Rows {@code j..j+3} of {@link #gemvRows} over the vector part of k: per row the lane-wise
     * products summed in two interleaved halves (eight accumulators, one load of x for four rows, to
     * cover the FMA latency), the halves added, stored to {@code lanes[at + q * L ..]} for row j+q.
     */
    private static void gemv4(int j, int k, float[] mat, int mOff, int ld, float[] x, int xo, float[] lanes, int at) {
        int L = FW.length(), kv = FW.loopBound(k), kv2 = kv - kv % (2 * L);
        int r0 = mOff + j * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
        FloatVector s0 = FloatVector.zero(FW), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
        int p = 0;
        for (; p < kv2; p += 2 * L) {
            FloatVector u = FloatVector.fromArray(FW, x, xo + p), v = FloatVector.fromArray(FW, x, xo + p + L);
            s0 = FloatVector.fromArray(FW, mat, r0 + p).fma(u, s0);
            t0 = FloatVector.fromArray(FW, mat, r0 + p + L).fma(v, t0);
            s1 = FloatVector.fromArray(FW, mat, r1 + p).fma(u, s1);
            t1 = FloatVector.fromArray(FW, mat, r1 + p + L).fma(v, t1);
            s2 = FloatVector.fromArray(FW, mat, r2 + p).fma(u, s2);
            t2 = FloatVector.fromArray(FW, mat, r2 + p + L).fma(v, t2);
            s3 = FloatVector.fromArray(FW, mat, r3 + p).fma(u, s3);
            t3 = FloatVector.fromArray(FW, mat, r3 + p + L).fma(v, t3);
        }
        if (p < kv) {
            FloatVector u = FloatVector.fromArray(FW, x, xo + p);
            s0 = FloatVector.fromArray(FW, mat, r0 + p).fma(u, s0);
            s1 = FloatVector.fromArray(FW, mat, r1 + p).fma(u, s1);
            s2 = FloatVector.fromArray(FW, mat, r2 + p).fma(u, s2);
            s3 = FloatVector.fromArray(FW, mat, r3 + p).fma(u, s3);
        }
        s0.add(t0).intoArray(lanes, at);
        s1.add(t1).intoArray(lanes, at + L);
        s2.add(t2).intoArray(lanes, at + 2 * L);
        s3.add(t3).intoArray(lanes, at + 3 * L);
    }

    /** One output of {@link #gemvRows}: the lane sum {@code t} plus the scalar tail {@code [kv, k)}, scaled and stored. */
    private static void gemvStore(float t, float[] mat, int r, float[] x, int xo, int kv, int k, float alpha,
                                  float beta, float[] y, int at) {
        for (int p = kv; p < k; p++) t = Math.fma(mat[r + p], x[xo + p], t);
        float v = alpha * t;
        y[at] = beta == 0 ? v : v + beta * y[at];
    }

    /** Packs {@code count} rows (A) or columns (B) from {@code from} of k-block {@code pc} into {@code dst} at {@code off}. */
    @FunctionalInterface
    private interface StripPacker {
        void pack(int pc, int kc, int from, int count, float[] dst, int off);
    }

    /**
     * An operand every block of a split product shares, packed whole: {@code buffer} (null when it
     * would be too big, {@link #MAX_SHARED}; then each block packs its own) is filled by running
     * {@code packer} over its {@code strips} strips, which the split does before its blocks start.
     */
    private record Shared(float[] buffer, int strips, Parallel.RangeBody packer) {
        static final Shared NONE = new Shared(null, 0, null);
    }

    /**
     * All of an operand, every k-block, packed by strips of {@code unit}: k-block {@code pc} at
     * {@code pc * roundUp(extent, unit)}, strip {@code s} at {@code s * unit * kc} inside it (what
     * {@link #sblock} reads as {@code apAll}/{@code bpAll}).
     */
    private static Shared shared(int k, int extent, int unit, StripPacker packer) {
        int pad = roundUp(extent, unit);
        long size = (long) pad * k;
        if (size > MAX_SHARED) return Shared.NONE;
        float[] dst = sbuffer(3, (int) size, KEEP_SHARED);
        return new Shared(dst, pad / unit, (s, e) -> {
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packer.pack(pc, kc, s * unit, Math.min(extent, e * unit) - s * unit, dst, pc * pad + s * unit * kc);
            }
        });
    }

    /** Largest whole packed operand (floats) kept on the calling thread between calls: 4 MiB. */
    private static final int KEEP_SHARED = 1 << 20;
    /** Largest whole packed operand (floats) allocated for one call: 16 MiB. */
    private static final int MAX_SHARED = 4 << 20;

    /** Per-thread packing buffers: slots 0-2 a block's B panel, A panel and tile (float and double), 3 a shared whole operand, 4 a gathered gemv vector, 5 gemv lane sums. */
    private static final Scratch BUFFERS = new Scratch(6);

    /**
     * A per-thread scratch array of at least {@code size} elements (packing fully overwrites what it
     * uses). Only small ones are kept: they are what makes small products allocation-bound.
     */
    private static float[] sbuffer(int slot, int size) { return BUFFERS.floats(slot, size, KEEP_BUFFER); }

    /** As {@link #sbuffer(int, int)}, kept up to {@code keep} elements. */
    private static float[] sbuffer(int slot, int size, int keep) { return BUFFERS.floats(slot, size, keep); }

    /**
     * Computes the block {@code C[i0:i1, j0:j1]}: Goto-style loops around a SMR x SNR micro-kernel.
     * {@code apAll} (non-null only when the block has all of C's rows, at most SMC of them) holds
     * all of op(A) packed, k-block {@code pc} at {@code pc * roundUp(m, SMR)}; {@code bpAll} (non-null
     * only when n is at most NC_F) all of op(B), k-block {@code pc} at {@code pc * roundUp(n, SNR)}
     * with the block's columns {@code j0..} at {@code j0 * kc} inside it. Otherwise the block packs
     * its own panels. A non-null {@code bias} is added to each row as the first k-block stores it.
     */
    private static void sblock(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float beta, float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1,
                               float[] apAll, float[] bpAll, float[] bias, int biasOff) {
        int kcMax = Math.min(KC, k);
        int ncMax = Math.min(NC_F, j1 - j0), mcMax = Math.min(SMC, i1 - i0);
        float[] bp = bpAll != null ? bpAll : sbuffer(0, kcMax * roundUp(ncMax, SNR));
        float[] ap = apAll != null ? apAll : sbuffer(1, kcMax * roundUp(mcMax, SMR));
        float[] tile = sbuffer(2, SMR * SNR);
        for (int jc = j0; jc < j1; jc += NC_F) {
            int nc = Math.min(NC_F, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int bBase = bpAll != null ? pc * roundUp(n, SNR) + jc * kc : 0;
                // Without a shared packed B, a block of at most SMC rows reads the full strips of an
                // untransposed B where they lie (rows ldb apart): with so few rows of A to use it,
                // packing a strip cost about as much as the products with it (the cnn's Linear(3136,
                // 128) backward at batch 64: 64 x 3136 x 128 in 295-330 us packed, 206-212 direct).
                boolean direct = bpAll == null && !transB && WIDE && i1 - i0 <= SMC;
                int packedFrom = direct ? nc / SNR * SNR : 0;
                if (bpAll == null && packedFrom < nc)
                    spackB(transB, b, bOff, ldb, pc, kc, jc + packedFrom, nc - packedFrom, bp, packedFrom * kc);
                // Later k-blocks accumulate onto what the first one wrote.
                float betaEff = pc == 0 ? beta : 1;
                for (int ic = i0; ic < i1; ic += SMC) {
                    int mc = Math.min(SMC, i1 - ic);
                    int aBase = apAll != null ? pc * roundUp(m, SMR) : 0;
                    if (apAll == null) spackA(transA, a, aOff, lda, ic, mc, pc, kc, ap, 0);
                    for (int jr = 0; jr < nc; jr += SNR) {
                        int nr = Math.min(SNR, nc - jr);
                        for (int ir = 0; ir < mc; ir += SMR) {
                            int mr = Math.min(SMR, mc - ir);
                            if (WIDE && jr < packedFrom)
                                skernel8x32(kc, ap, aBase + ir * kc, b, bOff + pc * ldb + jc + jr, ldb, tile);
                            else if (WIDE) skernel8x32(kc, ap, aBase + ir * kc, bp, bBase + jr * kc, SNR, tile);
                            else skernel(kc, ap, aBase + ir * kc, bp, bBase + jr * kc, tile);
                            supdate(tile, c, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha, betaEff,
                                pc == 0 ? bias : null, biasOff + jc + jr);
                        }
                    }
                }
            }
        }
    }

    /** Packs {@code op(A)[ic:ic+mc, pc:pc+kc]} into SMR-row strips, p-major inside each, zero-padded. */
    private static void spackA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                               float[] ap, int apOff) {
        for (int ir = 0; ir < mc; ir += SMR) {
            int mr = Math.min(SMR, mc - ir);
            int base = apOff + ir * kc;
            if (!transA && mr == SMR && WIDE) {
                transpose8(a, aOff + (ic + ir) * lda + pc, lda, kc, ap, base, SMR);
            } else if (!transA) {
                // Row by row: one sequential stream in, a strided stream out (SMR apart).
                for (int i = 0; i < mr; i++) {
                    int src = aOff + (ic + ir + i) * lda + pc;
                    for (int p = 0, d = base + i; p < kc; p++, d += SMR) ap[d] = a[src + p];
                }
            } else if (mr == SMR && WIDE) {
                // op(A) rows are A's columns: each p reads SMR adjacent floats.
                for (int p = 0; p < kc; p++)
                    FloatVector.fromArray(FS, a, aOff + (pc + p) * lda + ic + ir).intoArray(ap, base + p * SMR);
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + ir;
                    int dst = base + p * SMR;
                    for (int i = 0; i < mr; i++) ap[dst + i] = a[src + i];
                }
            }
            if (mr < SMR)
                for (int p = 0; p < kc; p++)
                    for (int i = mr; i < SMR; i++) ap[base + p * SMR + i] = 0;
        }
    }

    /** Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into SNR-column strips, p-major inside each, zero-padded. */
    private static void spackB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                               float[] bp, int bpOff) {
        for (int jr = 0; jr < nc; jr += SNR) {
            int nr = Math.min(SNR, nc - jr);
            int base = bpOff + jr * kc;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr;
                    int dst = base + p * SNR;
                    if (nr == SNR) {
                        for (int j = 0; j < SNR; j += 8) FloatVector.fromArray(FS, b, src + j).intoArray(bp, dst + j);
                    } else {
                        for (int j = 0; j < nr; j++) bp[dst + j] = b[src + j];
                        for (int j = nr; j < SNR; j++) bp[dst + j] = 0;
                    }
                }
            } else if (nr == SNR && WIDE) {
                for (int j = 0; j < SNR; j += 8)
                    transpose8(b, bOff + (jc + jr + j) * ldb + pc, ldb, kc, bp, base + j, SNR);
            } else {
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (jc + jr + j) * ldb + pc;
                    for (int p = 0, d = base + j; p < kc; p++, d += SNR) bp[d] = b[src + p];
                }
                if (nr < SNR)
                    for (int p = 0; p < kc; p++)
                        for (int j = nr; j < SNR; j++) bp[base + p * SNR + j] = 0;
            }
        }
    }

    /** Two-source lane selections (indices 8-15 pick from the second vector) of an 8 x 8 transpose. */
    private static final VectorShuffle<Float> PAIR_LO = shuffle(0, 8, 1, 9, 4, 12, 5, 13),
        PAIR_HI = shuffle(2, 10, 3, 11, 6, 14, 7, 15), QUAD_LO = shuffle(0, 1, 8, 9, 4, 5, 12, 13),
        QUAD_HI = shuffle(2, 3, 10, 11, 6, 7, 14, 15), HALF_LO = shuffle(0, 1, 2, 3, 8, 9, 10, 11),
        HALF_HI = shuffle(4, 5, 6, 7, 12, 13, 14, 15);

    private static VectorShuffle<Float> shuffle(int... lanes) { return VectorShuffle.fromArray(FS, lanes, 0); }

    /**
     * Packs 8 rows of {@code kc} floats ({@code src[off + i*ld + p]}) column by column:
     * {@code dst[dOff + p*dStride + i] = src[off + i*ld + p]}, 8 x 8 blocks at a time through three
     * rounds of two-vector shuffles (about 4x faster than element by element: 0.13-0.23 vs
     * 0.53-0.87 ns per float, 8 x 256 floats, Zen 5). Both packings that transpose use it: A's rows
     * into 8-row strips, and op(B) = Bᵀ's columns (B's rows) into 32-column strips.
     */
    private static void transpose8(float[] src, int off, int ld, int kc, float[] dst, int dOff, int dStride) {
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            int s = off + p;
            FloatVector r0 = FloatVector.fromArray(FS, src, s), r1 = FloatVector.fromArray(FS, src, s + ld),
                r2 = FloatVector.fromArray(FS, src, s + 2 * ld), r3 = FloatVector.fromArray(FS, src, s + 3 * ld),
                r4 = FloatVector.fromArray(FS, src, s + 4 * ld), r5 = FloatVector.fromArray(FS, src, s + 5 * ld),
                r6 = FloatVector.fromArray(FS, src, s + 6 * ld), r7 = FloatVector.fromArray(FS, src, s + 7 * ld);
            FloatVector t0 = r0.rearrange(PAIR_LO, r1), t1 = r0.rearrange(PAIR_HI, r1);
            FloatVector t2 = r2.rearrange(PAIR_LO, r3), t3 = r2.rearrange(PAIR_HI, r3);
            FloatVector t4 = r4.rearrange(PAIR_LO, r5), t5 = r4.rearrange(PAIR_HI, r5);
            FloatVector t6 = r6.rearrange(PAIR_LO, r7), t7 = r6.rearrange(PAIR_HI, r7);
            FloatVector u0 = t0.rearrange(QUAD_LO, t2), u1 = t0.rearrange(QUAD_HI, t2);
            FloatVector u2 = t1.rearrange(QUAD_LO, t3), u3 = t1.rearrange(QUAD_HI, t3);
            FloatVector u4 = t4.rearrange(QUAD_LO, t6), u5 = t4.rearrange(QUAD_HI, t6);
            FloatVector u6 = t5.rearrange(QUAD_LO, t7), u7 = t5.rearrange(QUAD_HI, t7);
            int d = dOff + p * dStride;
            u0.rearrange(HALF_LO, u4).intoArray(dst, d);
            u1.rearrange(HALF_LO, u5).intoArray(dst, d + dStride);
            u2.rearrange(HALF_LO, u6).intoArray(dst, d + 2 * dStride);
            u3.rearrange(HALF_LO, u7).intoArray(dst, d + 3 * dStride);
            u0.rearrange(HALF_HI, u4).intoArray(dst, d + 4 * dStride);
            u1.rearrange(HALF_HI, u5).intoArray(dst, d + 5 * dStride);
            u2.rearrange(HALF_HI, u6).intoArray(dst, d + 6 * dStride);
            u3.rearrange(HALF_HI, u7).intoArray(dst, d + 7 * dStride);
        }
        for (int i = 0; i < 8; i++)
            for (int q = p, d = dOff + q * dStride + i, si = off + i * ld + q; q < kc; q++, d += dStride, si++)
                dst[d] = src[si];
    }

    /**
     * The 6 x 16 micro-kernel: 12 vector accumulators + 2 B vectors + 1 broadcast fit the 16 AVX2
     * registers. It has no branches besides the loop and always writes the full tile to {@code tile}:
     * a rarely taken branch in here would deoptimise the hottest code in the library.
     */
    private static void skernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS);
        FloatVector c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
        FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS);
        FloatVector c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
        FloatVector c40 = FloatVector.zero(FS), c41 = FloatVector.zero(FS);
        FloatVector c50 = FloatVector.zero(FS), c51 = FloatVector.zero(FS);
        for (int p = 0; p < kc; p++) {
            int bj = bi + p * 16, aj = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(FS, bp, bj);
            FloatVector b1 = FloatVector.fromArray(FS, bp, bj + 8);
            FloatVector x = FloatVector.broadcast(FS, ap[aj]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(FS, ap[aj + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(FS, ap[aj + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(FS, ap[aj + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(FS, ap[aj + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(FS, ap[aj + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, 8);
        c10.intoArray(tile, 16); c11.intoArray(tile, 16 + 8);
        c20.intoArray(tile, 2 * 16); c21.intoArray(tile, 2 * 16 + 8);
        c30.intoArray(tile, 3 * 16); c31.intoArray(tile, 3 * 16 + 8);
        c40.intoArray(tile, 4 * 16); c41.intoArray(tile, 4 * 16 + 8);
        c50.intoArray(tile, 5 * 16); c51.intoArray(tile, 5 * 16 + 8);
    }

    /**
     * The 8 x 32 micro-kernel on 512-bit vectors (16 accumulators); otherwise as {@link #skernel}.
     * It is a second hand-unrolled copy on purpose: C2 compiles Vector API code to vector
     * instructions only where the species is a constant, and one kernel taking the species (or the
     * tile shape) as a parameter ran about 5x slower (measured on DirectConv's blocks, which share
     * this structure).
     */
    private static void skernel8x32(int kc, float[] ap, int ai, float[] bp, int bi, int bStride, float[] tile) {
        FloatVector c00 = FloatVector.zero(FW), c01 = FloatVector.zero(FW);
        FloatVector c10 = FloatVector.zero(FW), c11 = FloatVector.zero(FW);
        FloatVector c20 = FloatVector.zero(FW), c21 = FloatVector.zero(FW);
        FloatVector c30 = FloatVector.zero(FW), c31 = FloatVector.zero(FW);
        FloatVector c40 = FloatVector.zero(FW), c41 = FloatVector.zero(FW);
        FloatVector c50 = FloatVector.zero(FW), c51 = FloatVector.zero(FW);
        FloatVector c60 = FloatVector.zero(FW), c61 = FloatVector.zero(FW);
        FloatVector c70 = FloatVector.zero(FW), c71 = FloatVector.zero(FW);
        for (int p = 0; p < kc; p++) {
            int bj = bi + p * bStride, aj = ai + p * 8;
            FloatVector b0 = FloatVector.fromArray(FW, bp, bj);
            FloatVector b1 = FloatVector.fromArray(FW, bp, bj + 16);
            FloatVector x = FloatVector.broadcast(FW, ap[aj]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(FW, ap[aj + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(FW, ap[aj + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(FW, ap[aj + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(FW, ap[aj + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(FW, ap[aj + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(FW, ap[aj + 6]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(FW, ap[aj + 7]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, 16);
        c10.intoArray(tile, 32); c11.intoArray(tile, 32 + 16);
        c20.intoArray(tile, 2 * 32); c21.intoArray(tile, 2 * 32 + 16);
        c30.intoArray(tile, 3 * 32); c31.intoArray(tile, 3 * 32 + 16);
        c40.intoArray(tile, 4 * 32); c41.intoArray(tile, 4 * 32 + 16);
        c50.intoArray(tile, 5 * 32); c51.intoArray(tile, 5 * 32 + 16);
        c60.intoArray(tile, 6 * 32); c61.intoArray(tile, 6 * 32 + 16);
        c70.intoArray(tile, 7 * 32); c71.intoArray(tile, 7 * 32 + 16);
    }

    /**
     * {@code C[tile] = alpha * tile + beta * C[tile]} for the valid mr x nr corner of an SMR x SNR
     * tile, plus {@code bias[bi + j]} on column j when {@code bias} is non-null (a Linear layer's
     * bias, added as C is first stored instead of copied into every row of C beforehand and read
     * back here: one pass over C less).
     */
    private static void supdate(float[] tile, float[] c, int ci, int ldc, int mr, int nr, float alpha, float beta,
                                float[] bias, int bi) {
        if (nr == SNR) {
            for (int i = 0; i < mr; i++) {
                int row = ci + i * ldc;
                for (int j = 0; j < SNR; j += FW.length()) {
                    FloatVector v = FloatVector.fromArray(FW, tile, i * SNR + j);
                    if (alpha != 1) v = v.mul(alpha);
                    // beta == 0 must not read C: it may hold NaN that BLAS semantics say to ignore.
                    if (beta != 0) v = FloatVector.fromArray(FW, c, row + j).mul(beta).add(v);
                    if (bias != null) v = v.add(FloatVector.fromArray(FW, bias, bi + j));
                    v.intoArray(c, row + j);
                }
            }
            return;
        }
        for (int i = 0; i < mr; i++) {
            int row = ci + i * ldc;
            for (int j = 0; j < nr; j++) {
                float v = alpha * tile[i * SNR + j];
                if (beta != 0) v += beta * c[row + j];
                c[row + j] = bias == null ? v : v + bias[bi + j];
            }
        }
    }
    // ================================================================== double

    /** {@code C = alpha op(A) op(B) + beta C} for double; arguments already validated, m, n, k &gt; 0. */
    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        if (Parallel.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_WORK) {
            // Split in whole micro-tiles; each block packs its own panels. Rows are preferred: then
            // each worker packs only its own rows of A (scalar, strided) and repeats the cheap
            // vector copy of B instead.
            if (m < 128 * Parallel.threads() && n > m)
                GemmSplit.run(n, 8, 128, (s, e) -> dblock(transA, transB, m, n, k, alpha, a, aOff, lda,
                    b, bOff, ldb, beta, c, cOff, ldc, 0, m, s, e));
            else
                GemmSplit.run(m, MR, 120, (s, e) -> dblock(transA, transB, m, n, k, alpha, a, aOff, lda,
                    b, bOff, ldb, beta, c, cOff, ldc, s, e, 0, n));
        } else {
            dblock(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, 0, m, 0, n);
        }
    }

    /** As {@link #sbuffer(int, int)}, for double. */
    private static double[] dbuffer(int slot, int size) { return BUFFERS.doubles(slot, size, KEEP_BUFFER); }

    /** Computes the block {@code C[i0:i1, j0:j1]}: Goto-style loops around a MR x 8 micro-kernel. */
    private static void dblock(boolean transA, boolean transB, int m, int n, int k, double alpha,
                               double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                               double beta, double[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
        int kcMax = Math.min(KC, k);
        int ncMax = Math.min(NC_D, j1 - j0), mcMax = Math.min(MC, i1 - i0);
        double[] bp = dbuffer(0, kcMax * roundUp(ncMax, 8));
        double[] ap = dbuffer(1, kcMax * roundUp(mcMax, MR));
        double[] tile = dbuffer(2, MR * 8);
        for (int jc = j0; jc < j1; jc += NC_D) {
            int nc = Math.min(NC_D, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                dpackB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                // Later k-blocks accumulate onto what the first one wrote.
                double betaEff = pc == 0 ? beta : 1;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    dpackA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += 8) {
                        int nr = Math.min(8, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            dkernel(kc, ap, ir * kc, bp, jr * kc, tile);
                            dupdate(tile, c, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha, betaEff);
                        }
                    }
                }
            }
        }
    }

    /** Packs {@code op(A)[ic:ic+mc, pc:pc+kc]} into MR-row strips, p-major inside each, zero-padded. */
    private static void dpackA(boolean transA, double[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                               double[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int base = ir * kc;
            if (!transA && mr == MR) {
                // Six sequential row streams in, one sequential stream out.
                int r0 = aOff + (ic + ir) * lda + pc, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda,
                    r4 = r3 + lda, r5 = r4 + lda;
                for (int p = 0; p < kc; p++) {
                    int d = base + p * MR;
                    ap[d] = a[r0 + p];
                    ap[d + 1] = a[r1 + p];
                    ap[d + 2] = a[r2 + p];
                    ap[d + 3] = a[r3 + p];
                    ap[d + 4] = a[r4 + p];
                    ap[d + 5] = a[r5 + p];
                }
            } else if (!transA) {
                for (int i = 0; i < mr; i++) {
                    int src = aOff + (ic + ir + i) * lda + pc;
                    for (int p = 0; p < kc; p++) ap[base + p * MR + i] = a[src + p];
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + ir;
                    int dst = base + p * MR;
                    for (int i = 0; i < mr; i++) ap[dst + i] = a[src + i];
                }
            }
            if (mr < MR)
                for (int p = 0; p < kc; p++)
                    for (int i = mr; i < MR; i++) ap[base + p * MR + i] = 0;
        }
    }

    /** Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into 8-column strips, p-major inside each, zero-padded. */
    private static void dpackB(boolean transB, double[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                               double[] bp) {
        for (int jr = 0; jr < nc; jr += 8) {
            int nr = Math.min(8, nc - jr);
            int base = jr * kc;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr;
                    int dst = base + p * 8;
                    if (nr == 8) {
                        DoubleVector.fromArray(DS, b, src).intoArray(bp, dst);
                        DoubleVector.fromArray(DS, b, src + 4).intoArray(bp, dst + 4);
                    } else {
                        for (int j = 0; j < nr; j++) bp[dst + j] = b[src + j];
                        for (int j = nr; j < 8; j++) bp[dst + j] = 0;
                    }
                }
            } else {
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (jc + jr + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) bp[base + p * 8 + j] = b[src + p];
                }
                if (nr < 8)
                    for (int p = 0; p < kc; p++)
                        for (int j = nr; j < 8; j++) bp[base + p * 8 + j] = 0;
            }
        }
    }

    /**
     * The 6 x 8 micro-kernel: 12 vector accumulators + 2 B vectors + 1 broadcast fit the 16 AVX2
     * registers. It has no branches besides the loop and always writes the full tile to {@code tile}:
     * a rarely taken branch in here would deoptimise the hottest code in the library.
     */
    private static void dkernel(int kc, double[] ap, int ai, double[] bp, int bi, double[] tile) {
        DoubleVector c00 = DoubleVector.zero(DS), c01 = DoubleVector.zero(DS);
        DoubleVector c10 = DoubleVector.zero(DS), c11 = DoubleVector.zero(DS);
        DoubleVector c20 = DoubleVector.zero(DS), c21 = DoubleVector.zero(DS);
        DoubleVector c30 = DoubleVector.zero(DS), c31 = DoubleVector.zero(DS);
        DoubleVector c40 = DoubleVector.zero(DS), c41 = DoubleVector.zero(DS);
        DoubleVector c50 = DoubleVector.zero(DS), c51 = DoubleVector.zero(DS);
        for (int p = 0; p < kc; p++) {
            int bj = bi + p * 8, aj = ai + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, bj);
            DoubleVector b1 = DoubleVector.fromArray(DS, bp, bj + 4);
            DoubleVector x = DoubleVector.broadcast(DS, ap[aj]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(DS, ap[aj + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(DS, ap[aj + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(DS, ap[aj + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(DS, ap[aj + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(DS, ap[aj + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, 4);
        c10.intoArray(tile, 8); c11.intoArray(tile, 8 + 4);
        c20.intoArray(tile, 2 * 8); c21.intoArray(tile, 2 * 8 + 4);
        c30.intoArray(tile, 3 * 8); c31.intoArray(tile, 3 * 8 + 4);
        c40.intoArray(tile, 4 * 8); c41.intoArray(tile, 4 * 8 + 4);
        c50.intoArray(tile, 5 * 8); c51.intoArray(tile, 5 * 8 + 4);
    }

    /** {@code C[tile] = alpha * tile + beta * C[tile]} for the valid mr x nr corner. */
    private static void dupdate(double[] tile, double[] c, int ci, int ldc, int mr, int nr, double alpha, double beta) {
        if (nr == 8) {
            for (int i = 0; i < mr; i++) {
                int row = ci + i * ldc;
                DoubleVector v0 = DoubleVector.fromArray(DS, tile, i * 8).mul(alpha);
                DoubleVector v1 = DoubleVector.fromArray(DS, tile, i * 8 + 4).mul(alpha);
                // beta == 0 must not read C: it may hold NaN that BLAS semantics say to ignore.
                if (beta != 0) {
                    v0 = DoubleVector.fromArray(DS, c, row).mul(beta).add(v0);
                    v1 = DoubleVector.fromArray(DS, c, row + 4).mul(beta).add(v1);
                }
                v0.intoArray(c, row);
                v1.intoArray(c, row + 4);
            }
            return;
        }
        for (int i = 0; i < mr; i++) {
            int row = ci + i * ldc;
            for (int j = 0; j < nr; j++) {
                double v = alpha * tile[i * 8 + j];
                c[row + j] = beta == 0 ? v : v + beta * c[row + j];
            }
        }
    }
}
