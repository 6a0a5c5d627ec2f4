package dev.strata.cluster.sharding;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializerWithStringManifest;
import akka.stream.StreamRefResolver;
import dev.strata.Bound;
import dev.strata.akka.stream.KeyValue;
import dev.strata.cluster.sharding.PlacementProtocol.Holdings;
import dev.strata.cluster.sharding.PlacementProtocol.ListHoldings;
import dev.strata.cluster.sharding.PlacementProtocol.Locate;
import dev.strata.cluster.sharding.PlacementProtocol.Location;
import dev.strata.cluster.sharding.ShardProtocol.Failure;
import dev.strata.cluster.sharding.ShardProtocol.Get;
import dev.strata.cluster.sharding.ShardProtocol.Page;
import dev.strata.cluster.sharding.ShardProtocol.ScanPage;
import dev.strata.cluster.sharding.ShardProtocol.Value;
import dev.strata.cluster.sharding.ShardProtocol.Write;
import dev.strata.cluster.sharding.ShardProtocol.Written;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Akka serializer of the cluster keyspace's messages ({@link ShardProtocol},
 * {@link PlacementProtocol}): binary, no Java serialization. Bound to them in reference.conf.
 *
 * <p>Every message is {@code u8 version (2)} followed by its fields, in declaration order, all
 * big-endian; the manifest (one letter) names the message. Field encodings:
 *
 * <pre>
 *   int      i32
 *   bool     u8 (0 or 1)
 *   bytes    i32 length (-1 for null) ++ the bytes
 *   string   bytes of its UTF-8
 *   ref      string: ActorRefResolver's serialization format
 *   bound    u8 kind (0 unbounded, 1 included, 2 excluded) ++ bytes key (absent when unbounded)
 *   entry    u8 (0 put, 1 delete) ++ bytes key ++ bytes value (absent for a delete)
 *   list     i32 count ++ the elements
 *   long     i64
 *   entry    i64 index ++ i64 epoch ++ u8 kind (0 no-op, 1 write, 2 config) ++ bytes batch (write)
 *            or list of string members (config)
 *   message  u8 kind (1 Prepare, 2 Promise, 3 Append, 4 AppendReply, 5 Fetch, 6 FetchReply) ++ its
 *            fields in the order of its record components (dev.strata.cluster.replication.Message)
 * </pre>
 *
 * A replication message travels as {@code Deliver}: i32 shard ++ message. {@code InstallCheckpoint}:
 * i32 shard ++ string sender ++ string (the SourceRef in StreamRefResolver's format).
 *
 * {@code Holdings}: string address ++ list of (i32 shard ++ list of string members ++ list of string
 * committed members ++ i64 last epoch ++ i64 last index). {@code Progress}: string node ++ list of
 * replicas ++ i64 checkpoints installed ++ i64 checkpoint bytes.
 *
 * <p>Version rules: a node reads only messages of its own version and refuses others with an error
 * naming both, since the fields of a message are not self-describing. Any change to a message's
 * fields takes the next version. Version 2 (replica moves): {@code Holdings} carry each replica's
 * configuration and last log position instead of bare shard numbers, {@code Rebalanced} counts
 * replica moves and leader moves, {@code Progress} counts installed checkpoints, and the
 * messages {@code ChangeReplicas}, {@code ReplicasChanged}, {@code DropReplica}, {@code Dropped},
 * {@code Drain}, {@code Draining} are new.
 *
 * Artery's transport checks the frames' integrity, so the messages carry no checksum of their own.
 * Thread-safe: Akka calls it from many threads; it holds only the resolver.
 */
public final class ClusterProtocolSerializer extends SerializerWithStringManifest {
  private static final int VERSION = 2;

  private final ActorRefResolver resolver;
  private final ExtendedActorSystem system;
  /** Looked up on first use: the serializer is built while the system starts, before streams are loaded. */
  private volatile StreamRefResolver streamRefs;

  public ClusterProtocolSerializer(ExtendedActorSystem system) {
    this.system = system;
    this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
  }

  private StreamRefResolver streamRefs() {
    StreamRefResolver r = streamRefs;
    if (r == null) {
      r = StreamRefResolver.get(system);
      streamRefs = r;
    }
    return r;
  }

  @Override
  public int identifier() {
    return 1_818_101;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof Write) {
      return "W";
    } else if (o instanceof Get) {
      return "G";
    } else if (o instanceof ScanPage) {
      return "S";
    } else if (o instanceof Written) {
      return "w";
    } else if (o instanceof Value) {
      return "v";
    } else if (o instanceof Page) {
      return "p";
    } else if (o instanceof Failure) {
      return "f";
    } else if (o instanceof Locate) {
      return "L";
    } else if (o instanceof Location) {
      return "l";
    } else if (o instanceof ListHoldings) {
      return "H";
    } else if (o instanceof Holdings) {
      return "h";
    } else if (o instanceof ReplicaHost.Deliver) {
      return "D";
    } else if (o instanceof ReplicaHost.InstallCheckpoint) {
      return "C";
    } else if (o instanceof PlacementProtocol.GetPlacement) {
      return "P";
    } else if (o instanceof PlacementProtocol.Rebalance) {
      return "B";
    } else if (o instanceof PlacementProtocol.Rebalanced) {
      return "b";
    } else if (o instanceof ReplicaHost.GetProgress) {
      return "R";
    } else if (o instanceof ReplicaHost.Progress) {
      return "r";
    } else if (o instanceof PlacementProtocol.Placement) {
      return "q";
    } else if (o instanceof PlacementProtocol.ChangeReplicas) {
      return "X";
    } else if (o instanceof PlacementProtocol.ReplicasChanged) {
      return "x";
    } else if (o instanceof PlacementProtocol.DropReplica) {
      return "Y";
    } else if (o instanceof PlacementProtocol.Dropped) {
      return "y";
    } else if (o instanceof PlacementProtocol.Drain) {
      return "Z";
    } else if (o instanceof PlacementProtocol.Draining) {
      return "z";
    }
    throw new IllegalArgumentException("ClusterProtocolSerializer cannot serialize a " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      if (o instanceof Write m) {
        writeEntries(out, m.ops());
        writeRef(out, m.replyTo());
      } else if (o instanceof Get m) {
        writeBytes(out, m.key());
        writeRef(out, m.replyTo());
      } else if (o instanceof ScanPage m) {
        writeBound(out, m.lower());
        writeBound(out, m.upper());
        out.writeInt(m.limit());
        writeRef(out, m.replyTo());
      } else if (o instanceof Written) {
        // no fields
      } else if (o instanceof Value m) {
        writeBytes(out, m.value());
      } else if (o instanceof Page m) {
        writeEntries(out, m.entries());
        out.writeBoolean(m.last());
      } else if (o instanceof Failure m) {
        writeString(out, m.message());
        out.writeBoolean(m.retriable());
      } else if (o instanceof Locate m) {
        out.writeInt(m.shard());
        writeString(out, m.requester());
        writeRef(out, m.replyTo());
      } else if (o instanceof Location m) {
        out.writeInt(m.shard());
        writeString(out, m.address());
        writeStrings(out, m.members());
      } else if (o instanceof ListHoldings m) {
        writeRef(out, m.replyTo());
      } else if (o instanceof Holdings m) {
        writeString(out, m.address());
        out.writeInt(m.shards().size());
        for (PlacementProtocol.HeldShard h : m.shards()) {
          out.writeInt(h.shard());
          writeStrings(out, h.members());
          writeStrings(out, h.committedMembers());
          out.writeLong(h.lastEpoch());
          out.writeLong(h.lastIndex());
        }
      } else if (o instanceof PlacementProtocol.Rebalance m) {
        writeRef(out, m.replyTo());
      } else if (o instanceof PlacementProtocol.Rebalanced m) {
        out.writeInt(m.replicaMoves());
        out.writeInt(m.leadersMoved());
      } else if (o instanceof ReplicaHost.GetProgress m) {
        writeRef(out, m.replyTo());
      } else if (o instanceof ReplicaHost.Progress m) {
        writeString(out, m.node());
        out.writeInt(m.replicas().size());
        for (ReplicaHost.ReplicaProgress r : m.replicas()) {
          out.writeInt(r.shard());
          out.writeBoolean(r.leading());
          out.writeLong(r.epoch());
          out.writeLong(r.commitIndex());
          out.writeLong(r.appliedIndex());
          out.writeInt(r.followerMatch().size());
          for (var e : new java.util.TreeMap<>(r.followerMatch()).entrySet()) {
            writeString(out, e.getKey());
            out.writeLong(e.getValue());
          }
        }
        out.writeLong(m.checkpointsInstalled());
        out.writeLong(m.checkpointBytes());
      } else if (o instanceof PlacementProtocol.GetPlacement m) {
        writeRef(out, m.replyTo());
      } else if (o instanceof PlacementProtocol.Placement m) {
        out.writeInt(m.shards().size());
        for (Location l : m.shards()) {
          out.writeInt(l.shard());
          writeString(out, l.address());
          writeStrings(out, l.members());
        }
      } else if (o instanceof PlacementProtocol.ChangeReplicas m) {
        out.writeInt(m.shard());
        writeStrings(out, m.members());
        writeRef(out, m.replyTo());
      } else if (o instanceof PlacementProtocol.ReplicasChanged m) {
        out.writeInt(m.shard());
        out.writeBoolean(m.done());
        writeString(out, m.reason());
      } else if (o instanceof PlacementProtocol.DropReplica m) {
        out.writeInt(m.shard());
        writeRef(out, m.replyTo());
      } else if (o instanceof PlacementProtocol.Dropped m) {
        out.writeInt(m.shard());
        out.writeBoolean(m.done());
        writeString(out, m.reason());
      } else if (o instanceof PlacementProtocol.Drain m) {
        writeString(out, m.address());
        writeRef(out, m.replyTo());
      } else if (o instanceof PlacementProtocol.Draining m) {
        writeString(out, m.address());
        out.writeInt(m.remaining());
      } else if (o instanceof ReplicaHost.InstallCheckpoint m) {
        out.writeInt(m.shard());
        writeString(out, m.from());
        writeString(out, streamRefs().toSerializationFormat(m.checkpoint()));
      } else if (o instanceof ReplicaHost.Deliver m) {
        out.writeInt(m.shard());
        ReplicationCodec.write(out, m.message());
      } else {
        throw new IllegalArgumentException("ClusterProtocolSerializer cannot serialize a " + o.getClass().getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] data, String manifest) throws NotSerializableException {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new NotSerializableException("cluster message '" + manifest + "' has version " + version
            + "; this node reads version " + VERSION);
      }
      return switch (manifest) {
        case "W" -> new Write(readEntries(in), readRef(in));
        case "G" -> new Get(readBytes(in), readRef(in));
        case "S" -> new ScanPage(readBound(in), readBound(in), in.readInt(), readRef(in));
        case "w" -> Written.INSTANCE;
        case "v" -> new Value(readBytes(in));
        case "p" -> new Page(readEntries(in), in.readBoolean());
        case "f" -> new Failure(readString(in), in.readBoolean());
        case "L" -> new Locate(in.readInt(), readString(in), readRef(in));
        case "l" -> new Location(in.readInt(), readString(in), readStrings(in));
        case "P" -> new PlacementProtocol.GetPlacement(readRef(in));
        case "B" -> new PlacementProtocol.Rebalance(readRef(in));
        case "b" -> new PlacementProtocol.Rebalanced(in.readInt(), in.readInt());
        case "X" -> new PlacementProtocol.ChangeReplicas(in.readInt(), readStrings(in), readRef(in));
        case "x" -> new PlacementProtocol.ReplicasChanged(in.readInt(), in.readBoolean(), readString(in));
        case "Y" -> new PlacementProtocol.DropReplica(in.readInt(), readRef(in));
        case "y" -> new PlacementProtocol.Dropped(in.readInt(), in.readBoolean(), readString(in));
        case "Z" -> new PlacementProtocol.Drain(readString(in), readRef(in));
        case "z" -> new PlacementProtocol.Draining(readString(in), in.readInt());
        case "R" -> new ReplicaHost.GetProgress(readRef(in));
        case "r" -> {
          String node = readString(in);
          int n = readCount(in);
          List<ReplicaHost.ReplicaProgress> replicas = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            int shard = in.readInt();
            boolean leading = in.readBoolean();
            long epoch = in.readLong();
            long commit = in.readLong();
            long applied = in.readLong();
            int f = readCount(in);
            java.util.Map<String, Long> match = new java.util.HashMap<>();
            for (int j = 0; j < f; j++) {
              match.put(readString(in), in.readLong());
            }
            replicas.add(new ReplicaHost.ReplicaProgress(shard, leading, epoch, commit, applied, match));
          }
          yield new ReplicaHost.Progress(node, replicas, in.readLong(), in.readLong());
        }
        case "q" -> {
          int n = readCount(in);
          List<Location> shards = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            shards.add(new Location(in.readInt(), readString(in), readStrings(in)));
          }
          yield new PlacementProtocol.Placement(shards);
        }
        case "C" -> new ReplicaHost.InstallCheckpoint(in.readInt(), readString(in),
            streamRefs().<akka.util.ByteString>resolveSourceRef(readString(in)));
        case "D" -> new ReplicaHost.Deliver(in.readInt(), ReplicationCodec.read(in));
        case "H" -> new ListHoldings(readRef(in));
        case "h" -> {
          String address = readString(in);
          int n = readCount(in);
          List<PlacementProtocol.HeldShard> shards = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            shards.add(new PlacementProtocol.HeldShard(in.readInt(), readStrings(in), readStrings(in), in.readLong(),
                in.readLong()));
          }
          yield new Holdings(address, shards);
        }
        default -> throw new NotSerializableException("unknown cluster message manifest '" + manifest + "'");
      };
    } catch (IOException | RuntimeException e) {
      if (e instanceof NotSerializableException n) {
        throw n;
      }
      NotSerializableException failure = new NotSerializableException("cluster message '" + manifest
          + "' of " + data.length + " bytes is malformed: " + e);
      failure.initCause(e);
      throw failure;
    }
  }

  static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > in.available()) {
      throw new IOException("a field of " + n + " bytes where " + in.available() + " remain");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  static int readCount(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("a list of " + n + " elements where " + in.available() + " bytes remain");
    }
    return n;
  }

  static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
    out.writeInt(strings.size());
    for (String s : strings) {
      writeString(out, s);
    }
  }

  static List<String> readStrings(DataInputStream in) throws IOException {
    int n = readCount(in);
    List<String> strings = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      strings.add(readString(in));
    }
    return strings;
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  static String readString(DataInputStream in) throws IOException {
    byte[] b = readBytes(in);
    if (b == null) {
      throw new IOException("a null string");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private void writeRef(DataOutputStream out, ActorRef<?> ref) throws IOException {
    writeString(out, resolver.toSerializationFormat(ref));
  }

  private <T> ActorRef<T> readRef(DataInputStream in) throws IOException {
    return resolver.resolveActorRef(readString(in));
  }

  private static void writeBound(DataOutputStream out, Bound bound) throws IOException {
    out.writeByte(bound.kind().ordinal());
    if (!bound.isUnbounded()) {
      writeBytes(out, bound.key());
    }
  }

  private static Bound readBound(DataInputStream in) throws IOException {
    int kind = in.readUnsignedByte();
    return switch (kind) {
      case 0 -> Bound.unbounded();
      case 1 -> Bound.included(readBytes(in));
      case 2 -> Bound.excluded(readBytes(in));
      default -> throw new IOException("bound kind " + kind);
    };
  }

  private static void writeEntries(DataOutputStream out, List<KeyValue> entries) throws IOException {
    out.writeInt(entries.size());
    for (KeyValue kv : entries) {
      out.writeByte(kv.isDelete() ? 1 : 0);
      writeBytes(out, kv.key());
      if (!kv.isDelete()) {
        writeBytes(out, kv.value());
      }
    }
  }

  private static List<KeyValue> readEntries(DataInputStream in) throws IOException {
    int n = readCount(in);
    List<KeyValue> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int kind = in.readUnsignedByte();
      byte[] key = readBytes(in);
      entries.add(switch (kind) {
        case 0 -> KeyValue.put(key, readBytes(in));
        case 1 -> KeyValue.delete(key);
        default -> throw new IOException("entry kind " + kind);
      });
    }
    return entries;
  }
}
