// Prints, for each key given on the command line, the partition Kafka's Java producer picks for it
// (BuiltInPartitioner: toPositive(murmur2(utf8 key)) % numPartitions). The first argument is the count.
// Run with the broker's own jars: java -cp "tools/kafka/lib/*" test/support/JavaPartitioner.java 2 k1 k2
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

public class JavaPartitioner {
  public static void main(String[] args) {
    int partitions = Integer.parseInt(args[0]);
    for (int i = 1; i < args.length; i++) {
      byte[] key = args[i].getBytes(StandardCharsets.UTF_8);
      System.out.println(args[i] + "\t" + BuiltInPartitioner.partitionForKey(key, partitions));
    }
  }
}
