package io.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What the peers share: their configuration (exactly_once_v2, the given threads and commit interval, from the
 * earliest offset), the "first" marker, and the run until the application's committed offsets reach the input's
 * end offsets, when it prints {"event":"done","rows":n,...} and exits.
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
      Topology topology, Properties props, String input, AtomicLong first, AtomicLong rows, Supplier<String> extraJson)
      throws Exception {
    String appId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    KafkaStreams streams = new KafkaStreams(topology, props);
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
        "{\"event\":\"done\",\"rows\":" + rows.get() + ",\"seconds\":" + seconds + extraJson.get() + "}");
    System.out.flush();
    streams.close(Duration.ofSeconds(10));
    System.exit(0);
  }
}
