package io.switchboard.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's energy job in Kafka Streams: 15-minute energy per meter from Switchboard's `events.meters`
 * topic (key = stream id `tenant/meter`, value = a `json/1` timeseries packet with the column `energyWh`, the
 * cumulative register), exactly_once_v2, as PRODUCT.md defines it: a meter's readings ordered by ts; a reading's
 * energy is its register minus the previous reading's (a negative difference is a register reset: its energy is
 * its own register, and the window's resets count it); the first reading is the baseline (energy 0); energy belongs
 * to the window of the later reading; a second reading with the same ts is a duplicate and ignored; integer mWh
 * from the register's decimal text, so sums are exact.
 *
 * <p>Readings arriving out of order are inserted between their neighbours: the successor's contribution is
 * retracted and added back against the new reading, so any arrival order within grace gives the in-order result.
 * A meter's window closes when its own latest reading is `grace` past the window's end (the aggregator closes by
 * each meter's stream time too); a reading for a closed window is dropped and counted ("late"): Switchboard would
 * restate the window instead. State per meter: its latest ts and the readings of its open windows plus the last
 * one before them, in a key-value store; per (meter, window): energy, readings, resets. Every change of a window is
 * written to the output topic as key `<stream id>@<window start>`, value three longs (energy mWh, readings, resets).
 *
 * <p>Args: bootstrap input-topic output-topic application-id threads commit-interval-ms state-dir output-file
 * grace-ms (output-file: where the output's last committed value per key goes, PeerRun).
 */
public final class EnergySum {
  static final long WINDOW_MS = 15 * 60_000L;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static final class Energy implements Processor<String, byte[], String, byte[]> {
    private final AtomicLong rows;
    private final AtomicLong first;
    private final AtomicLong late;
    private final long graceMs;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> meters;
    private KeyValueStore<String, byte[]> windows;

    Energy(AtomicLong rows, AtomicLong first, AtomicLong late, long graceMs) {
      this.rows = rows;
      this.first = first;
      this.late = late;
      this.graceMs = graceMs;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
      this.meters = context.getStateStore("meters");
      this.windows = context.getStateStore("windows");
    }

    @Override
    public void process(Record<String, byte[]> record) {
      PeerRun.markFirst(first);
      JsonNode packet = PeerRun.timeseriesPacket(JSON, record.key(), record.headers(), record.value());
      if (packet == null) return;
      JsonNode ts = packet.path("timestamps");
      JsonNode wh = packet.path("numericValues").path("energyWh");
      Meter meter = Meter.decode(meters.get(record.key()));
      for (int i = 0; i < ts.size(); i++) {
        JsonNode value = wh.path(i);
        if (!value.isNumber()) continue; // no energyWh: the aggregator refuses it to the dead-letter topic
        long mwh;
        try {
          mwh = value.decimalValue().movePointRight(3).longValueExact();
        } catch (ArithmeticException e) {
          continue; // more than 3 decimals: refused as well
        }
        reading(record, meter, ts.get(i).asLong(), mwh);
        rows.incrementAndGet();
      }
      meter.prune(graceMs);
      meters.put(record.key(), meter.encode());
    }

    private void reading(Record<String, byte[]> record, Meter meter, long ts, long mwh) {
      long start = Math.floorDiv(ts, WINDOW_MS) * WINDOW_MS;
      if (meter.maxTs != Long.MIN_VALUE && start + WINDOW_MS + graceMs <= meter.maxTs) {
        late.incrementAndGet();
        return;
      }
      int index = meter.insertionIndex(ts);
      if (index < meter.n && meter.ts[index] == ts) return; // duplicate: the first one is kept
      int prev = index - 1;
      if (index < meter.n) {
        // The successor's energy was against `prev`; now it is against this reading.
        contribute(record, meter, index, prev, -1);
        meter.insert(index, ts, mwh);
        contribute(record, meter, index + 1, index, 1);
      } else {
        meter.insert(index, ts, mwh);
      }
      contribute(record, meter, index, prev, 1);
      meter.maxTs = Math.max(meter.maxTs, ts);
    }

    /** Adds (sign 1) or retracts (−1) reading `i`'s contribution, against reading `prev` (−1: none, baseline). */
    private void contribute(Record<String, byte[]> record, Meter meter, int i, int prev, int sign) {
      long energy = 0;
      long reset = 0;
      if (prev >= 0) {
        long difference = meter.mwh[i] - meter.mwh[prev];
        if (difference < 0) {
          energy = meter.mwh[i];
          reset = 1;
        } else {
          energy = difference;
        }
      }
      long start = Math.floorDiv(meter.ts[i], WINDOW_MS) * WINDOW_MS;
      String key = record.key() + "@" + start;
      byte[] old = windows.get(key);
      ByteBuffer w = old == null ? ByteBuffer.allocate(24) : ByteBuffer.wrap(old);
      ByteBuffer next = ByteBuffer.allocate(24)
          .putLong(0, w.getLong(0) + sign * energy)
          .putLong(8, w.getLong(8) + sign)
          .putLong(16, w.getLong(16) + sign * reset);
      windows.put(key, next.array());
      context.forward(new Record<>(key, next.array(), record.timestamp()));
    }
  }

  /** One meter's state: its latest ts, and its kept readings (ts ascending) with their registers in mWh. */
  static final class Meter {
    long maxTs = Long.MIN_VALUE;
    int n;
    long[] ts = new long[8];
    long[] mwh = new long[8];

    static Meter decode(byte[] bytes) {
      Meter m = new Meter();
      if (bytes == null) return m;
      ByteBuffer b = ByteBuffer.wrap(bytes);
      m.maxTs = b.getLong();
      m.n = b.getInt();
      m.ts = new long[Math.max(8, m.n * 2)];
      m.mwh = new long[m.ts.length];
      for (int i = 0; i < m.n; i++) {
        m.ts[i] = b.getLong();
        m.mwh[i] = b.getLong();
      }
      return m;
    }

    byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(12 + n * 16).putLong(maxTs).putInt(n);
      for (int i = 0; i < n; i++) b.putLong(ts[i]).putLong(mwh[i]);
      return b.array();
    }

    int insertionIndex(long t) {
      int i = Arrays.binarySearch(ts, 0, n, t);
      return i >= 0 ? i : -i - 1;
    }

    void insert(int index, long t, long m) {
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        mwh = Arrays.copyOf(mwh, n * 2);
      }
      System.arraycopy(ts, index, ts, index + 1, n - index);
      System.arraycopy(mwh, index, mwh, index + 1, n - index);
      ts[index] = t;
      mwh[index] = m;
      n++;
    }

    /** Drops the readings of closed windows but the last one: the predecessor of everything still open. */
    void prune(long graceMs) {
      long closedBefore = Math.floorDiv(maxTs - graceMs, WINDOW_MS) * WINDOW_MS;
      int keepFrom = insertionIndex(closedBefore) - 1;
      if (keepFrom <= 0) return;
      System.arraycopy(ts, keepFrom, ts, 0, n - keepFrom);
      System.arraycopy(mwh, keepFrom, mwh, 0, n - keepFrom);
      n -= keepFrom;
    }
  }

  public static void main(String[] args) throws Exception {
    String input = args[1];
    String output = args[2];
    Properties props =
        PeerRun.config(args[0], args[3], Integer.parseInt(args[4]), Long.parseLong(args[5]), args[6]);
    long graceMs = Long.parseLong(args[8]);

    AtomicLong rows = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong late = new AtomicLong();
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore("meters"), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore("windows"), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled());
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(() -> new Energy(rows, first, late, graceMs), "meters", "windows")
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
    PeerRun.runUntilCaughtUp(
        builder.build(), props, input, output, args[7], first, rows, () -> ",\"late\":" + late.get());
  }
}
