package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The `processing` bench job in Kafka Streams: decode Switchboard's `json/1` timeseries packets (key = stream id,
 * value = column-wise JSON), sum the numeric column `v` per stream in 1-minute tumbling windows with 10 s grace,
 * exactly_once_v2, and write every window's running sum to an output topic as key `<stream id>@<window start>`,
 * value the sum (a long). Each row of a packet is forwarded with its own timestamp.
 *
 * <p>Args: bootstrap input-topic output-topic application-id threads commit-interval-ms state-dir output-file.
 * Prints one JSON line when the first record is processed ({"event":"first"}) and one when the group's committed
 * offsets reached the input's end offsets ({"event":"done","rows":n,"dropped":n}), writes the output's last
 * committed sum per window to output-file (PeerRun), then exits.
 */
public final class WindowSum {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Forwards one record per row of a timeseries packet, timestamped with the row's own timestamp. */
  static final class Rows implements FixedKeyProcessor<String, byte[], Long> {
    private final AtomicLong rows;
    private final AtomicLong first;
    private FixedKeyProcessorContext<String, Long> context;

    Rows(AtomicLong rows, AtomicLong first) {
      this.rows = rows;
      this.first = first;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Long> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
      PeerRun.markFirst(first);
      JsonNode packet = PeerRun.timeseriesPacket(JSON, record.key(), record.headers(), record.value());
      if (packet == null) return;
      JsonNode ts = packet.path("timestamps");
      JsonNode v = packet.path("numericValues").path("v");
      for (int i = 0; i < ts.size(); i++) {
        JsonNode value = v.path(i);
        long n = value.isNumber() ? value.asLong() : 0L;
        context.forward(record.withValue(n).withTimestamp(ts.get(i).asLong()));
        rows.incrementAndGet();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String input = args[1];
    String output = args[2];
    Properties props =
        PeerRun.config(bootstrap, args[3], Integer.parseInt(args[4]), Long.parseLong(args[5]), args[6]);

    AtomicLong rows = new AtomicLong();
    AtomicLong first = new AtomicLong();
    Set<String> forwarded = ConcurrentHashMap.newKeySet();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .processValues(() -> new Rows(rows, first))
        .groupByKey(Grouped.with(Serdes.String(), Serdes.Long()))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(10)))
        .reduce(Long::sum, Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("sums")
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
        .toStream()
        .map((w, sum) -> KeyValue.pair(w.key() + "@" + w.window().start(), sum))
        .peek((window, sum) -> forwarded.add(window))
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));
    // The windows the topology handed to its sink: beside the output read back, it tells a window never computed
    // from one computed but not in the committed output.
    PeerRun.runUntilCaughtUp(
        builder.build(), props, input, output, args[7], first, rows, () -> ",\"forwardedWindows\":" + forwarded.size());
  }
}
