package dev.fathom.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ProgressBarTest {
    static final class FakeClock implements java.util.function.LongSupplier {
        long nanos;
        public long getAsLong() { return nanos; }
    }

    static Map<String, Double> logs() {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", 0.43125);
        logs.put("accuracy", 0.95);
        logs.put("val_loss", 0.5);
        logs.put("lr", 0.01);
        return logs;
    }

    @Test
    void nonInteractivePrintsOneLinePerEpoch() {
        var bytes = new ByteArrayOutputStream();
        var clock = new FakeClock();
        var bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, clock);
        bar.startEpoch(2, 5, 4);
        for (int i = 1; i <= 4; i++) { clock.nanos += 500_000_000L; bar.batch(i, 32, 0.5); }
        bar.endEpoch(logs());
        assertEquals("Epoch 2/5 - 4/4 - 2.0s - 64 ex/s - loss: 0.4313 - accuracy: 0.9500 - val_loss: 0.5000 - lr: 0.01000\n",
            bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void interactiveRedrawsTheBarWithEta() {
        var bytes = new ByteArrayOutputStream();
        var clock = new FakeClock();
        var bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, clock);
        bar.startEpoch(1, 3, 10);
        clock.nanos = 1_000_000_000L;           // 1 s per batch
        bar.batch(1, 100, 0.9);
        clock.nanos += 10_000_000L;             // within 100 ms: not redrawn
        bar.batch(2, 100, 0.8);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("\rEpoch 1/3 [===>                          ] 1/10 - ETA 0:09 - loss: 0.9000 - 100 ex/s", text);
        clock.nanos = 100_000_000_000L;         // 100 s; three batches of 100 reported (the trainer reports every one)
        bar.batch(10, 100, 0.5);
        bar.endEpoch(Map.of("loss", 0.5));
        String all = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(all.contains("\rEpoch 1/3 [==============================] 10/10 - ETA 0:00 - loss: 0.5000 - 3 ex/s"), all);
        assertTrue(all.endsWith("\rEpoch 1/3 - 10/10 - 1:40 - 3 ex/s - loss: 0.5000"
            + " ".repeat("Epoch 1/3 [==============================] 10/10 - ETA 0:00 - loss: 0.5000 - 3 ex/s".length()
                - "Epoch 1/3 - 10/10 - 1:40 - 3 ex/s - loss: 0.5000".length()) + System.lineSeparator()), all);
    }

    @Test
    void unknownLengthShowsTheBatchCount() {
        var bytes = new ByteArrayOutputStream();
        var clock = new FakeClock();
        var bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, clock);
        bar.startEpoch(1, 1, -1);
        clock.nanos = 2_000_000_000L;
        bar.batch(3, 10, 0.25);
        assertEquals("\rEpoch 1/1 3 batches - loss: 0.2500 - 5 ex/s", bytes.toString(StandardCharsets.UTF_8));
        bar.message("stopping");
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith(System.lineSeparator() + "stopping" + System.lineSeparator()));
    }

    @Test
    void clockText() {
        assertEquals("0:09", ProgressBar.clockText(9.2));
        assertEquals("2:05", ProgressBar.clockText(125));
        assertEquals("1:01:01", ProgressBar.clockText(3661));
        assertEquals("3.2s", ProgressBar.duration(3.21));
    }

    @Test
    void trainerPrintsEpochLinesToTheInjectedStream() {
        var bytes = new ByteArrayOutputStream();
        var model = new Fixtures.Scale();
        new Trainer(model, Fixtures.scripted(1, 0.5), new dev.fathom.optim.SGD(model.parameters(), 0.1))
            .progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false)
            .fit(Fixtures.ones(1), Fixtures.ones(1), 2);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(2, lines.length);
        assertTrue(lines[0].matches("Epoch 1/2 - 1/1 - \\d+\\.\\ds - (\\d+|-) ex/s - loss: 1\\.0000 - val_loss: 0\\.5000 - lr: 0\\.1000"), lines[0]);
        assertTrue(lines[1].startsWith("Epoch 2/2 - 1/1 - "), lines[1]);
    }
}
