package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
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
 * <p>Args: bootstrap input-topic output-topic application-id threads commit-interval-ms state-dir. Prints one JSON
 * line when the first record is processed ({"event":"first"}) and one when the group's committed offsets reached
 * the input's end offsets ({"event":"done","rows":n}), then exits.
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
      if (first.get() == 0 && first.compareAndSet(0, System.nanoTime())) {
        System.out.println("{\"event\":\"first\"}");
        System.out.flush();
      }
      if (record.key() == null || record.value() == null) return;
      String model = header(record, "sb-model");
      if (model != null && !model.equals("timeseries")) return;
      JsonNode packet;
      try {
        packet = JSON.readTree(record.value());
      } catch (IOException e) {
        return; // a malformed packet: Switchboard sends it to the dead-letter topic; here it is skipped
      }
      JsonNode ts = packet.path("timestamps");
      JsonNode v = packet.path("numericValues").path("v");
      for (int i = 0; i < ts.size(); i++) {
        JsonNode value = v.path(i);
        long n = value.isNumber() ? value.asLong() : 0L;
        context.forward(record.withValue(n).withTimestamp(ts.get(i).asLong()));
        rows.incrementAndGet();
      }
    }

    private static String header(FixedKeyRecord<String, byte[]> record, String name) {
      var h = record.headers().lastHeader(name);
      return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String input = args[1];
    String output = args[2];
    String appId = args[3];
    int threads = Integer.parseInt(args[4]);
    long commitMs = Long.parseLong(args[5]);
    String stateDir = args[6];

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    AtomicLong rows = new AtomicLong();
    AtomicLong first = new AtomicLong();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .processValues(() -> new Rows(rows, first))
        .groupByKey(Grouped.with(Serdes.String(), Serdes.Long()))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(10)))
        .reduce(Long::sum, Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("sums")
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
        .toStream()
        .map((w, sum) -> KeyValue.pair(w.key() + "@" + w.window().start(), sum))
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();

    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(adminProps)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      int partitions = admin.describeTopics(java.util.List.of(input)).allTopicNames().get().get(input).partitions().size();
      for (int p = 0; p < partitions; p++) latest.put(new TopicPartition(input, p), OffsetSpec.latest());
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
      // Caught up when the group's committed offsets (committed with the output, exactly once) reach the end.
      while (true) {
        if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
          System.out.println("{\"event\":\"failed\",\"state\":\"" + streams.state() + "\"}");
          System.exit(2);
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
        boolean done = true;
        for (var e : ends.entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) done = false;
        }
        if (done) break;
        Thread.sleep(50);
      }
    }
    double seconds = (System.nanoTime() - first.get()) / 1e9;
    System.out.println("{\"event\":\"done\",\"rows\":" + rows.get() + ",\"seconds\":" + seconds + "}");
    System.out.flush();
    streams.close(Duration.ofSeconds(10));
    System.exit(0);
  }
}
