package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What the peers share: their configuration (exactly_once_v2, the given threads and commit interval, from the
 * earliest offset), the "first" marker, and the run until the application's committed offsets reach the input's
 * end offsets, when it prints {"event":"done","rows":n,"dropped":n,...}, writes its output's last committed value
 * per key to a file (when given) and prints {"event":"output","windows":n}, and exits.
 */
final class PeerRun {
  private PeerRun() {}

  static Properties config(String bootstrap, String appId, int threads, long commitMs, String stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return props;
  }

  /** Prints {"event":"first"} once, at the first record any thread processes. */
  static void markFirst(AtomicLong first) {
    if (first.get() == 0 && first.compareAndSet(0, System.nanoTime())) {
      System.out.println("{\"event\":\"first\"}");
      System.out.flush();
    }
  }

  /**
   * A record's `json/1` timeseries packet (column-wise: `timestamps`, `numericValues`, …), or null for another model
   * (header `sb-model`), a record without key or value, or a malformed packet (Switchboard sends those to the
   * dead-letter topic; a peer skips them).
   */
  static JsonNode timeseriesPacket(ObjectMapper json, String key, Headers headers, byte[] value) {
    if (key == null || value == null) return null;
    var model = headers.lastHeader("sb-model");
    if (model != null && !new String(model.value(), StandardCharsets.UTF_8).equals("timeseries")) return null;
    try {
      return json.readTree(value);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Starts the topology, waits until the group's committed offsets (committed with the output, exactly once)
   * reach the input's end, prints "done" with `rows` and any extra JSON fields, closes and exits.
   */
  static void runUntilCaughtUp(
      Topology topology,
      Properties props,
      String input,
      String output,
      String outputFile,
      AtomicLong first,
      AtomicLong rows,
      Supplier<String> extraJson)
      throws Exception {
    String appId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    KafkaStreams streams = new KafkaStreams(topology, props);
    // Rebalances after the first: a task closed and revived (a fenced producer, a timed-out transaction) shows here.
    AtomicLong rebalances = new AtomicLong();
    streams.setStateListener((next, previous) -> {
      if (next == KafkaStreams.State.REBALANCING && previous == KafkaStreams.State.RUNNING) rebalances.incrementAndGet();
    });
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();

    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
    try (Admin admin = Admin.create(adminProps)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      int partitions = admin.describeTopics(java.util.List.of(input)).allTopicNames().get().get(input).partitions().size();
      for (int p = 0; p < partitions; p++) latest.put(new TopicPartition(input, p), OffsetSpec.latest());
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
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
    System.out.println(
        "{\"event\":\"done\",\"rows\":" + rows.get() + ",\"seconds\":" + seconds + ",\"dropped\":"
            + droppedRecords(streams) + ",\"rebalances\":" + rebalances.get() + extraJson.get() + "}");
    System.out.flush();
    streams.close(Duration.ofSeconds(10));
    if (outputFile != null) {
      long windows = writeLatestCommitted(props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG), output, outputFile);
      System.out.println("{\"event\":\"output\",\"windows\":" + windows + "}");
      System.out.flush();
    }
    System.exit(0);
  }

  /**
   * Records the application's tasks dropped (Kafka Streams' task metric `dropped-records-total`: a record for a
   * window already closed by its task's stream time, or one it could not process), summed over tasks.
   */
  static long droppedRecords(KafkaStreams streams) {
    double dropped = 0;
    for (var e : streams.metrics().entrySet()) {
      if (!e.getKey().name().equals("dropped-records-total")) continue;
      Object v = e.getValue().metricValue();
      if (v instanceof Number n) dropped += n.doubleValue();
    }
    return Math.round(dropped);
  }

  /**
   * Reads `topic` read-committed from the beginning until every partition's position reached its end (after the
   * application closed, no transaction is open, so the end is final), and writes the last value per key to `file`,
   * a line each: key, a tab, the value in base64. Positions count transaction markers, so the read stops exactly
   * at the end, not after a guessed quiet time. Returns how many keys it wrote.
   */
  static long writeLatestCommitted(String bootstrap, String topic, String file) throws IOException {
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    Map<String, byte[]> latest = new HashMap<>();
    try (var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (var info : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, info.partition()));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.key() != null && r.value() != null) latest.put(r.key(), r.value());
        }
      }
    }
    var b64 = Base64.getEncoder();
    try (var out = Files.newBufferedWriter(Path.of(file), StandardCharsets.UTF_8)) {
      for (var e : latest.entrySet()) out.write(e.getKey() + "\t" + b64.encodeToString(e.getValue()) + "\n");
    }
    return latest.size();
  }
}
