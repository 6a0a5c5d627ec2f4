package dev.strata.cluster.sharding;

import static dev.strata.cluster.sharding.ClusterProtocolSerializer.readBytes;
import static dev.strata.cluster.sharding.ClusterProtocolSerializer.readCount;
import static dev.strata.cluster.sharding.ClusterProtocolSerializer.readString;
import static dev.strata.cluster.sharding.ClusterProtocolSerializer.readStrings;
import static dev.strata.cluster.sharding.ClusterProtocolSerializer.writeBytes;
import static dev.strata.cluster.sharding.ClusterProtocolSerializer.writeString;
import static dev.strata.cluster.sharding.ClusterProtocolSerializer.writeStrings;

import dev.strata.cluster.replication.LogEntry;
import dev.strata.cluster.replication.Message;
import dev.strata.cluster.replication.Message.Append;
import dev.strata.cluster.replication.Message.AppendReply;
import dev.strata.cluster.replication.Message.Fetch;
import dev.strata.cluster.replication.Message.FetchReply;
import dev.strata.cluster.replication.Message.Prepare;
import dev.strata.cluster.replication.Message.Promise;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire encoding of the replication protocol's {@link Message}s inside
 * {@link ClusterProtocolSerializer}'s {@code Deliver} (its class comment gives the format).
 * Stateless and thread-safe.
 */
final class ReplicationCodec {
  private ReplicationCodec() {}

  static void write(DataOutputStream out, Message message) throws IOException {
    if (message instanceof Prepare m) {
      out.writeByte(1);
      writeString(out, m.from());
      out.writeLong(m.epoch());
    } else if (message instanceof Promise m) {
      out.writeByte(2);
      writeString(out, m.from());
      out.writeLong(m.epoch());
      out.writeBoolean(m.granted());
      out.writeLong(m.promised());
      out.writeLong(m.lastIndex());
      out.writeLong(m.lastEpoch());
      out.writeLong(m.commitIndex());
    } else if (message instanceof Append m) {
      out.writeByte(3);
      writeString(out, m.from());
      out.writeLong(m.epoch());
      out.writeLong(m.prevIndex());
      out.writeLong(m.prevEpoch());
      writeEntries(out, m.entries());
      out.writeLong(m.commitIndex());
      out.writeLong(m.readSeq());
      out.writeLong(m.truncateThrough());
    } else if (message instanceof AppendReply m) {
      out.writeByte(4);
      writeString(out, m.from());
      out.writeLong(m.epoch());
      out.writeBoolean(m.accepted());
      out.writeLong(m.promised());
      out.writeBoolean(m.matched());
      out.writeLong(m.matchIndex());
      out.writeLong(m.hintIndex());
      out.writeLong(m.readSeq());
    } else if (message instanceof Fetch m) {
      out.writeByte(5);
      writeString(out, m.from());
      out.writeLong(m.epoch());
      out.writeLong(m.fromIndex());
      out.writeInt(m.maxEntries());
    } else if (message instanceof FetchReply m) {
      out.writeByte(6);
      writeString(out, m.from());
      out.writeLong(m.epoch());
      out.writeBoolean(m.granted());
      out.writeLong(m.promised());
      out.writeLong(m.fromIndex());
      out.writeLong(m.prevEpoch());
      writeEntries(out, m.entries());
      out.writeLong(m.lastIndex());
    } else {
      throw new IllegalArgumentException("unknown replication message " + message.getClass().getName());
    }
  }

  static Message read(DataInputStream in) throws IOException {
    int kind = in.readUnsignedByte();
    return switch (kind) {
      case 1 -> new Prepare(readString(in), in.readLong());
      case 2 -> new Promise(readString(in), in.readLong(), in.readBoolean(), in.readLong(), in.readLong(),
          in.readLong(), in.readLong());
      case 3 -> new Append(readString(in), in.readLong(), in.readLong(), in.readLong(), readEntries(in), in.readLong(),
          in.readLong(), in.readLong());
      case 4 -> new AppendReply(readString(in), in.readLong(), in.readBoolean(), in.readLong(), in.readBoolean(),
          in.readLong(), in.readLong(), in.readLong());
      case 5 -> new Fetch(readString(in), in.readLong(), in.readLong(), in.readInt());
      case 6 -> new FetchReply(readString(in), in.readLong(), in.readBoolean(), in.readLong(), in.readLong(),
          in.readLong(), readEntries(in), in.readLong());
      default -> throw new IOException("replication message kind " + kind);
    };
  }

  private static void writeEntries(DataOutputStream out, List<LogEntry> entries) throws IOException {
    out.writeInt(entries.size());
    for (LogEntry e : entries) {
      out.writeLong(e.index());
      out.writeLong(e.epoch());
      if (e.payload() instanceof LogEntry.NoOp) {
        out.writeByte(0);
      } else if (e.payload() instanceof LogEntry.Write w) {
        out.writeByte(1);
        writeBytes(out, w.batch());
      } else if (e.payload() instanceof LogEntry.Config c) {
        out.writeByte(2);
        writeStrings(out, c.members());
      }
    }
  }

  private static List<LogEntry> readEntries(DataInputStream in) throws IOException {
    int n = readCount(in);
    List<LogEntry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long index = in.readLong();
      long epoch = in.readLong();
      int kind = in.readUnsignedByte();
      LogEntry.Payload payload = switch (kind) {
        case 0 -> new LogEntry.NoOp();
        case 1 -> {
          byte[] batch = readBytes(in);
          if (batch == null) {
            throw new IOException("a write entry without a batch");
          }
          yield new LogEntry.Write(batch);
        }
        case 2 -> new LogEntry.Config(readStrings(in));
        default -> throw new IOException("log entry kind " + kind);
      };
      entries.add(new LogEntry(index, epoch, payload));
    }
    return entries;
  }
}
